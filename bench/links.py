"""Measure link checking at scale: links checked per second and peak memory of a scan.

``python -m bench.links --pages 3000`` writes a portal of that many article pages (in
columns of 100) into a temporary folder, with the links real portals carry on every page:
navigation, shared stylesheets, scripts and images, the footer's links, ``mailto:`` and
``javascript:``; and on each article its own image and attachment (附件) and three links to
a second, "external" loopback server, drawn from a few hundred targets. A few per cent of
attachments, images and external pages are missing (404), a few external pages fail (500) or
refuse (403). Both servers are :class:`govwatch.demo.server.PortalServer` on 127.0.0.1; the
external one is linked as ``localhost``, so it is an external host with a download slot and
caps of its own. Nothing leaves the machine.

It scans the portal with :func:`crawler.runner.run_scan`, sampling the resident memory (RSS)
of this process and every process below it (the crawl runs in a child), and prints the
scan's pages, link pairs, unique targets checked, requests received, the results by class,
the seconds, the targets checked per second, and the peak RSS of the whole tree (servers
included) and of the crawl's process alone. Loopback needs no politeness: the portal's
sites file asks for no delay (``CRAWL``), and the scan runs with short backoffs
(``SETTINGS``). ``--no-checks`` scans with check requests off (only what the crawl fetches
is judged), for the cost of the checks; ``--keep DIR`` keeps the portal and the database.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

from bench.proctree import peak_rss
from bench.serve import roomy_backlog
from govwatch.core.config import load_config
from govwatch.crawler.runner import run_scan
from govwatch.demo.server import PortalServer

SCAN_DATE = date(2026, 11, 24)
COLUMN_SIZE = 100
EXTERNAL_TARGETS = 300
# The portal's politeness, in its sites file's crawl: section.
CRAWL = {"delay": 0, "autothrottle": False, "per_host": 16}
# The external server is no site: its slot follows the link checker's settings, and
# AutoThrottle's, which the crawl: section does not reach.
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "GOVWATCH_BACKOFF_BASE": 0.05,
    "GOVWATCH_BACKOFF_MAX": 0.5,
    "GOVWATCH_LINKCHECK_HOST_CONCURRENCY": 8,
    "GOVWATCH_LINKCHECK_HOST_DELAY": 0,
}
SHARED_HEAD = (
    '<link rel="stylesheet" href="/css/main.css"><link rel="stylesheet" href="/css/print.css">'
    '<script src="/js/jquery.min.js"></script><script src="/js/common.js"></script>'
)


def _missing(i: int, every: int) -> bool:
    """Whether item *i* is one of the missing ones (one in *every*)."""
    return i % every == every - 1


def _page(title: str, body: str, nav: str, footer: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            f"{SHARED_HEAD}</head><body><div class=\"nav\">{nav}</div>"
            f'<div class="main">{body}</div><div class="footer">{footer}</div></body></html>')


def write_portal(root: Path, pages: int, external: str) -> int:
    """Write a portal of *pages* articles under *root*; return the number of files."""
    columns = max(1, -(-pages // COLUMN_SIZE))
    nav = '<a href="/">首页</a>' + "".join(
        f'<a href="/col{c}/index.html">栏目{c}</a>' for c in range(columns))
    footer = (
        f'<a href="{external}/beian/">京ICP备05070218号</a><a href="{external}/jiucuo.html">'
        '我为政府网站找错</a><img src="/images/red.png"><a href="mailto:ban@portal.gov.cn">'
        '联系我们</a><a href="javascript:void(0)">设为首页</a><a href="#top">返回顶部</a>'
        '<a href="/wzdt/">网站地图</a>'
    )
    files = {
        "index.html": _page("首页", '<img src="/images/banner.jpg">', nav, footer),
        "wzdt/index.html": _page("网站地图", "", nav, footer),
        "css/main.css": "body{}", "css/print.css": "body{}", "js/jquery.min.js": "",
        "js/common.js": "", "images/red.png": "", "images/banner.jpg": "",
    }
    for c in range(columns):
        items = range(c * COLUMN_SIZE, min(pages, (c + 1) * COLUMN_SIZE))
        rows = "".join(f'<li><a href="/col{c}/t{i}.html">文章{i}</a><span>'
                       f"{SCAN_DATE - timedelta(days=i % 400)}</span></li>" for i in items)
        files[f"col{c}/index.html"] = _page(f"栏目{c}", f"<ul>{rows}</ul>", nav, footer)
        for i in items:
            ext = "".join(f'<a href="{external}/ext/{(i * 7 + k) % EXTERNAL_TARGETS}.html">'
                          f"相关{k}</a>" for k in range(3))
            body = (f"<h1>文章{i}</h1><p>发布时间：{SCAN_DATE - timedelta(days=i % 400)}</p>"
                    f'<img src="/images/p{i}.jpg"><a href="/files/{i}.pdf">附件{i}</a>{ext}')
            files[f"col{c}/t{i}.html"] = _page(f"文章{i}", body, nav, footer)
            if not _missing(i, 20):
                files[f"files/{i}.pdf"] = "%PDF-1.4"
            if not _missing(i, 33):
                files[f"images/p{i}.jpg"] = ""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def write_external(root: Path) -> None:
    """The external server's pages: most answer, some are missing, fail or refuse."""
    status = {}
    for n in range(EXTERNAL_TARGETS):
        if _missing(n, 25):
            continue  # 404
        if _missing(n, 40):
            status[f"/ext/{n}.html"] = 500 if n // 40 % 2 else 403
        page = root / "ext" / f"{n}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<html><title>外部{n}</title></html>", encoding="utf-8")
    for name in ("beian/index.html", "jiucuo.html"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("<html></html>", encoding="utf-8")
    (root / "_portal.yaml").write_text(yaml.safe_dump({"status": status}), encoding="utf-8")


def measure(work: Path, pages: int, checks: bool = True) -> dict[str, object]:
    """Write, serve and scan the portal in *work* (with check requests or not); return the
    figures."""
    roomy_backlog()
    (work / "portal").mkdir(parents=True, exist_ok=True)
    (work / "external").mkdir(exist_ok=True)
    write_external(work / "external")
    with PortalServer(work / "external") as external:
        files = write_portal(work / "portal", pages,
                             external.url.rstrip("/").replace("127.0.0.1", "localhost"))
        with PortalServer(work / "portal") as portal:
            sites = work / "sites.yaml"
            sites.write_text(yaml.safe_dump({"crawl": CRAWL, "sites": [{
                "id": "bench", "name": "基准门户", "url": portal.url, "max_pages": 100_000}]},
                allow_unicode=True), encoding="utf-8")
            with peak_rss() as peak:
                started = time.monotonic()
                outcome = run_scan(load_config(sites).sites, work / "g.db", as_of=SCAN_DATE,
                                   progress_interval=0, settings={
                                       **SETTINGS, "GOVWATCH_LINKCHECK_ENABLED": checks})
                seconds = time.monotonic() - started
            requests = len(portal.requests) + len(external.requests)
    with sqlite3.connect(work / "g.db") as db:
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        results = dict(db.execute("select result, count(*) from link_checks group by result"))
        figures = {
            "status": str(outcome.status), "files": files,
            "pages": count("select count(*) from pages"),
            "link_pairs": count("select count(*) from links"),
            "targets_checked": count("select count(*) from link_checks"),
            "requests": requests, "results": results, "seconds": round(seconds, 1),
        }
    figures["checked_per_second"] = round(figures["targets_checked"] / seconds, 1)
    figures["pairs_per_second"] = round(figures["link_pairs"] / seconds, 1)
    figures["peak_rss_mb"] = round(peak["tree"] / 2**20, 1)  # servers and crawl
    figures["peak_crawl_rss_mb"] = round(peak["crawl"] / 2**20, 1)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="article pages (default 3000)")
    parser.add_argument("--no-checks", action="store_true",
                        help="no check requests: judge only what the crawl fetches")
    parser.add_argument("--keep", type=Path, help="keep the portal and database in DIR")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="govwatch-links-"))
    try:
        figures = measure(work, args.pages, checks=not args.no_checks)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    for key, value in figures.items():
        print(f"{key:<20} {value}")
    if figures["status"] != "complete":
        sys.exit(1)


if __name__ == "__main__":
    main()
