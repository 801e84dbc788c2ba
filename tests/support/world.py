"""A small world for the report tests: real SQLite databases filled through govwatch.db.

``World`` records sites and scans the way the crawler and the rule engine do (scan rows, site
statuses, fetched pages, findings), so the tracker, bulletins and scorecards run on what they
will meet in production. tests/reports/test_reports_world.py checks the world itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govwatch.core.compact import Ids
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus, Severity, SiteStatus
from govwatch.crawler import store as crawl_store
from govwatch.rules import store as rules_store

SITES = (
    Site("xy-jtj", "咸阳市交通运输局", "http://jtj.xianyang.example/", "咸阳市交通运输局"),
    Site("xy-sx", "某某县人民政府", "http://www.sx.example/", "咸阳市某某县人民政府"),
)


@dataclass(frozen=True)
class Finding:
    """What a rule reports: a problem of one site about one subject."""

    site: str
    rule: str
    subject: str | None = None
    title: str = "问题"
    severity: Severity = Severity.DEDUCTION
    points: float = 1.0
    source: str | None = None
    evidence: str = ""

    def row(self, scan_id: int) -> dict[str, Any]:
        """The ``findings`` row the rule engine would write."""
        return {
            "scan_id": scan_id, "site_id": self.site, "rule_id": self.rule,
            "severity": self.severity, "points": self.points, "subject_url": self.subject,
            "source_url": self.source or self.subject, "title": self.title,
            "detail": self.evidence, "evidence": self.evidence,
            "fingerprint": f"{self.site}|{self.rule}|{self.subject or ''}",
            "pack": "gov-2019", "pack_version": "1",
        }


class World:
    """A database with sites and the scans recorded into it."""

    def __init__(self, path: Path, sites: Iterable[Site] = SITES) -> None:
        self.path = path
        self.db = open_db(path)
        self.sites = {site.id: site for site in sites}
        # every page a scan has fetched of each site: a whole crawl fetches them all again
        self.known: dict[str, set[str]] = {site.id: {site.url} for site in self.sites.values()}

    def scan(
        self, as_of: str, findings: Iterable[Finding] = (), *,
        status: ScanStatus = ScanStatus.COMPLETE,
        site_status: Mapping[str, SiteStatus] | None = None,
        pages: Mapping[str, Iterable[str]] | None = None, only: Iterable[str] = (),
        unfetched: Mapping[str, Iterable[str]] | None = None, articles: int = 0,
    ) -> int:
        """Record one scan of every site (or *only* those) judged on *as_of*; return its id.

        A site answers (``ok``) unless *site_status* says otherwise. A site that answers is
        crawled whole: every page any scan of it fetched (its home page, the subjects and
        sources of its findings, *pages*) is fetched again, but those in *unfetched*. With
        *articles*, each site that answers also lists that many articles in a column, each
        stored with the whole reading a crawl keeps (see :meth:`articles`).
        """
        site_status = site_status or {}
        sites = [s for s in self.sites.values() if s.id in only] if only else self.sites.values()
        scan_id = crawl_store.start_scan(self.db, list(sites), as_of)
        findings = list(findings)
        for site in sites:
            answered = site_status.get(site.id, SiteStatus.OK)
            crawl_store.set_site_status(self.db, scan_id, site.id, answered)
            if answered not in (SiteStatus.OK, SiteStatus.PARTIAL):
                continue  # nothing fetched (a partial crawl fetched some pages)
            known = self.known[site.id]
            known |= set((pages or {}).get(site.id, ()))
            known |= {url for f in findings if f.site == site.id for url in (f.subject, f.source)
                      if url}
            urls = known - set((unfetched or {}).get(site.id, ()))
            crawl_store.write_rows(self.db, "pages", [
                {"scan_id": scan_id, "site_id": site.id, "url": url, "status": 200,
                 "kind": "html", "depth": 0 if url == site.url else 1} for url in sorted(urls)
            ])
            self.articles(scan_id, site, articles)
            if answered == SiteStatus.PARTIAL:  # a link the crawl found but never settled
                crawl_store.write_rows(self.db, "links", [
                    {"scan_id": scan_id, "site_id": site.id, "source_url": site.url,
                     "target_url": site.url + "never-fetched.html", "kind": "page"}])
        rules_store.write_findings(self.db, scan_id, [f.row(scan_id) for f in findings],
                             {"as_of": as_of, "packs": "gov-2019", "evaluated_at": as_of})
        crawl_store.finalize_scan(self.db, scan_id)
        crawl_store.mark_scan(self.db, scan_id, status)
        return scan_id

    def articles(self, scan_id: int, site: Site, count: int) -> None:
        """Store *count* articles of *site* in scan *scan_id* as the crawl's writer does:
        a column (工作动态) listing them (and publishing a message and a decision), each
        article's page with its reading (text, links from the column and back home, footer
        facts; stored once for every scan that saw it the same), its link check, its
        ``page_cache`` row (the reading now lives in this scan), and the attachments of the
        column and its articles, read as text."""
        if not count:
            return
        column = f"{site.url}gzdt/"
        urls = [f"{column}t2026{n:04d}.html" for n in range(count)]
        row = {"site_id": site.id}

        def page(url: str, title: str) -> dict[str, Any]:
            return {**row, "url": url, "status": 200, "kind": "html", "title": title,
                    "depth": 2}

        def link(source: str, target: str) -> dict[str, Any]:
            return {**row, "source_url": source, "target_url": target,
                    "anchor_text": "工作动态", "kind": "page"}

        readings = [{
            "pages": [page(column, "工作动态")],
            "column_pages": [{**row, "column_url": column, "page_url": column, "page_no": 0,
                              "name": "工作动态", "role": "list", "item_count": count}],
            "items": [{**row, "page_url": column, "column_url": column, "url": url,
                       "title": f"工作动态{n}", "date": "2026-09-01"}
                      for n, url in enumerate(urls)],
            "links": [link(column, url) for url in urls],
            # a message and a decision the page publishes, so every reading part has rows
            "messages": [{**row, "page_url": column, "url": f"{column}#1",
                          "title": "关于工作动态的咨询", "asked": "2026-09-01",
                          "answered": "2026-09-03", "status": "answered", "board": "consult"}],
            "decisions": [{**row, "page_url": column, "url": f"{column}#1", "title": "某案",
                           "kind": "penalty", "decided": "2026-09-01",
                           "published": "2026-09-03"}],
        }]
        readings += [{
            "pages": [page(url, f"工作动态{n}")],
            "page_texts": [{**row, "url": url, "text": f"{site.name}工作动态{n}。"
                            + "为进一步做好政务公开工作，现将有关事项通知如下。" * 20}],
            "links": [link(url, site.url)],
            "footer_facts": [{**row, "page_url": url, "kind": "icp", "raw": "陕ICP备05000123号",
                              "value": "陕ICP备05000123号", "valid": 1}],
        } for n, url in enumerate(urls)]
        ids = Ids(self.db.conn)
        crawl_store.write_readings(self.db, scan_id, readings, ids)
        crawl_store.write_rows(self.db, "link_checks", [
            {"scan_id": scan_id, "target_url": url, "result": "ok", "status_code": 200}
            for url in urls], ids)
        crawl_store.write_rows(self.db, "page_cache", [
            {"url": url, "site_id": site.id, "etag": f'"{n}"', "scan_id": scan_id,
             "leads": "[]"} for n, url in enumerate(urls)], ids)
        # Their attachments, as the crawl's reader stores them: each article's notice (the
        # same content every scan: stored once), and the column's roster, which changes
        # every scan (a content only its scan holds).
        notices = [{**row, "url": url.replace(".html", ".pdf"), "source_url": url,
                    "status": "read", "format": "pdf", "hash": f"{n:032x}", "size": 100,
                    "parts": [("第1页", f"{site.name}通知{n}")]} for n, url in enumerate(urls)]
        roster = {**row, "url": f"{column}roster.xlsx", "source_url": column, "status": "read",
                  "format": "xlsx", "hash": f"{scan_id:016x}{len(site.id):016x}", "size": 100,
                  "parts": [("Sheet1", f"名单\n第{scan_id}次")]}
        crawl_store.write_rows(self.db, "documents", [
            {**doc, "scan_id": scan_id, "extracted": 1} for doc in (*notices, roster)], ids)


CITY_SITES = (*SITES, Site("xy-rsj", "咸阳市人力资源和社会保障局", "http://rsj.xianyang.example/",
                           "咸阳市人力资源和社会保障局"))
JTJ, SX, RSJ = "http://jtj.xianyang.example/", "http://www.sx.example/", "http://rsj.xianyang.example/"
CITY_FIRST = (
    Finding("xy-jtj", "column.stale", JTJ + "gzdt/", "工作动态栏目超过2周未更新", points=2,
            evidence="最新信息日期 2026-09-01"),
    Finding("xy-jtj", "link.broken", JTJ + "files/<script>alert(1)</script>.pdf",
            "<script>alert('x')</script>附件链接无法打开", points=0.5,
            source=JTJ + "tzgg/t20260901_1.html", evidence="HTTP 404"),
    Finding("xy-sx", "footer.icp", SX, "页面底部未规范标注ICP备案编号", evidence="陕ICP备案中"),
    Finding("xy-sx", "annual_report.missing", None, "未按时发布2025年政府信息公开工作年度报告",
            Severity.VETO, 0, evidence="年报栏目最新一篇为2024年度报告"),
    Finding("xy-rsj", "footer.conac", RSJ, "页面底部缺少党政机关网站标识", Severity.ADVISORY, 0),
)
CITY_NEW = Finding("xy-rsj", "column.blank", RSJ + "zcjd/", "政策解读栏目为空白栏目", points=3,
                   evidence="栏目无任何信息")


def city(path: Path) -> tuple[World, dict[str, Any]]:
    """Three units, two scans and two bulletins; return the world and the second bulletin.

    Bulletin 1 (2026-09-30) publishes the five problems of the first scan, deadline 10-13
    (National Day in between). 咸阳市交通运输局 claims its stale column on 10-08. The scan of
    10-12 no longer finds the broken link nor the missing badge, and finds a blank column.
    Bulletin 2 (2026-10-14): the claimed column and both county problems are overdue, the
    county's unclaimed; one new problem; two fixed.
    """
    from govwatch.reports.bulletin import publish_bulletin
    from govwatch.reports.tracker import claim, track_scan

    world = World(path, CITY_SITES)
    track_scan(world.db, world.scan("2026-09-28", CITY_FIRST))
    publish_bulletin(world.db, day("2026-09-30"))
    claim(world.db, [1], by="王伟", note="已安排更新", at="2026-10-08T09:00:00+08:00")
    track_scan(world.db, world.scan("2026-10-12", [*CITY_FIRST[0:1], *CITY_FIRST[2:4], CITY_NEW]))
    return world, publish_bulletin(world.db, day("2026-10-14"))


def day(text: str) -> date:
    """A date from YYYY-MM-DD."""
    return date.fromisoformat(text)
