"""The ``id_number`` match validator: is a regex match a real 居民身份证号 (GB 11643-1999)?

Used by the ``pattern`` rule ``privacy.id_number``. An 18-character candidate counts only
with a birth date (characters 7–14, YYYYMMDD) that is a real day from 1900 on and a valid
ISO 7064 MOD 11-2 check digit (0–9 or X); a number failing either never counts. The mask
keeps the region code (first 6) and the last 4 characters and hides the birth date and
what follows it, keeping the length: ``620102********123X``.
"""

from __future__ import annotations

import re
from datetime import date

from govwatch.rules.checks.pattern import match_validator

_FORM = re.compile(r"\d{17}[\dXx]")
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK_CHARS = "10X98765432"  # check character by weighted sum mod 11
_EARLIEST_BIRTH_YEAR = 1900


def check_character(first17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> date | None:
    """The birth date written in an 18-character number, or None if it is not a real day."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if born.year >= _EARLIEST_BIRTH_YEAR else None


def mask(number: str) -> str:
    """*number* with all but the first 6 and last 4 characters replaced by ``*``."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]  # "*" * -n is ""


@match_validator("id_number", mask=mask)
def is_id_number(candidate: str) -> bool:
    """True for an 18-character 居民身份证号 with a real birth date and a valid check digit."""
    if not _FORM.fullmatch(candidate) or birth_date(candidate) is None:
        return False
    return check_character(candidate[:17]) == candidate[17].upper()
