"""The analysis package is framework-free: its tests must not need Django.

The repository's root conftest has an autouse fixture that needs pytest-django's
``settings``; override it here with a no-op so that
``pytest trygg/analysis -p no:django`` works.
"""

import pytest


@pytest.fixture(autouse=True)
def _fast_and_quiet():
    yield
