"""Evaluate the rule packs over one complete scan and store its findings.

:func:`evaluate` runs every rule of a catalogue over a :class:`~rules.scanview.ScanView`
and returns the findings, sorted and without duplicates (one per fingerprint), so the same
scan, packs and date always give the same findings. :func:`evaluate_scan` is the library
entry point behind ``govwatch evaluate`` and the end of ``govwatch scan``: it opens the
scan read-only, evaluates, and replaces the scan's findings in the database.

Order: batch checks (every ``pattern`` rule in one pass), then scan checks, then
aggregates (``count_at_least``) after the rules they count. A rule only reports sites
whose home page answered (``scan_sites.status = ok``), except checks registered with
``every_site`` (``site_status``). Per-site overrides (:class:`~rules.catalogue.SiteRules`)
switch packs on or off and change params for one site.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from govwatch.core.schema import now_iso, open_db
from govwatch.rules import store
from govwatch.rules.catalogue import Catalogue, SiteRules, load_catalogue
from govwatch.rules.model import Finding, Hit, Rule
from govwatch.rules.registry import CheckKind, registered
from govwatch.rules.scanview import ScanView

Run = tuple[Rule, frozenset[str]]  # a rule (variant) and the sites it runs for


def evaluate(scan: ScanView, catalogue: Catalogue,
             overrides: Mapping[str, SiteRules] | None = None) -> list[Finding]:
    """Every finding of *catalogue*'s rules on *scan*, sorted by site, rule and subject."""
    checks = registered()
    runs = [_eligible(scan, rule, sites) for rule, sites in
            catalogue.variants(sorted(scan.sites), overrides)]
    found: dict[str, list[Finding]] = defaultdict(list)

    def keep(rule: Rule, sites: frozenset[str], hits: Iterable[Hit]) -> None:
        found[rule.id] += [_finding(scan, rule, hit) for hit in hits if hit.site_id in sites]

    batches: dict[str, list[Run]] = defaultdict(list)
    for rule, sites in runs:
        if checks[rule.check].kind is CheckKind.BATCH:
            batches[rule.check].append((rule, sites))
    for name, batch in batches.items():
        by_rule: dict[int, list[Hit]] = defaultdict(list)
        for rule, hit in checks[name].run(scan, batch):
            by_rule[id(rule)].append(hit)
        for rule, sites in batch:
            keep(rule, sites, by_rule[id(rule)])
    for rule, sites in runs:  # in catalogue order: aggregates after what they count
        kind = checks[rule.check].kind
        if kind is CheckKind.SCAN:
            keep(rule, sites, checks[rule.check].run(scan, rule))
        elif kind is CheckKind.AGGREGATE:
            keep(rule, sites, checks[rule.check].run(rule, found[rule.params["rule"]]))
    unique: dict[str, Finding] = {}
    for rule_findings in found.values():
        for finding in rule_findings:
            unique.setdefault(finding.fingerprint, finding)
    return sorted(unique.values(), key=lambda f: (f.site_id, f.rule_id, f.subject_url,
                                                  f.fingerprint))


def _eligible(scan: ScanView, rule: Rule, sites: frozenset[str]) -> Run:
    """*sites* without those whose home page did not answer, unless the check runs on all."""
    if registered()[rule.check].every_site:
        return rule, sites
    return rule, frozenset(s for s in sites if scan.sites[s].reachable)


def _finding(scan: ScanView, rule: Rule, hit: Hit) -> Finding:
    return Finding(
        scan_id=scan.scan_id, site_id=hit.site_id, rule_id=rule.id, severity=rule.severity,
        points=rule.points, subject_url=hit.subject_url or scan.home_url(hit.site_id),
        source_url=hit.source_url, title=rule.title, detail=hit.detail, evidence=hit.evidence,
        pack=rule.pack, pack_version=rule.pack_version, facts=hit.facts,
    )


def evaluate_scan(
    db_path: str | Path, scan_id: int | None = None, as_of: date | None = None,
    packs: Sequence[str | Path] = (), overrides: Mapping[str, SiteRules] | None = None,
) -> dict[str, Any]:
    """Evaluate the built-in packs and *packs* over scan *scan_id* (default: the latest
    complete one) judged at *as_of* (default: the scan's date), replace that scan's
    findings in the database, and return a summary: scan, as_of, packs, findings, sites,
    by_severity, by_rule.

    RuleError for a bad pack or override, ScanError when the scan is missing or not
    complete.
    """
    catalogue = load_catalogue(packs)
    if Path(db_path).exists():  # an older database gets its migrations before it is read
        open_db(db_path).close()
    with ScanView.open(db_path, scan_id, as_of) as scan:
        findings = evaluate(scan, catalogue, overrides)
        scan_id, judged_at = scan.scan_id, scan.as_of
    versions = {pack.name: pack.version for pack in catalogue.packs}
    db = open_db(db_path)
    try:
        store.write_findings(db, scan_id, (f.row() for f in findings), {
            "as_of": judged_at.isoformat(), "packs": json.dumps(versions, ensure_ascii=False),
            "evaluated_at": now_iso(),
        })
    finally:
        db.close()
    return {
        "scan": scan_id, "as_of": judged_at.isoformat(), "packs": versions,
        "findings": len(findings), "sites": len({f.site_id for f in findings}),
        "by_severity": dict(sorted(Counter(str(f.severity) for f in findings).items())),
        "by_rule": dict(sorted(Counter(f.rule_id for f in findings).items())),
    }
