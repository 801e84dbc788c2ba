"""The ``retention:`` section of govwatch.yaml: what of each scan is kept, and how long.

Keys (all optional):

    keep_full_scans      integer 1..10000        default 8: full detail (pages, links, items,
                                                 texts, link checks, column pages, footer
                                                 facts) of the N newest complete scans
    keep_bulletin_scans  integer 0..10000, or    default 8: full detail of the scans the N
                         all                     newest published bulletins report (all:
                                                 every bulletin's scan, for ever)
    keep_summary_years   integer 1..100          default 5: the summary (site status,
                                                 columns, findings, evaluation) of every
                                                 scan judged in the last N years
    keep_evidence_days   integer 0..36500, or    default 180: kept pages and screenshots
                         forever                 (存证) of an issue, for N days after it is
                                                 fixed or withdrawn (while it lives: always)

Full detail is kept besides for every scan an active issue was first or last seen in, so
its evidence can be shown until it is fixed or withdrawn. ``govwatch prune`` and the
scheduler (after each scan) apply the policy: see :mod:`govwatch.prune`. Each problem is
a ConfigError at its key's line.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from govwatch.core.defaults import (
    KEEP_BULLETIN_SCANS,
    KEEP_EVIDENCE_DAYS,
    KEEP_FULL_SCANS,
    KEEP_SUMMARY_YEARS,
)

if TYPE_CHECKING:  # the sites file loader imports this module to check its section
    from govwatch.core.config import Config

KEYS = ("keep_full_scans", "keep_bulletin_scans", "keep_summary_years", "keep_evidence_days")
# Bounds: at least the newest complete scan keeps its detail (the next scan replays its
# unchanged pages from it); a hundred years is for ever.
_RANGES = {"keep_full_scans": (1, 10000), "keep_bulletin_scans": (0, 10000),
           "keep_summary_years": (1, 100), "keep_evidence_days": (0, 36500)}
# The word each key takes besides an integer, meaning no limit.
_UNLIMITED = {"keep_bulletin_scans": "all", "keep_evidence_days": "forever"}


@dataclass(frozen=True)
class Retention:
    """What of each scan is kept (a validated ``retention:`` section)."""

    keep_full_scans: int = KEEP_FULL_SCANS
    keep_bulletin_scans: int | None = KEEP_BULLETIN_SCANS  # None: every bulletin's scan
    keep_summary_years: int = KEEP_SUMMARY_YEARS
    keep_evidence_days: int | None = KEEP_EVIDENCE_DAYS  # None: kept pages for ever

    @classmethod
    def from_config(cls, config: Config) -> Retention:
        """The retention of *config*; ConfigError at the offending key's line."""
        raw: Mapping[str, Any] = config.retention
        found: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                tip = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(KEYS)}"
                raise config.error(f"retention: unknown key {key!r}; {tip}", f"retention.{key}")
            try:
                found[key] = _convert(key, value)
            except ValueError as error:
                raise config.error(f"retention: {key}: {error}", f"retention.{key}") from None
        return cls(**found)

    def summary_since(self, today: date) -> date:
        """The first day whose scans keep their summary, judged from *today*: the same day
        ``keep_summary_years`` years back (29 February: the 28th)."""
        year = today.year - self.keep_summary_years
        try:
            return today.replace(year=year)
        except ValueError:
            return today.replace(year=year, day=28)


def _convert(key: str, value: Any) -> int | None:
    """One ``retention:`` value, checked; ValueError says what is wrong."""
    if key in _UNLIMITED and value == _UNLIMITED[key]:
        return None
    low, high = _RANGES[key]
    # bool is a subclass of int, but 'true' is not a count
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        also = f" or {_UNLIMITED[key]}" if key in _UNLIMITED else ""
        raise ValueError(f"must be an integer from {low} to {high}{also}: {value!r}")
    return value
