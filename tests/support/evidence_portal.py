"""A small portal, written here by hand, that carries one problem of each kind a screenshot
outlines: a stale column (工作动态, newest item 2025-03-02), broken links on the home page
(30 of them), a footer without 网站标识码, and a published 居民身份证号."""

from __future__ import annotations

from pathlib import Path

import yaml

from govwatch.rules.checks.idnumber import check_character

# A made-up number with a real birth date (1985-07-14) and its check character.
ID_FIRST17 = "62010219850714123"
ID_NUMBER = ID_FIRST17 + check_character(ID_FIRST17)
ID_HIDDEN = ID_NUMBER[6:14]  # what the mask hides: 19850714
BROKEN = 30
NEWEST = ("关于开展安全生产检查的通知", "2025-03-02")

_HEAD = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_示范县人民政府</title>
<meta name="SiteName" content="示范县人民政府"><meta name="ColumnName" content="{column}">
<link rel="stylesheet" href="/css/site.css"><script src="/js/site.js"></script>
<img src="http://example.invalid/tracker.gif"></head><body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/gzdt/">工作动态</a></li></ul></div>
"""
_FOOTER = """<div class="footer"><p>主办单位：示范县人民政府办公室</p>
<p><a href="https://beian.miit.gov.cn/">陇ICP备10002345号-1</a></p></div></body></html>"""


def write_portal(root: Path) -> Path:
    """Write the portal into *root*; return it."""
    broken = "\n".join(f'<li><a href="/gone/{n}.html">失效链接{n}</a></li>' for n in range(BROKEN))
    (root / "gzdt").mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        _HEAD.format(title="首页", column="首页")
        + f"""<div class="main"><h2>公示</h2>
<p class="notice">拟录用人员：张三，身份证号 {ID_NUMBER}，联系电话略。</p>
<h2>专题链接</h2><ul class="links">{broken}</ul></div>""" + _FOOTER,
        encoding="utf-8")
    items = [NEWEST, ("示范县召开春耕生产工作会议", "2025-02-18"),
             ("县领导调研农村人居环境整治", "2025-01-09")]
    rows = "\n".join(
        f'<li><a href="/gzdt/{n}.html">{title}</a><span>{day}</span></li>'
        for n, (title, day) in enumerate(items))
    (root / "gzdt" / "index.html").write_text(
        _HEAD.format(title="工作动态", column="工作动态")
        + f'<div class="list-tit"><h2>工作动态</h2></div><ul class="list">{rows}</ul>'
        + _FOOTER, encoding="utf-8")
    for n, (title, day) in enumerate(items):
        (root / "gzdt" / f"{n}.html").write_text(
            _HEAD.format(title=title, column="工作动态")
            + f"<h1>{title}</h1><p>发布时间：{day}</p><p>正文。</p>" + _FOOTER,
            encoding="utf-8")
    return root


def crawl(folder: Path, root: Path, *, evidence: bool, port: int = 0
          ) -> tuple[Path, int, str]:
    """Serve the portal in *root* (on *port*, else any free one) and crawl it into
    *folder*/govwatch.db, evidence on or off: (database, scan id, the portal's URL as
    served)."""
    from govwatch.core.config import load_config
    from govwatch.crawler.runner import run_scan
    from govwatch.demo.server import PortalServer
    from support.portals import FAST, LOOPBACK_LINKS, SCAN_DATE

    with PortalServer(root, port) as server:
        sites = folder / "sites.yaml"
        sites.write_text(yaml.safe_dump({"sites": [{
            "id": "demo", "name": "示范县人民政府", "url": server.url, **LOOPBACK_LINKS}]},
            allow_unicode=True), encoding="utf-8")
        db_path = folder / "govwatch.db"
        outcome = run_scan(load_config(sites).sites, db_path, as_of=SCAN_DATE,
                           progress_interval=0,
                           settings={**FAST, "GOVWATCH_EVIDENCE": evidence})
        return db_path, outcome.scan_id, server.url
