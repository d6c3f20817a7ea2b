"""What CI=true changes in the test run: a missing prerequisite fails instead of skipping.

On a developer's machine a missing PostgreSQL, Chromium or chromedriver skips the tests that need
it, with a message saying how to get it. Under CI=true (set by .ci/run and by CI services) the
same gap fails the run, so CI can never go green without the tests it is meant to run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

TRUE_WORDS = {"1", "true", "yes", "on"}


def under_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when the CI variable is set to a true word (CI=true, CI=1...)."""
    environ = os.environ if environ is None else environ
    return environ.get("CI", "").strip().lower() in TRUE_WORDS


def missing_prerequisite(what: str, how: str, environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Outcome for a test whose prerequisite ``what`` is missing: ("fail" or "skip", message).

    ``how`` says how to install it; the message says why a CI run fails.
    """
    if under_ci(environ):
        return "fail", f"{what} is missing and CI=true requires this test to run: {how}"
    return "skip", f"{what} is missing, so this test is skipped ({how}; under CI=true this fails)"


def handle_missing(what: str, how: str) -> None:
    """Fail (under CI=true) or skip the running test because ``what`` is missing."""
    import pytest

    outcome, message = missing_prerequisite(what, how)
    if outcome == "fail":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
