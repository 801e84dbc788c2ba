"""Parameter types of checks: how a value written in a pack is validated and converted.

A check declares its parameters as ``{name: Param(kind, required, default)}``; the catalogue
converts each written value with ``kind.convert`` and reports a ValueError's message as a
RuleError naming file, line and rule. Kinds: ``Text``, ``Integer``, ``Number``, ``Boolean``,
``Regex`` (compiled), ``Window`` (``14d``, ``2w``, ``6m``, ``1y``), ``MonthDay``
(``01-31``), ``Choice``, ``ListOf``, ``MapOf``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


class Kind:
    """A parameter type: ``convert`` returns the Python value or raises ValueError."""

    name = "value"

    def convert(self, value: Any) -> Any:
        return value


class Text(Kind):
    name = "a string"

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"must be {self.name}, not {value!r}")
        return value


class Integer(Kind):
    def __init__(self, minimum: int = 0) -> None:
        self.minimum = minimum
        self.name = f"an integer >= {minimum}"

    def convert(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            raise ValueError(f"must be {self.name}, not {value!r}")
        return value


class Number(Kind):
    """An integer or a decimal (such as a percentage, 2.5) from *minimum* to *maximum*."""

    def __init__(self, minimum: float = 0, maximum: float | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum
        self.name = (f"a number from {minimum:g} to {maximum:g}" if maximum is not None
                     else f"a number >= {minimum:g}")

    def convert(self, value: Any) -> float:
        if (isinstance(value, bool) or not isinstance(value, int | float) or value < self.minimum
                or (self.maximum is not None and value > self.maximum)):
            raise ValueError(f"must be {self.name}, not {value!r}")
        return float(value)


class Boolean(Kind):
    name = "true or false"

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false (unquoted), not {value!r}")
        return value


class Regex(Kind):
    name = "a regular expression"

    def convert(self, value: Any) -> re.Pattern[str]:
        if not isinstance(value, str) or not value:
            raise ValueError(f"must be a regular expression string, not {value!r}")
        try:
            return re.compile(value)
        except re.error as error:
            raise ValueError(f"bad regular expression {value!r}: {error}") from None


class Choice(Kind):
    """One of a fixed set of words; *values* may be a callable read at validation time (a
    registry that grows as modules register)."""

    def __init__(self, values: Iterable[str] | Callable[[], Iterable[str]]) -> None:
        self._values = values

    @property
    def values(self) -> list[str]:
        return list(self._values() if callable(self._values) else self._values)

    @property
    def name(self) -> str:
        return "one of " + ", ".join(self.values)

    def convert(self, value: Any) -> str:
        if value not in self.values:
            raise ValueError(f"must be {self.name}, not {value!r}")
        return str(value)


class ListOf(Kind):
    def __init__(self, item: Kind, min_items: int = 1) -> None:
        self.item, self.min_items = item, min_items
        self.name = f"a list of {item.name}"

    def convert(self, value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) < self.min_items:
            raise ValueError(f"must be {self.name} (at least {self.min_items}), not {value!r}")
        return tuple(self.item.convert(v) for v in value)


class MapOf(Kind):
    def __init__(self, key: Kind, value: Kind) -> None:
        self.key, self.value = key, value
        self.name = f"a mapping of {key.name} to {value.name}"

    def convert(self, value: Any) -> dict[Any, Any]:
        if not isinstance(value, dict) or not value:
            raise ValueError(f"must be {self.name}, not {value!r}")
        return {self.key.convert(k): self.value.convert(v) for k, v in value.items()}


@dataclass(frozen=True)
class Window:
    """A span of days, weeks, months or years back from a date (an update window)."""

    amount: int
    unit: str  # d | w | m | y

    def cutoff(self, as_of: date) -> date:
        """The oldest date still inside the window that ends at *as_of*.

        Months and years are calendar ones: 6 months before 31 August is 28 or 29 February.
        """
        if self.unit in "dw":
            return as_of - timedelta(days=self.amount * (7 if self.unit == "w" else 1))
        months = as_of.year * 12 + as_of.month - 1 - self.amount * (12 if self.unit == "y" else 1)
        year, month = divmod(months, 12)
        month += 1
        return date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))

    def is_stale(self, newest: date | None, as_of: date) -> bool:
        """True when *newest* (None: nothing dated) is older than the window at *as_of*."""
        return newest is None or newest < self.cutoff(as_of)

    def chinese(self) -> str:
        """The window as bulletins write it: 14天, 2周, 6个月, 1年."""
        return f"{self.amount}{_UNIT_NAMES[self.unit]}"

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


_UNIT_NAMES = {"d": "天", "w": "周", "m": "个月", "y": "年"}


class WindowKind(Kind):
    name = "a window such as 14d, 2w, 6m or 1y"
    _FORM = re.compile(r"(\d+)\s*([dwmy])")

    def convert(self, value: Any) -> Window:
        match = self._FORM.fullmatch(value.strip()) if isinstance(value, str) else None
        if not match or int(match[1]) == 0:
            raise ValueError(f"must be {self.name}, not {value!r}")
        return Window(int(match[1]), match[2])


@dataclass(frozen=True)
class MonthDay:
    """A day of the year such as 01-31 (a deadline in the year after a period)."""

    month: int
    day: int

    def in_year(self, year: int) -> date:
        return date(year, self.month, min(self.day, calendar.monthrange(year, self.month)[1]))

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


class MonthDayKind(Kind):
    name = "a month-day MM-DD such as 01-31"

    def convert(self, value: Any) -> MonthDay:
        match = re.fullmatch(r"(\d{2})-(\d{2})", value) if isinstance(value, str) else None
        if not match:
            raise ValueError(f"must be {self.name} (quoted), not {value!r}")
        month, day = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
            raise ValueError(f"{value!r} is not a day of the year")
        return MonthDay(month, day)


@dataclass(frozen=True)
class Param:
    """One declared parameter of a check."""

    kind: Kind
    required: bool = True
    default: Any = None
    doc: str = ""


def convert_params(
    declared: Mapping[str, Param], written: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """(converted params, problems); a problem is (param name or None, message).

    Unknown names, missing required ones and values of the wrong kind are all problems;
    optional params left out get their default.
    """
    problems: list[tuple[str | None, str]] = []
    converted: dict[str, Any] = {}
    for name in written:
        if name not in declared:
            known = ", ".join(declared) or "none"
            problems.append((name, f"unknown param {name!r} (known: {known})"))
    for name, param in declared.items():
        if name not in written:
            if param.required:
                problems.append((None, f"missing param {name!r} ({param.kind.name})"))
            else:
                converted[name] = param.default
            continue
        try:
            converted[name] = param.kind.convert(written[name])
        except ValueError as error:
            problems.append((name, f"param {name}: {error}"))
    return converted, problems


def as_date(value: Any) -> date | None:
    """A date written in a pack (YAML reads 2025-01-31 as a date; quoted, it is a string)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"not a date YYYY-MM-DD: {value!r}") from None
