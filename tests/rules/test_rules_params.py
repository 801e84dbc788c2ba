"""Check parameters as packs write them (rules.params): what each kind accepts, and the
windows and due days findings are judged by."""

from __future__ import annotations

import re
from datetime import date

import pytest

from govwatch.rules.params import (
    Boolean,
    Choice,
    Integer,
    Kind,
    ListOf,
    MapOf,
    MonthDay,
    MonthDayKind,
    Number,
    Param,
    Regex,
    Text,
    Window,
    WindowKind,
    as_date,
    convert_params,
)


@pytest.mark.parametrize(
    ("kind", "value", "converted"),
    [
        (Kind(), {"any": 1}, {"any": 1}),
        (Text(), "栏目", "栏目"),
        (Integer(), 0, 0),
        (Integer(5), 5, 5),
        (Number(), 0, 0.0),
        (Number(0, 100), 100, 100.0),
        (Number(0, 100), 2.5, 2.5),
        (Boolean(), False, False),
        (Choice(("a", "b")), "b", "b"),
        (Choice(lambda: ["late"]), "late", "late"),
        (ListOf(Text()), ["x"], ("x",)),
        (ListOf(Text(), min_items=0), [], ()),
        (MapOf(Text(), Integer()), {"news": 14}, {"news": 14}),
    ],
)
def test_each_kind_converts_what_it_accepts(kind, value, converted):
    result = kind.convert(value)
    assert result == converted and type(result) is type(converted)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (Text(), "  ", "must be a string, not '  '"),
        (Text(), 3, "must be a string, not 3"),
        (Integer(), -1, "must be an integer >= 0, not -1"),
        (Integer(5), 4, "must be an integer >= 5, not 4"),
        (Integer(), True, "must be an integer >= 0, not True"),
        (Integer(), 1.5, "must be an integer >= 0, not 1.5"),
        (Number(), -0.5, "must be a number >= 0, not -0.5"),
        (Number(0, 100), 100.5, "must be a number from 0 to 100, not 100.5"),
        (Number(0, 100), False, "must be a number from 0 to 100, not False"),
        (Number(0, 100), "5", "must be a number from 0 to 100, not '5'"),
        (Boolean(), "true", "must be true or false (unquoted), not 'true'"),
        (Regex(), "", "must be a regular expression string, not ''"),
        (Regex(), 5, "must be a regular expression string, not 5"),
        (Choice(("a", "b")), "c", "must be one of a, b, not 'c'"),
        (ListOf(Text()), [], "must be a list of a string (at least 1), not []"),
        (ListOf(Text()), "x", "must be a list of a string (at least 1), not 'x'"),
        (MapOf(Text(), Integer()), {}, "must be a mapping of a string to an integer >= 0"),
        (MapOf(Text(), Integer()), [1], "must be a mapping of a string to an integer >= 0"),
        (WindowKind(), "0d", "must be a window such as 14d, 2w, 6m or 1y, not '0d'"),
        (WindowKind(), "14", "must be a window"),
        (WindowKind(), 14, "must be a window"),
        (MonthDayKind(), "1-31", "must be a month-day MM-DD such as 01-31 (quoted), not '1-31'"),
        (MonthDayKind(), 131, "must be a month-day"),
    ],
)
def test_each_kind_refuses_what_it_does_not_accept(kind, value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        kind.convert(value)


def test_a_bad_regex_says_why():
    with pytest.raises(ValueError, match=r"bad regular expression '\(': missing \)"):
        Regex().convert("(")


@pytest.mark.parametrize("value", ["01-01", "12-31", "02-29", "04-30"])
def test_a_month_day_is_any_day_of_a_leap_year(value):
    assert str(MonthDayKind().convert(value)) == value


@pytest.mark.parametrize("value", ["00-10", "13-01", "01-00", "01-32", "02-30", "04-31"])
def test_a_month_day_that_is_no_day_of_the_year_is_refused(value):
    with pytest.raises(ValueError, match=f"'{value}' is not a day of the year"):
        MonthDayKind().convert(value)


def test_a_due_day_past_a_short_months_end_is_that_months_last_day():
    assert MonthDay(2, 29).in_year(2026) == date(2026, 2, 28)
    assert MonthDay(2, 29).in_year(2028) == date(2028, 2, 29)
    assert MonthDay(1, 31).in_year(2026) == date(2026, 1, 31)


@pytest.mark.parametrize(
    ("written", "as_of", "cutoff", "chinese"),
    [
        ("14d", "2026-11-24", "2026-11-10", "14天"),
        ("2w", "2026-11-24", "2026-11-10", "2周"),
        ("6m", "2026-08-31", "2026-02-28", "6个月"),
        ("6m", "2028-08-31", "2028-02-29", "6个月"),
        ("1m", "2026-03-31", "2026-02-28", "1个月"),
        ("1m", "2026-01-15", "2025-12-15", "1个月"),
        ("1y", "2026-11-24", "2025-11-24", "1年"),
        ("1y", "2028-02-29", "2027-02-28", "1年"),
        ("2y", "2026-01-01", "2024-01-01", "2年"),
    ],
)
def test_window_cutoff_is_the_oldest_day_inside_the_window(written, as_of, cutoff, chinese):
    window = WindowKind().convert(written)
    assert window == Window(int(written[:-1]), written[-1]) and str(window) == written
    assert window.cutoff(date.fromisoformat(as_of)) == date.fromisoformat(cutoff)
    assert window.chinese() == chinese


def test_a_window_is_stale_only_before_its_cutoff_or_with_nothing_dated():
    window, as_of = Window(14, "d"), date(2026, 11, 24)
    assert not window.is_stale(date(2026, 11, 10), as_of)
    assert window.is_stale(date(2026, 11, 9), as_of)
    assert window.is_stale(None, as_of)


def test_convert_params_fills_defaults_and_lists_every_problem():
    declared = {"window": Param(WindowKind()), "fallback": Param(Boolean(), False, True),
                "at_least": Param(Integer(1))}
    converted, problems = convert_params(declared, {"window": "2w", "at_least": 0, "typo": 1})
    assert converted == {"window": Window(2, "w"), "fallback": True}
    assert problems == [
        ("typo", "unknown param 'typo' (known: window, fallback, at_least)"),
        ("at_least", "param at_least: must be an integer >= 1, not 0"),
    ]
    assert convert_params({}, {"x": 1})[1] == [("x", "unknown param 'x' (known: none)")]
    assert convert_params(declared, {})[1] == [
        (None, "missing param 'window' (a window such as 14d, 2w, 6m or 1y)"),
        (None, "missing param 'at_least' (an integer >= 1)"),
    ]


def test_as_date_reads_yaml_dates_and_quoted_ones():
    assert as_date(date(2025, 1, 31)) == date(2025, 1, 31)
    assert as_date("2025-01-31") == date(2025, 1, 31)
    assert as_date(None) is None
    with pytest.raises(ValueError, match="not a date YYYY-MM-DD: '31/01/2025'"):
        as_date("31/01/2025")
