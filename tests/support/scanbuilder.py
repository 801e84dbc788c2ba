"""Build small, real scan databases for rule tests, through govwatch.db only (no mocks).

A ScanBuilder starts a scan of its sites, and each site gets a healthy home page (a fresh
dated item, a full set of valid footer identifiers) unless a test says otherwise; tests
then add exactly what they judge — columns, pages, links — and ``complete()`` finalises the
scan the way the crawler's runner does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from govwatch.core import scans
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus, SiteStatus
from govwatch.crawler import store as crawl_store
from govwatch.rules.catalogue import SiteRules, load_catalogue
from govwatch.rules.engine import evaluate
from govwatch.rules.model import Finding
from govwatch.rules.scanview import ScanView

AS_OF = date(2026, 11, 24)
GOOD_FOOTER: dict[str, Any] = {
    "icp": {"raw": "陇ICP备05000123号", "link": "https://beian.miit.gov.cn/"},
    "psb": {"raw": "甘公网安备62090202000584号",
            "link": "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62090202000584"},
    "site_code": "6209000038", "site_code_meta": "6209000038", "conac": "CA000000000000000000001",
    "jiucuo": {"raw": '<script id="_jiucuo_" sitecode="6209000038" '
                      'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">',
               "value": "6209000038"},
    "sponsor": "某某县人民政府",
}


def days_ago(n: int, as_of: date = AS_OF) -> str:
    """The ISO date *n* days before *as_of*."""
    return (as_of - timedelta(days=n)).isoformat()


def home_url(site: str) -> str:
    return f"http://{site}.gov.cn/"


class ScanBuilder:
    """One scan of sites ``a``, ``b``… in a database at *path*."""

    def __init__(self, path: Path, sites: Sequence[str] = ("a",), as_of: date = AS_OF,
                 healthy_home: bool = True, regions: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.db = open_db(path)
        self.as_of = as_of
        regions = regions or {}
        self.scan_id = crawl_store.start_scan(
            self.db, [Site(id=s, name=f"站点{s}", url=home_url(s), unit=f"单位{s}",
                           region=regions.get(s)) for s in sites],
            as_of.isoformat(),
        )
        if healthy_home:
            for site in sites:
                self.home(site, items=[("今日要闻", days_ago(1, as_of))])

    def rows(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        crawl_store.write_rows(self.db, table, [{"scan_id": self.scan_id, **r} for r in rows])

    def home(self, site: str, items: Sequence[tuple[str, str | None]] = (), text: str = "首页",
             footer: dict[str, Any] | None = None) -> None:
        """The home page: its dated items (title, date), its text and its footer facts.

        *footer* overrides GOOD_FOOTER per kind: None = missing, (raw, problem) = malformed
        by the crawler's judgement, a string = the value as found, a dict = the row's fields
        (raw; value, problem, link, note when not the defaults).
        """
        url = home_url(site)
        self.page(site, url, title=f"站点{site}首页", text=text, depth=0, html=f"<p>{text}</p>")
        self.rows("items", [
            {"site_id": site, "page_url": url, "column_url": None,
             "url": f"{url}home/{n}.html", "title": title, "date": when}
            for n, (title, when) in enumerate(items)
        ])
        facts = {**GOOD_FOOTER, **(footer or {})}
        self.rows("footer_facts", [_fact(site, url, kind, fact) for kind, fact in facts.items()])

    def page(self, site: str, url: str, title: str | None = None, text: str | None = None,
             depth: int = 1, pub_date: str | None = None, kind: str = "html",
             html: str | None = None) -> None:
        self.rows("pages", [{
            "site_id": site, "url": url, "status": 200, "content_type": "text/html",
            "kind": kind, "title": title, "pub_date": pub_date, "depth": depth,
        }])
        if text is not None:
            self.rows("page_texts", [{"site_id": site, "url": url, "text": text, "html": html}])

    def column(self, site: str, name: str, column_class: str, dates: Sequence[str | None] = (),
               role: str = "list", empty_note: str | None = None, slug: str | None = None,
               titles: Sequence[str] = ()) -> str:
        """A column (one list page) with items dated *dates*; returns its URL."""
        url = f"{home_url(site)}{slug or name}/"
        self.page(site, url, title=name, text=f"{name} 列表")
        self.rows("column_pages", [{
            "site_id": site, "column_url": url, "page_url": url, "page_no": 0, "name": name,
            "name_source": "nav", "class": column_class, "role": role,
            "empty_note": empty_note, "item_count": len(dates),
        }])
        self.rows("items", [
            {"site_id": site, "page_url": url, "column_url": url, "url": f"{url}{n}.html",
             "title": titles[n] if n < len(titles) else f"{name}信息{n}", "date": when}
            for n, when in enumerate(dates)
        ])
        return url

    def link(self, site: str, source: str, target: str, anchor: str = "",
             kind: str = "page", result: str | None = None, status: int | None = None,
             error: str | None = None, final_url: str | None = None) -> None:
        self.rows("links", [{"site_id": site, "source_url": source, "target_url": target,
                             "anchor_text": anchor, "kind": kind}])
        if result is not None:
            self.rows("link_checks", [{"target_url": target, "result": result,
                                       "status_code": status, "error": error,
                                       "final_url": final_url}])

    def document(self, site: str, url: str, source: str, parts: Sequence[tuple[str, str]],
                 fmt: str = "pdf", status: str = "read") -> None:
        """An attachment linked from *source*, read as *parts* (label, text) as the crawl
        stores it (its content by a hash of its texts)."""
        import hashlib

        digest = hashlib.blake2b(repr((fmt, list(parts))).encode(), digest_size=16).hexdigest()
        self.rows("documents", [{
            "site_id": site, "url": url, "source_url": source, "status": status,
            "format": fmt, "hash": digest, "size": 1, "parts": list(parts), "extracted": 1}])

    def unreachable(self, site: str) -> None:
        crawl_store.set_site_status(self.db, self.scan_id, site, SiteStatus.UNREACHABLE,
                              None, "timeout")

    def complete(self) -> int:
        # Links are checked only where a test says how (result=…): as a crawl with link
        # checks off, an unchecked target does not make the site partial.
        crawl_store.finalize_scan(self.db, self.scan_id, verify_links=False)
        crawl_store.mark_scan(self.db, self.scan_id, ScanStatus.COMPLETE)
        return self.scan_id

    def findings(self, rule_id: str | None = None, packs: Sequence[str | Path] = (),
                 as_of: date | None = None, overrides: dict[str, SiteRules] | None = None
                 ) -> list[Finding]:
        """Complete the scan (once) and evaluate it: every finding, or those of *rule_id*."""
        if scans.scan_row(self.db, self.scan_id)["status"] != ScanStatus.COMPLETE:
            self.complete()
        with ScanView.open(self.path, self.scan_id, as_of) as scan:
            found = evaluate(scan, load_catalogue(packs), overrides)
        return [f for f in found if rule_id is None or f.rule_id == rule_id]


def _fact(site: str, url: str, kind: str, fact: Any) -> dict[str, Any]:
    row = {"site_id": site, "page_url": url, "kind": kind}
    if isinstance(fact, dict):
        problem = fact.get("problem")
        return {**row, "raw": fact["raw"], "value": fact.get("value", fact["raw"]),
                "valid": int(problem is None), "problem": problem, "link": fact.get("link"),
                "note": fact.get("note")}
    if fact is None:
        return {**row, "raw": None, "value": None, "valid": 0, "problem": "missing"}
    if isinstance(fact, tuple):
        return {**row, "raw": fact[0], "value": fact[0], "valid": 0, "problem": fact[1]}
    return {**row, "raw": fact, "value": fact, "valid": 1, "problem": None}
