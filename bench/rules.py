"""Time the built-in pack over a synthetic 100 000-page scan (not part of the test suite).

    python -m bench.rules [DB] [--pages N]

Builds the scan once (100 sites; per page ~1 500 characters of text, 20 links; 3 items per
list page; 1 % of link targets broken, a few ID numbers), then runs ``evaluate_scan`` and
prints the seconds and the findings per rule. The target is 30 s for 100 000 pages.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from pathlib import Path

from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store
from govwatch.rules.engine import evaluate_scan

FILLER = ("市交通运输局召开安全生产工作会议，传达学习上级文件精神，部署下一阶段重点工作。"
          "会议要求各单位压实责任，强化督导检查，确保全年目标任务圆满完成。") * 20
VALID_ID = "620102198502131239"


def build(path: Path, pages: int, sites: int = 100) -> int:
    """Write a complete scan of *pages* pages spread over *sites* sites; return its id."""
    rng = random.Random(7)
    db = open_db(path)
    scan_id = store.start_scan(
        db, [Site(id=f"s{n}", name=f"站点{n}", url=f"http://s{n}.gov.cn/", unit=f"单位{n}")
             for n in range(sites)], "2026-11-24")
    db.close()
    conn = sqlite3.connect(path)
    per_site = pages // sites
    for s in range(sites):
        site, home = f"s{s}", f"http://s{s}.gov.cn/"
        urls = [home] + [f"{home}art/{n}.html" for n in range(1, per_site)]
        conn.executemany(
            "insert into pages (scan_id, site_id, url, status, kind, title, pub_date, depth) "
            "values (?, ?, ?, 200, 'html', ?, ?, ?)",
            [(scan_id, site, u, f"文章{n}", f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}",
              0 if n == 0 else 1 + n % 3) for n, u in enumerate(urls)])
        conn.executemany(
            "insert into page_texts (scan_id, site_id, url, text, html) values (?, ?, ?, ?, ?)",
            [(scan_id, site, u, FILLER + (f"身份证号{VALID_ID}" if n == 5 and s % 10 == 0
                                          else ""), "<html></html>" if n == 0 else None)
             for n, u in enumerate(urls)])
        conn.executemany(
            "insert or ignore into links (scan_id, site_id, source_url, target_url, anchor_text, "
            "kind) values (?, ?, ?, ?, ?, 'page')",
            [(scan_id, site, u, f"{home}art/{rng.randrange(per_site * 2)}.html", "链接")
             for u in urls for _ in range(20)])
        columns = [f"{home}col{c}/" for c in range(20)]
        conn.executemany(
            "insert into column_pages (scan_id, site_id, column_url, page_url, page_no, name, "
            "name_source, class, kind, empty_note, item_count) "
            "values (?, ?, ?, ?, 0, ?, 'nav', ?, 'list', null, 3)",
            [(scan_id, site, c, c, f"栏目{i}", ["news", "notice-policy", "other"][i % 3])
             for i, c in enumerate(columns)])
        conn.executemany(
            "insert or ignore into items (scan_id, site_id, page_url, column_url, url, title, "
            "date) values (?, ?, ?, ?, ?, ?, ?)",
            [(scan_id, site, c, c, f"{home}art/{rng.randrange(per_site)}.html", "信息",
              f"2026-{rng.randrange(1, 12):02d}-10") for c in columns for _ in range(3)]
            + [(scan_id, site, home, None, f"{home}art/{n}.html", "要闻", "2026-11-20")
               for n in range(1, 8)])
        conn.executemany(
            "insert into footer_facts (scan_id, site_id, page_url, kind, raw, value, valid, "
            "problem, link) values (?, ?, ?, ?, ?, ?, 1, null, ?)",
            [(scan_id, site, home, k, raw, value, link) for k, raw, value, link in (
                ("icp", "陇ICP备05000123号", "陇ICP备05000123号", "https://beian.miit.gov.cn/"),
                ("psb", "甘公网安备62090202000584号", "甘公网安备62090202000584号",
                 "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62090202000584"),
                ("site_code", "6209000038", "6209000038", None), ("conac", "red", "red", None),
                ("jiucuo", '<script id="_jiucuo_" sitecode="6209000038" '
                           'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">', "6209000038",
                 None))])
    targets = [r[0] for r in conn.execute("select distinct target_url from links")]
    conn.executemany(
        "insert into link_checks (scan_id, target_url, result, status_code) values (?, ?, ?, ?)",
        [(scan_id, t, "broken" if n % 100 == 0 else "ok", 404 if n % 100 == 0 else 200)
         for n, t in enumerate(targets)])
    conn.commit()
    conn.close()
    db = open_db(path)
    store.finalize_scan(db, scan_id)
    store.mark_scan(db, scan_id, ScanStatus.COMPLETE)
    return scan_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?", default="/tmp/govwatch-bench.db")
    parser.add_argument("--pages", type=int, default=100_000)
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        started = time.monotonic()
        build(path, args.pages)
        print(f"built {args.pages} pages in {time.monotonic() - started:.0f} s: {path}")
    started = time.monotonic()
    summary = evaluate_scan(path)
    print(f"evaluated in {time.monotonic() - started:.1f} s: {summary['findings']} findings")
    for rule, count in summary["by_rule"].items():
        print(f"  {rule:24} {count}")


if __name__ == "__main__":
    main()
