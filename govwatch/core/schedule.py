"""The ``schedule:`` section of govwatch.yaml: when the scheduler's jobs run.

Keys (all optional; times are in the config's ``timezone``, default Asia/Shanghai):

    scan            "DAYS HH:MM", a list of them, or false    default "mon 02:00"
    bulletins       the same                                  default ["wed 09:00", "fri 09:00"]
    probes_per_day  integer 0..1440 (0: no probes)            default 24 (≥ 20 a day:
                                                              docs/indicators.md#availability)
    probe_timeout   seconds a home page has to open            default 15
    probe_workers   home pages probed at once                  default 16
    misfire_grace   how late a missed scan or bulletin may     default 6h
                    still run at start-up: 90s, 30m, 6h, 1d
                    or a number of seconds

DAYS is a day (mon … sun), a list (``wed,fri``), a range (``mon-fri``) or ``daily``. A job
missed while the service was down runs once at start-up when it is at most
``misfire_grace`` late (probes: half their interval), and is skipped otherwise. Each
problem is a ConfigError at its key's line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from govwatch.core.defaults import PROBE_TIMEOUT, PROBE_WORKERS, TIMEZONE

if TYPE_CHECKING:  # the sites file loader imports this module to check its section
    from govwatch.core.config import Config

JOB_NAMES = ("scan", "bulletin", "probe")  # the scheduler's jobs (scheduler/jobs.py)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYS = ("scan", "bulletins", "probes_per_day", "probe_timeout", "probe_workers",
        "misfire_grace")
_AT_RE = re.compile(r"\s*(?P<days>[a-z,\-]+)\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*")
_DURATION_RE = re.compile(r"\s*(\d+)\s*([smhd])\s*")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class At:
    """A weekly time: days of the week (in week order) and a local time of day."""

    days: tuple[str, ...]
    hour: int
    minute: int

    def __str__(self) -> str:
        days = "daily" if len(self.days) == len(DAYS) else ",".join(self.days)
        return f"{days} {self.hour:02d}:{self.minute:02d}"


def parse_at(text: Any) -> At:
    """``"wed,fri 09:00"`` as an At; ValueError saying what is wrong."""
    form = ("'DAYS HH:MM' (DAYS: mon … sun, a list such as wed,fri, a range such as "
            "mon-fri, or daily)")
    match = _AT_RE.fullmatch(text.lower()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not {form}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r}: no such time of day")
    days: set[str] = set()
    for part in match["days"].split(","):
        if part == "daily":
            days.update(DAYS)
            continue
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{text!r}: unknown day {part!r}; expected {form}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise ValueError(f"{text!r}: the range {part!r} runs backwards")
        days.update(DAYS[start:end + 1])
    return At(tuple(d for d in DAYS if d in days), hour, minute)


def parse_duration(value: Any) -> int:
    """``6h`` (or 90s, 30m, 1d, or a number of seconds) in seconds; ValueError if not."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _DURATION_RE.fullmatch(value) if isinstance(value, str) else None
    if not match or int(match[1]) == 0:
        raise ValueError(f"must be a duration such as 90s, 30m, 6h or 1d: {value!r}")
    return int(match[1]) * _SECONDS[match[2]]


@dataclass(frozen=True)
class Schedule:
    """When the scheduler's jobs run (a validated ``schedule:`` section)."""

    timezone: str = TIMEZONE
    scan: tuple[At, ...] = (At(("mon",), 2, 0),)
    bulletins: tuple[At, ...] = (At(("wed",), 9, 0), At(("fri",), 9, 0))
    probes_per_day: int = 24
    probe_timeout: float = PROBE_TIMEOUT
    probe_workers: int = PROBE_WORKERS
    misfire_grace: int = 6 * 3600  # seconds

    @classmethod
    def from_config(cls, config: Config) -> Schedule:
        """The schedule of *config*; ConfigError at the offending key's line."""
        raw: Mapping[str, Any] = config.schedule
        for key in raw:
            if key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                tip = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(KEYS)}"
                raise config.error(f"schedule: unknown key {key!r}; {tip}", f"schedule.{key}")
        found: dict[str, Any] = {"timezone": config.timezone}
        for key, value in raw.items():
            try:
                found[key] = _convert(key, value)
            except ValueError as error:
                raise config.error(f"schedule: {key}: {error}", f"schedule.{key}") from None
        return cls(**found)


def _convert(key: str, value: Any) -> Any:
    """One ``schedule:`` value, checked and converted; ValueError says what is wrong."""
    if key in ("scan", "bulletins"):
        if value is False:  # the job is switched off
            return ()
        texts = value if isinstance(value, list) else [value]
        if not texts:
            raise ValueError("give at least one 'DAYS HH:MM', or false for none")
        return tuple(parse_at(text) for text in texts)
    if key == "misfire_grace":
        return parse_duration(value)
    if key == "probe_timeout":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"must be a number of seconds > 0: {value!r}")
        return float(value)
    low, high = (0, 1440) if key == "probes_per_day" else (1, 256)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"must be an integer from {low} to {high}: {value!r}")
    return value

