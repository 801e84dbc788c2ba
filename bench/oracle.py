"""What the gov-2019 rules should find, from a portal's ground truth (not from a crawl).

Both the fixture portals (``tests/portals/*/expected.yaml``) and the synthetic farm
(``bench.farm``'s ``truth.json``) describe their columns, annual reports and footer; callers
turn their own format into :class:`Column` and report tuples and get, per rule id, the
subject paths the rule must report, for a scan judged on 2026-11-24. The thresholds are the
2019 indicators' own (five stale news or notice columns, ten stale columns of any class that
should be updated, five blank columns), written here from the indicators, not read from the
pack, so that a wrong pack parameter shows as a miss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from govwatch.rules.model import normalise_subject

# The oldest date still inside each class's window on 2026-11-24.
CUTOFFS = {"news": date(2026, 11, 10), "notice-policy": date(2026, 5, 24),
           "personnel-planning": date(2025, 11, 24)}
REPORT_YEAR, REPORT_DUE = 2025, date(2026, 1, 31)
STALE_VETO, NEGLECTED_VETO, EMPTY_VETO = 5, 10, 5


def path_of(url_or_path: str) -> str:
    """The normalised path of a URL or of a site-relative path."""
    url = f"http://h{url_or_path}" if url_or_path.startswith("/") else url_or_path
    return urlsplit(normalise_subject(url)).path


@dataclass(frozen=True)
class Column:
    path: str
    column_class: str
    items: int
    newest: date | None
    blank: bool  # a list with no item and no note saying why (a bare 暂无信息 says nothing)


def expected_findings(
    columns: Iterable[Column], reports: Iterable[tuple[int, date, str]],
    footer_valid: Mapping[str, bool], home_newest: date | None = None, *,
    footer_remarks: bool = False, footer_mismatch: bool = False,
    unreadable_reports: Iterable[str] = (), website_report: bool | None = None,
) -> dict[str, set[str]]:
    """Rule id -> subject paths ("/" for the site itself). *reports* are (year, date, url);
    *footer_remarks*: an identifier is written loosely or not linked to its register;
    *footer_mismatch*: two identifiers of the footer disagree; *unreadable_reports*: URLs of
    the due year's reports published in a form whose text the scan does not hold (a PDF);
    *website_report*: whether the site publishes its 政府网站工作年度报表 for the due year
    (None: not judged)."""
    columns = list(columns)
    out: dict[str, set[str]] = defaultdict(set)
    if home_newest is not None and home_newest < CUTOFFS["news"]:
        out["homepage.stale"].add("/")
    stale = [c for c in columns if c.column_class in CUTOFFS and c.items
             and c.newest < CUTOFFS[c.column_class]]
    out["column.stale"] = {path_of(c.path) for c in stale}
    out["column.empty"] = {path_of(c.path) for c in columns if c.blank}
    if sum(c.column_class in ("news", "notice-policy") for c in stale) >= STALE_VETO:
        out["column.stale_veto"].add("/")
    if len(stale) >= NEGLECTED_VETO:
        out["column.neglected_veto"].add("/")
    if len(out["column.empty"]) >= EMPTY_VETO:
        out["column.empty_veto"].add("/")
    due = sorted((day, url) for year, day, url in reports if year == REPORT_YEAR)
    if not due:
        out["annual_report.missing"].add("/")
    elif due[0][0] > REPORT_DUE:
        out["annual_report.late"].add(path_of(due[0][1]))
    out["annual_report.unreadable"] = {path_of(url) for url in unreadable_reports}
    if website_report is False:
        out["website_report.missing"].add("/")
    for kind, valid in footer_valid.items():
        if kind in ("icp", "psb", "site_code", "conac", "jiucuo") and not valid:
            out[f"footer.{kind}"].add("/")
    if footer_remarks:
        out["footer.format"].add("/")
    if footer_mismatch:
        out["footer.mismatch"].add("/")
    return out
