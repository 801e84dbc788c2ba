"""Every default of reports/, read from the ``rectification:`` mapping of govwatch.yaml.

Keys (all optional):

    deadline_working_days  integer >= 1     5    限时整改: working days from publication
    pass_line              number 0..100    60   a score below it is 不合格 (some provinces: 80)
    total_points           number > 0       100  deductions never exceed it
    indicator_caps         mapping          {}   indicator (rule id before the first dot) →
                                                 its total; deductions inside one indicator
                                                 never exceed it
    issuer                 string           政府网站监管办公室  the office printed on bulletins
    trend_bulletins        integer >= 1     8    bulletins in the scorecard's trend chart
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from govwatch.reports import ReportError


@dataclass(frozen=True)
class ReportSettings:
    """The knobs of tracking, bulletins and scorecards."""

    deadline_working_days: int = 5
    pass_line: float = 60
    total_points: float = 100
    indicator_caps: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    issuer: str = "政府网站监管办公室"
    trend_bulletins: int = 8

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any] | None) -> ReportSettings:
        """Settings from a ``rectification:`` mapping; ReportError names a bad key or value."""
        raw = dict(raw or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ReportError(f"rectification: unknown key {unknown[0]!r} "
                              f"(known: {', '.join(sorted(known))})")
        for key in ("deadline_working_days", "trend_bulletins"):
            value = raw.get(key, 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ReportError(f"rectification: {key} must be a positive integer: {value!r}")
        for key in ("pass_line", "total_points"):
            value = raw.get(key, 1)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ReportError(f"rectification: {key} must be a number >= 0: {value!r}")
        caps = raw.get("indicator_caps", {})
        if not isinstance(caps, Mapping) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in caps.values()
        ):
            raise ReportError("rectification: indicator_caps must map indicator ids to points")
        if "indicator_caps" in raw:
            raw["indicator_caps"] = MappingProxyType({str(k): float(v) for k, v in caps.items()})
        return cls(**raw)
