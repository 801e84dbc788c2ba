"""Working days between two days (govwatch.core.workdays), as the rules on 解读 and 双公示
count them: holidays and 调休 from the official schedule, the first day not counted."""

from __future__ import annotations

from datetime import date, timedelta

from govwatch.core.workdays import add_working_days, known_years, working_days_between


def test_national_day_and_its_exchanged_saturday_are_counted_as_the_schedule_says():
    # 2026: 1–7 October off, Saturday 10 October worked
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 9)) == (2, False)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 13)) == (5, False)
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 15)) == (9, False)


def test_the_same_day_or_an_earlier_one_is_no_working_day():
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 2)) == (0, False)
    assert working_days_between(date(2026, 11, 2), date(2026, 10, 30)) == (0, False)


def test_it_undoes_add_working_days():
    start = date(2026, 9, 24)
    for count in range(1, 15):
        assert working_days_between(start, add_working_days(start, count).day)[0] == count


def test_beyond_the_known_years_weekdays_stand_in_and_say_so():
    first = date(known_years()[-1] + 1, 3, 2)
    took, estimated = working_days_between(first, first + timedelta(days=7))
    assert (took, estimated) == (5, True)
