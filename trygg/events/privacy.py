"""Personal data in free text: detect it to warn the reporter, mask it for other organisations.

Reports are about places and events, not persons. The detectors are deliberately simple and
err on the side of warning; masking uses the same patterns.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# 19811224-1234, 811224-1234, 198112241234, 8112241234 (with or without - or +)
PERSONNUMMER = re.compile(r"\b(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|[6-8]\d|9[01])[-+ ]?\d{4}\b")
# 070-123 45 67, 0701234567, +46 70 123 45 67, 08-123 456 78
PHONE = re.compile(r"(?<![\w+])(?:\+46[\s-]?|0)(?:\d[\s-]?){6,11}\d\b")
# ABC 123, ABC123, ABC 12A (Swedish registration plates)
REGISTRATION = re.compile(r"\b[A-HJ-PR-UW-ZÅÄÖ]{3}\s?\d{2}[A-HJ-PR-UW-Z0-9]\b")
# Two capitalised words in a row that are not at the start of a sentence: a likely name.
NAME = re.compile(r"(?<=[a-zåäö,] )[A-ZÅÄÖ][a-zåäöé]{1,20} [A-ZÅÄÖ][a-zåäöé]{1,20}\b")

DETECTORS = [
    ("personnummer", PERSONNUMMER, _("It looks like a personal identity number.")),
    ("phone", PHONE, _("It looks like a phone number.")),
    ("registration", REGISTRATION, _("It looks like a car registration number.")),
    ("name", NAME, _("It may contain a person's name.")),
]

MASK = "▇▇▇"


def personal_data_warnings(text: str) -> list[dict]:
    """Kinds of personal data the text seems to hold, each with a message for the reporter."""
    found = []
    for kind, pattern, message in DETECTORS:
        if text and pattern.search(text):
            found.append({"kind": kind, "message": str(message)})
    return found


def mask_personal_data(text: str) -> str:
    if not text:
        return text
    for _kind, pattern, _message in DETECTORS:
        text = pattern.sub(MASK, text)
    return text
