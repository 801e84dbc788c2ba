"""The rule engine's types: severities, rules, packs, hits and findings, and their errors.

A *rule* is one entry of a YAML pack (``rules/packs/*.yaml``); a *hit* is what a check
reports about one site; a *finding* is a hit stamped with its rule (severity, points, title,
pack version) and a fingerprint, as stored in the ``findings`` table. The fingerprint is
sha1 of site + rule + normalised subject URL, so the same problem keeps its fingerprint from
scan to scan (the tracker follows it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from govwatch.core.config import ConfigError
from govwatch.core.vocabulary import Severity

__all__ = [
    "AppliesTo", "Example", "Finding", "Hit", "Pack", "Rule", "RuleError", "Severity",
    "evidence_list", "fingerprint", "normalise_subject",
]


class RuleError(ConfigError):
    """A problem in a rule pack (or a per-site override of one).

    ``str(e)`` is one line: ``FILE:LINE: rule ID: message`` (each part only when known).
    A rule pack is configuration, so the CLI treats it like a bad sites file: exit 2.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 rule: str | None = None) -> None:
        super().__init__(message, path, line)
        self.rule = rule
        self.args = (message, path, line, rule)  # all args, so it pickles whole

    def __str__(self) -> str:
        where = "".join(f"{part}:" for part in (self.path, self.line) if part is not None)
        who = f"rule {self.rule}: " if self.rule else ""
        return f"{where} {who}{self.message}".lstrip()


@dataclass(frozen=True)
class AppliesTo:
    """Which sites and column classes a rule is limited to (empty = no limit)."""

    sites: frozenset[str] = frozenset()
    column_classes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Example:
    """One input of a rule's ``examples``: it must trigger the rule (``fail``) or not."""

    value: Any
    must_trigger: bool
    line: int


@dataclass(frozen=True)
class Rule:
    """One validated rule of a pack; ``params`` are converted (regexes compiled, windows
    parsed), ``raw_params`` are as written, so a per-site override can be merged and
    validated again."""

    id: str
    title: str
    severity: Severity
    points: float
    check: str
    params: Mapping[str, Any]
    raw_params: Mapping[str, Any]
    pack: str
    pack_version: str
    path: Path
    line: int
    applies_to: AppliesTo = AppliesTo()
    examples: tuple[Example, ...] = ()
    basis: str = ""  # 依据: the text and item the rule comes from

    def error(self, message: str, line: int | None = None) -> RuleError:
        """A RuleError about this rule, at *line* or at the rule's own line."""
        return RuleError(message, self.path, line or self.line, self.id)

    def with_params(self, params: Mapping[str, Any], raw_params: Mapping[str, Any]) -> Rule:
        """A copy of this rule with other (already validated) params."""
        return replace(self, params=params, raw_params=raw_params)


@dataclass(frozen=True)
class Pack:
    """A loaded rule pack file."""

    name: str
    version: str
    title: str
    path: Path
    rules: tuple[Rule, ...]
    enabled: bool = True  # a site config may switch it on or off per site


@dataclass(frozen=True)
class Hit:
    """What a check reports about one site; the engine turns it into a Finding.

    ``subject_url`` None means the site itself (its home page URL). ``facts`` are values
    other rules may aggregate on (``count_at_least`` … ``where``), such as a column's class.
    """

    site_id: str
    subject_url: str | None = None
    source_url: str | None = None
    detail: str = ""
    evidence: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A problem one rule found on one site in one complete scan (a ``findings`` row)."""

    scan_id: int
    site_id: str
    rule_id: str
    severity: Severity
    points: float
    subject_url: str
    source_url: str | None
    title: str
    detail: str
    evidence: str
    pack: str
    pack_version: str
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def fingerprint(self) -> str:
        """sha1 of site + rule + normalised subject: the same problem across scans."""
        return fingerprint(self.site_id, self.rule_id, self.subject_url)

    def row(self) -> dict[str, Any]:
        """The ``findings`` table row."""
        return {
            "scan_id": self.scan_id, "site_id": self.site_id, "rule_id": self.rule_id,
            "severity": str(self.severity), "points": self.points,
            "subject_url": self.subject_url, "source_url": self.source_url, "title": self.title,
            "detail": self.detail, "evidence": self.evidence, "fingerprint": self.fingerprint,
            "pack": self.pack, "pack_version": self.pack_version,
        }


_INDEX_PAGE = re.compile(r"(?<=/)index\.s?html?$", re.I)  # index.html, .htm, .shtml


def normalise_subject(url: str) -> str:
    """*url* with scheme and host lowercased, no fragment and no trailing index page.

    ``HTTP://Site.gov.cn/a/index.html#top`` and ``http://site.gov.cn/a/`` are one subject;
    so are ``/a/index.shtml`` and ``/a/`` (county CMSs serve their lists as ``.shtml``).
    """
    parts = urlsplit(url.strip())
    path = _INDEX_PAGE.sub("", parts.path)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path or "/", parts.query, ""))


def fingerprint(site_id: str, rule_id: str, subject_url: str) -> str:
    """The fingerprint of a finding: sha1 hex of site, rule and normalised subject."""
    key = "\n".join((site_id, rule_id, normalise_subject(subject_url)))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def newest_evidence(newest: str | None, items: int) -> str:
    """Evidence of a freshness finding: the newest item's date and how many items were read
    (最新信息日期 2026-11-21，共 12 条)."""
    return (f"最新信息日期 {newest}，" if newest else "信息均未注明日期，") + f"共 {items} 条"


def evidence_list(items: Sequence[str], most: int, total: int | None = None) -> str:
    """The first *most* of *items*, space-separated, and how many more there are (of
    *total*, when *items* is already cut short), in Chinese: ``a b c（另有 2 项）``."""
    extra = (len(items) if total is None else total) - most
    return " ".join(items[:most]) + (f"（另有 {extra} 项）" if extra > 0 else "")
