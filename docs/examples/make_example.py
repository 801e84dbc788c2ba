"""Build the example bulletin and scorecard in docs/examples/ from a database made here.

Six Xianyang units, five scans (one of them failed) and four bulletins, 2026-09-21 to
2026-10-21, across the Mid-Autumn and National Day holidays: claims, a dispute the auditor
upholds, one she withdraws, fixes, a problem that comes back, and units named for overdue
or unclaimed problems. The sites and their problems are invented (hosts end in .example);
the units, rule ids and titles are the kind a 纠错 bulletin carries.

Run from the repository root:  python docs/examples/make_example.py
Writes bulletin-004-2026-10-21.{html,md,json,png} and scorecard-2026-10-21.{html,png}.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from govwatch.core.config import Site
from govwatch.core.defaults import bulletin_stem
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ScanStatus, Severity, SiteStatus
from govwatch.crawler import store as crawl_store
from govwatch.reports.browser import screenshot
from govwatch.reports.bulletin import BULLETIN, publish_bulletin
from govwatch.reports.render import write_report
from govwatch.reports.scorecard import SCORECARD, build_scorecard
from govwatch.reports.settings import ReportSettings
from govwatch.reports.tracker import claim, confirm, reject, track_scan, withdraw
from govwatch.rules import store as rules_store

HERE = Path(__file__).parent
SETTINGS = ReportSettings(
    issuer="咸阳市人民政府办公室",
    indicator_caps={"home": 100, "column": 30, "footer": 10, "link": 10, "annual_report": 20},
)
SITES = [
    Site("xy-jtj", "咸阳市交通运输局", "http://jtj.xianyang.example/", "咸阳市交通运输局"),
    Site("xy-rsj", "咸阳市人力资源和社会保障局", "http://rsj.xianyang.example/",
         "咸阳市人力资源和社会保障局"),
    Site("xy-wjw", "咸阳市卫生健康委员会", "http://wjw.xianyang.example/", "咸阳市卫生健康委员会"),
    Site("xy-zrzy", "咸阳市自然资源局", "http://zrzy.xianyang.example/", "咸阳市自然资源局"),
    Site("xy-mmx", "某某县人民政府", "http://www.mmx.example/", "咸阳市某某县人民政府"),
    Site("xy-mmq", "某某区人民政府", "http://www.mmq.example/", "咸阳市某某区人民政府"),
]
HOME = {site.id: site.url for site in SITES}
RULES = {  # rule id → (title, severity, points)
    "home.stale": ("首页超过2周无新增信息", Severity.VETO, 0),
    "column.stale": ("动态要闻类栏目超过2周未更新", Severity.DEDUCTION, 5),
    "column.blank": ("存在空白栏目", Severity.DEDUCTION, 5),
    "footer.icp": ("页面底部未规范标注ICP备案编号", Severity.DEDUCTION, 2),
    "footer.psb": ("页面底部未标注公安机关备案标识", Severity.DEDUCTION, 2),
    "footer.conac": ("页面底部缺少党政机关网站标识", Severity.ADVISORY, 0),
    "link.broken": ("页面存在无法访问的链接", Severity.DEDUCTION, 1),
    "annual_report.missing": ("未按时发布2025年政府信息公开工作年度报告", Severity.VETO, 0),
    "annual_report.table": ("年度报告表三勾稽关系错误", Severity.DEDUCTION, 3),
}
# key → (site, rule, subject path or None for the whole site, evidence, page carrying it)
PROBLEMS = {
    "jtj-news": ("xy-jtj", "column.stale", "gzdt/", "「工作动态」最新信息发布于2026-09-02", None),
    "jtj-pdf": ("xy-jtj", "link.broken", "xxgk/files/2024ysbg.pdf", "HTTP 404（附件不存在）",
                "xxgk/202409/t20240912_1882.html"),
    "jtj-icp": ("xy-jtj", "footer.icp", "", "底部显示「陕ICP备案中」，未标注备案编号", None),
    "rsj-jd": ("xy-rsj", "column.blank", "zcjd/", "「政策解读」栏目无任何信息", None),
    "rsj-link": ("xy-rsj", "link.broken", "http://old.rsj.xianyang.example/bszn/",
                 "连接超时（15秒）", "bsfw/index.html"),
    "wjw-conac": ("xy-wjw", "footer.conac", "", "未找到 dcs.conac.cn 标识脚本或链接", None),
    "wjw-table": ("xy-wjw", "annual_report.table", "zfxxgk/ndbg/202601/t20260120_301.html",
                  "表三「总计」列：一+二=118，（七）总计+四=116", None),
    "zrzy-psb": ("xy-zrzy", "footer.psb", "", "底部未出现「公网安备」字样", None),
    "mmx-report": ("xy-mmx", "annual_report.missing", None,
                   "「年度报告」栏目最新一篇为《2024年政府信息公开工作年度报告》", None),
    "mmx-news": ("xy-mmx", "column.stale", "xwzx/xqdt/", "「乡镇动态」最新信息发布于2026-08-27",
                 None),
    "mmx-home": ("xy-mmx", "home.stale", "", "首页最新信息发布于2026-09-30", None),
    "mmq-tz": ("xy-mmq", "column.stale", "zwgk/tzgg/", "「通知公告」最新信息发布于2026-03-11",
               None),
    "mmq-link": ("xy-mmq", "link.broken", "ztzl/2023/index.html", "HTTP 404",
                 "ztzl/index.html"),
}


def url(site: str, path: str | None) -> str | None:
    """An absolute URL on *site* (a full URL stays as it is; None is the whole site)."""
    if path is None or path.startswith("http"):
        return path
    return HOME[site] + path


def finding(scan_id: int, key: str) -> dict:
    """The findings row of problem *key* in scan *scan_id*, as the rule engine writes it."""
    site, rule, path, evidence, page = PROBLEMS[key]
    title, severity, points = RULES[rule]
    subject = url(site, path)
    return {
        "scan_id": scan_id, "site_id": site, "rule_id": rule, "severity": severity,
        "points": points, "subject_url": subject, "source_url": url(site, page) or subject,
        "title": title, "detail": evidence, "evidence": evidence,
        "fingerprint": f"{site}|{rule}|{subject or ''}", "pack": "gov-2019",
        "pack_version": "2026.1",
    }


def record_scan(db, as_of: str, keys: list[str], status: ScanStatus = ScanStatus.COMPLETE,
                down: tuple[str, ...] = ()) -> int:
    """Record a scan in which the problems *keys* were found; *down* sites did not answer."""
    scan_id = crawl_store.start_scan(db, SITES, as_of)
    for site in SITES:
        answered = SiteStatus.UNREACHABLE if site.id in down else SiteStatus.OK
        crawl_store.set_site_status(db, scan_id, site.id, answered)
        if answered == SiteStatus.OK:
            crawl_store.write_rows(db, "pages", [{"scan_id": scan_id, "site_id": site.id,
                                            "url": site.url, "status": 200, "depth": 0}])
    rules_store.write_findings(db, scan_id, [finding(scan_id, key) for key in keys],
                         {"as_of": as_of, "packs": "gov-2019", "evaluated_at": as_of})
    crawl_store.finalize_scan(db, scan_id)
    crawl_store.mark_scan(db, scan_id, status)
    if status == ScanStatus.COMPLETE:
        track_scan(db, scan_id)
    return scan_id


def issue(db, key: str) -> int:
    """The issue id of problem *key*."""
    fingerprint = finding(0, key)["fingerprint"]
    return next(db.query("select id from issues where fingerprint = ?", [fingerprint]))["id"]


def build(db) -> dict:
    """Play the five weeks; return the content of the fourth bulletin."""
    first = ["jtj-news", "jtj-pdf", "jtj-icp", "rsj-jd", "rsj-link", "wjw-conac", "wjw-table",
             "zrzy-psb", "mmx-report", "mmx-news", "mmq-tz"]
    record_scan(db, "2026-09-21", first)
    publish_bulletin(db, date(2026, 9, 23), SETTINGS)  # deadline 10-08: 中秋, 国庆 in between
    claim(db, [issue(db, "jtj-news"), issue(db, "jtj-pdf"), issue(db, "jtj-icp")], by="王伟",
          note="已安排信息科整改", at="2026-09-24T10:12:00+08:00")
    claim(db, [issue(db, "rsj-jd"), issue(db, "rsj-link")], by="刘洋",
          at="2026-09-24T15:40:00+08:00")
    claim(db, [issue(db, "wjw-conac")], by="赵静", at="2026-09-25T09:05:00+08:00")
    reject(db, issue(db, "wjw-table"), by="赵静", reason="表三数据与报送系统一致，系网页转换错位",
           at="2026-09-25T09:20:00+08:00")
    record_scan(db, "2026-09-28", [k for k in first if k not in ("jtj-pdf", "wjw-conac")]
                + ["mmq-link"])
    publish_bulletin(db, date(2026, 9, 30), SETTINGS)
    withdraw(db, issue(db, "wjw-table"), by="市政府办公室 陈敏",
             note="核对原件，系页面转换问题，已由网站技术单位修正", at="2026-10-09T11:00:00+08:00")
    claim(db, [issue(db, "mmq-tz"), issue(db, "mmq-link")], by="孙磊",
          at="2026-10-09T14:30:00+08:00")
    record_scan(db, "2026-10-09", [], status=ScanStatus.FAILED)  # interrupted: fixes nothing
    record_scan(db, "2026-10-12", ["jtj-news", "jtj-icp", "rsj-link", "zrzy-psb", "mmx-report",
                                   "mmx-news", "mmx-home", "mmq-tz", "mmq-link", "wjw-table"])
    publish_bulletin(db, date(2026, 10, 14), SETTINGS)
    reject(db, issue(db, "mmx-home"), by="某某县政府办 周强", reason="首页10月10日已发布信息",
           at="2026-10-15T09:30:00+08:00")
    confirm(db, issue(db, "mmx-home"), by="市政府办公室 陈敏",
            note="10月10日信息为转载旧闻，发布日期有误", at="2026-10-16T16:00:00+08:00")
    claim(db, [issue(db, "zrzy-psb")], by="马丽", at="2026-10-16T10:00:00+08:00")
    record_scan(db, "2026-10-19", ["jtj-news", "jtj-pdf", "rsj-link", "zrzy-psb", "mmx-report",
                                   "mmx-news", "mmx-home"], down=("xy-mmq",))
    return publish_bulletin(db, date(2026, 10, 21), SETTINGS)


def main() -> None:
    """Build the database in a temporary folder and write the examples beside this file."""
    with tempfile.TemporaryDirectory() as work:
        db = open_db(Path(work) / "govwatch.db")
        content = build(db)
        card = build_scorecard(db, date(2026, 10, 21), SETTINGS)
    stem = bulletin_stem(content["number"], content["date"])
    paths = write_report(BULLETIN, content, ["html", "md", "json"], HERE, stem)
    paths += write_report(SCORECARD, card, ["html"], HERE, f"scorecard-{card['date']}")
    for page in (paths[0], paths[-1]):
        paths.append(screenshot(page, page.with_suffix(".png")))
    for path in paths:
        print(path.relative_to(HERE.parent.parent))


if __name__ == "__main__":
    main()
