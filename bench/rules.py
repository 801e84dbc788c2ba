"""Time the built-in pack over a synthetic 100 000-page scan (not part of the test suite).

    python -m bench.rules [DB] [--pages N]

Builds the scan once (100 sites; per page ~1 500 characters of text, 20 links; 3 items per
list page; 1 % of link targets broken, a few ID numbers), stored as the crawl's writer
stores pages, then runs ``evaluate_scan`` and prints the seconds and the findings per rule.
The target is 30 s for 100 000 pages.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from govwatch.core.compact import Ids
from govwatch.core.config import Site
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus
from govwatch.crawler import store
from govwatch.rules.engine import evaluate_scan

FILLER = ("市交通运输局召开安全生产工作会议，传达学习上级文件精神，部署下一阶段重点工作。"
          "会议要求各单位压实责任，强化督导检查，确保全年目标任务圆满完成。") * 20
VALID_ID = "620102198502131239"


def build(path: Path, pages: int, sites: int = 100) -> int:
    """Write a complete scan of *pages* pages spread over *sites* sites, as the crawl's
    writer stores pages it read; return its id."""
    rng = random.Random(7)
    db = open_db(path)
    scan_id = store.start_scan(
        db, [Site(id=f"s{n}", name=f"站点{n}", url=f"http://s{n}.gov.cn/", unit=f"单位{n}")
             for n in range(sites)], "2026-11-24")
    ids = Ids(db.conn)
    per_site = pages // sites
    targets: set[str] = set()
    for s in range(sites):
        site, home = f"s{s}", f"http://s{s}.gov.cn/"
        row = {"site_id": site}
        columns = [f"{home}col{c}/" for c in range(20)]
        readings = []
        for n, url in enumerate([home] + [f"{home}art/{n}.html" for n in range(1, per_site)]):
            links = {f"{home}art/{rng.randrange(per_site * 2)}.html" for _ in range(20)}
            targets |= links
            readings.append({
                "pages": [{**row, "url": url, "status": 200, "kind": "html",
                           "title": f"文章{n}", "depth": 0 if n == 0 else 1 + n % 3,
                           "pub_date": f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}"}],
                "page_texts": [{**row, "url": url, "html": "<html></html>" if n == 0 else None,
                                "text": FILLER + (f"身份证号{VALID_ID}" if n == 5 and s % 10 == 0
                                                  else "")}],
                "links": [{**row, "source_url": url, "target_url": t, "anchor_text": "链接",
                           "kind": "page"} for t in sorted(links)],
            })
        readings[0]["items"] = [{**row, "page_url": home, "column_url": None,
                                 "url": f"{home}art/{n}.html", "title": "要闻",
                                 "date": "2026-11-20"} for n in range(1, 8)]
        readings[0]["footer_facts"] = [
            {**row, "page_url": home, "kind": kind, "raw": raw, "value": value, "valid": 1,
             "link": link} for kind, raw, value, link in (
                ("icp", "陇ICP备05000123号", "陇ICP备05000123号", "https://beian.miit.gov.cn/"),
                ("psb", "甘公网安备62090202000584号", "甘公网安备62090202000584号",
                 "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62090202000584"),
                ("site_code", "6209000038", "6209000038", None), ("conac", "red", "red", None),
                ("jiucuo", '<script id="_jiucuo_" sitecode="6209000038" '
                           'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">', "6209000038",
                 None))]
        readings += [{
            "pages": [{**row, "url": c, "status": 200, "kind": "html", "title": f"栏目{i}",
                       "depth": 1}],
            "column_pages": [{**row, "column_url": c, "page_url": c, "page_no": 0,
                              "name": f"栏目{i}", "name_source": "nav",
                              "class": ["news", "notice-policy", "other"][i % 3],
                              "role": "list", "item_count": 3}],
            "items": [{**row, "page_url": c, "column_url": c,
                       "url": f"{home}art/{rng.randrange(per_site)}.html", "title": "信息",
                       "date": f"2026-{rng.randrange(1, 12):02d}-10"} for _ in range(3)],
        } for i, c in enumerate(columns)]
        with db.conn:
            store.write_readings(db, scan_id, readings, ids)
    with db.conn:
        store.write_rows(db, "link_checks", [
            {"scan_id": scan_id, "target_url": t, "result": "broken" if n % 100 == 0 else "ok",
             "status_code": 404 if n % 100 == 0 else 200}
            for n, t in enumerate(sorted(targets))], ids)
    store.finalize_scan(db, scan_id)
    store.mark_scan(db, scan_id, ScanStatus.COMPLETE)
    db.close()
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
