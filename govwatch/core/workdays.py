"""Working days (工作日): rectification deadlines (限时整改), and the rules that judge how many
working days a site took (a 解读 after its policy, a 双公示 after its decision).

The ground floor owns the calendar, so reports and rules count the same days.

The official schedule — public holidays and the weekend days worked in exchange (调休) — comes
from the ``chinesecalendar`` package, which carries each year's State Council notice once it
is published. For a day in a year the package does not know yet, a working day is Monday to
Friday, and the deadline says so (``Deadline.estimated``) so the bulletin can print a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    """The last day to fix a problem, and whether Monday–Friday stood in for the schedule."""

    day: date
    estimated: bool = False  # some day counted lay beyond the years the schedule knows


@cache
def known_years() -> range:
    """The years whose holiday and 调休 schedule the calendar knows."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


@cache  # a rule counts the days between thousands of pairs: each day is looked up once
def is_working_day(day: date) -> tuple[bool, bool]:
    """(working day?, estimated?) for *day*; estimated when its year's schedule is unknown."""
    if day.year in known_years():
        return chinese_calendar.is_workday(day), False
    return day.weekday() < 5, True


def add_working_days(start: date, count: int) -> Deadline:
    """The *count*-th working day after *start* (the day of publication is not counted)."""
    day, estimated, left = start, False, count
    while left > 0:
        day += timedelta(days=1)
        working, guessed = is_working_day(day)
        estimated = estimated or guessed
        left -= working
    return Deadline(day, estimated)


def working_days_between(start: date, end: date) -> tuple[int, bool]:
    """(working days after *start* up to and including *end*, estimated?): 0 when *end* is
    not after *start*. A policy published on a Friday before 国庆 and read on the first
    working day after it took one working day."""
    count, estimated, day = 0, False, start
    while day < end:
        day += timedelta(days=1)
        working, guessed = is_working_day(day)
        estimated = estimated or guessed
        count += working
    return count, estimated
