"""The registry of checks: every check a pack may name, registered with one decorator.

    @check("column_empty", params={...}, example=empty_example)
    def column_empty(scan: ScanView, rule: Rule) -> Iterable[Hit]: ...

A check is one of three kinds:

- ``scan``: ``fn(scan, rule) -> hits``, reading the scan through the read-only ScanView;
- ``batch``: ``fn(scan, rules) -> (rule, hit) pairs``, every rule of the check at once, so
  that text patterns read ``page_texts`` a single time per scan;
- ``aggregate``: ``fn(rule, findings) -> hits`` over the findings of the rule named by its
  ``rule`` param (``count_at_least``), run after the rules it reads.

``example(rule, value) -> bool`` says whether one example input of a rule triggers it
(``govwatch rules test``); ``validate(rule) -> message | None`` checks params together.
The checks shipped with govwatch live in :mod:`rules.checks`, imported on first lookup.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govwatch.rules.params import Param


class CheckKind(enum.StrEnum):
    SCAN = "scan"
    BATCH = "batch"
    AGGREGATE = "aggregate"


@dataclass(frozen=True)
class Check:
    """A registered check: its function, its declared params and how it runs."""

    name: str
    run: Callable[..., Any]
    params: Mapping[str, Param] = field(default_factory=dict)
    kind: CheckKind = CheckKind.SCAN
    example: Callable[[Any, Any], bool] | None = None
    validate: Callable[[Any], str | None] | None = None
    every_site: bool = False  # also over sites whose home page did not answer
    doc: str = ""


_CHECKS: dict[str, Check] = {}


def check(
    name: str, *, params: Mapping[str, Param] | None = None, kind: CheckKind = CheckKind.SCAN,
    example: Callable[[Any, Any], bool] | None = None,
    validate: Callable[[Any], str | None] | None = None, every_site: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the check *name* (see the module docstring)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in _CHECKS:
            raise ValueError(f"check {name!r} is registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()
        _CHECKS[name] = Check(name, fn, dict(params or {}), kind, example, validate,
                              every_site, doc[0] if doc else "")
        return fn

    return register


def registered() -> Mapping[str, Check]:
    """Every registered check by name (the built-in ones included)."""
    import govwatch.rules.checks  # noqa: F401  (registers the built-in checks)

    return _CHECKS
