"""Precision and recall of the footer rules on hand-labelled real footers (a script).

    python -m bench.footers [FOLDER]

FOLDER (default ``tests/crawler/fixtures/real/footers``) holds saved footers of real
government pages (``*.html``) and ``truth.yaml``, which says by hand which footer findings
an inspector signs on each (``findings``, and ``advisory`` for what is only worth a remark).
Each page is read by the crawler's footer extractor, stored as the home page of its own
site in a scan database, and judged by the built-in packs at 2026-11-24; the findings of
every ``footer.*`` rule are compared, page by page, with the truth.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lxml.html
import yaml

from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store
from govwatch.crawler.pages.footer import footer_facts
from govwatch.rules import store as rule_store
from govwatch.rules.engine import evaluate_scan

FOLDER = Path(__file__).resolve().parent.parent / "tests/crawler/fixtures/real/footers"
ADVISORY = "footer.format"  # fires where the truth lists remarks, not deductions
IDENTIFIER_RULES = ("footer.icp", "footer.psb", "footer.site_code", "footer.conac",
                    "footer.jiucuo")


@dataclass(frozen=True)
class Score:
    """One rule's figures over the pages: pages it should flag, flagged, flagged rightly."""

    rule: str
    truth: frozenset[str]
    found: frozenset[str]

    @property
    def precision(self) -> float | None:
        return len(self.truth & self.found) / len(self.found) if self.found else None

    @property
    def recall(self) -> float | None:
        return len(self.truth & self.found) / len(self.truth) if self.truth else None


def expected(truth: Mapping[str, Any]) -> dict[str, set[str]]:
    """Rule id -> the pages (file stems) an inspector flags with it."""
    out: dict[str, set[str]] = {}
    for page, label in truth.items():
        for rule in label["findings"]:
            out.setdefault(rule, set()).add(page)
        if label["advisory"]:
            out.setdefault(ADVISORY, set()).add(page)
    return out


def found_findings(pages: Mapping[str, bytes], db_path: Path) -> dict[str, set[str]]:
    """Rule id -> the sites its findings name: each of *pages* (site id -> HTML) is read by
    the footer extractor as that site's home page, and judged by the built-in packs."""
    db = open_db(db_path)
    sites = [Site(id=page, name=page, url=f"http://{page}.gov.cn/", unit=page) for page in pages]
    scan_id = store.start_scan(db, sites, "2026-11-24")
    for site in sites:
        tree = lxml.html.fromstring(pages[site.id])
        store.write_rows(db, "pages", [{
            "scan_id": scan_id, "site_id": site.id, "url": site.url, "status": 200,
            "content_type": "text/html", "kind": "html", "depth": 0,
        }])
        store.write_rows(db, "footer_facts", [
            {**asdict(fact), "kind": str(fact.kind), "scan_id": scan_id, "site_id": site.id,
             "page_url": site.url}
            for fact in footer_facts(tree)
        ])
    store.finalize_scan(db, scan_id, verify_links=False)
    store.mark_scan(db, scan_id, ScanStatus.COMPLETE)
    db.close()
    evaluate_scan(db_path, scan_id)
    out: dict[str, set[str]] = {}
    for row in rule_store.findings_of(open_db(db_path), scan_id):
        if row["rule"].startswith("footer."):
            out.setdefault(row["rule"], set()).add(row["site"])
    return out


def measure(folder: Path = FOLDER) -> list[Score]:
    """Every footer rule's score on the labelled pages of *folder*."""
    truth = yaml.safe_load((folder / "truth.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        pages = {page: (folder / f"{page}.html").read_bytes() for page in sorted(truth)}
        found = found_findings(pages, Path(tmp) / "scan.db")
    want = expected(truth)
    return [Score(rule, frozenset(want.get(rule, ())), frozenset(found.get(rule, ())))
            for rule in sorted(set(want) | set(found))]


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(folder: Path = FOLDER) -> None:
    scores = measure(folder)
    print(f"{'rule':18} {'truth':>5} {'found':>5} {'right':>5} {'precision':>9} {'recall':>6}")
    for s in scores:
        print(f"{s.rule:18} {len(s.truth):>5} {len(s.found):>5} {len(s.truth & s.found):>5} "
              f"{_ratio(s.precision):>9} {_ratio(s.recall):>6}")
        for page in sorted(s.found - s.truth):
            print(f"  false   {page}")
        for page in sorted(s.truth - s.found):
            print(f"  missed  {page}")
    for name, group in (("identifier rules", IDENTIFIER_RULES),
                        ("deduction rules", (*IDENTIFIER_RULES, "footer.mismatch"))):
        chosen = [s for s in scores if s.rule in group]
        found = sum(len(s.found) for s in chosen)
        right = sum(len(s.truth & s.found) for s in chosen)
        truth = sum(len(s.truth) for s in chosen)
        print(f"{name} together: precision {_ratio(right / found if found else None)} "
              f"recall {_ratio(right / truth if truth else None)} ({right} of {found} found "
              f"right, {truth} to find)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER)
