"""Column checks: ``column_freshness`` (栏目不更新) and ``column_empty`` (空白栏目).

``column_freshness`` (param ``windows``: column class → window, such as ``news: 14d``)
reports a list column (栏目) of one of those classes whose newest item is older than its
class's window at the judging date; a column whose items are all undated counts as not
updated. A column without any item is left to ``column_empty``. ``applies_to.column_classes``
narrows the classes further. The finding carries the column's class as a fact, so
``count_at_least`` can count stale news and notice columns together.

``column_empty`` (param ``exempt_notes``: phrases) reports a list column with no item, unless
the note it prints says why nothing exists (本机关本年度未制定规范性文件: it contains one of the
phrases). A bare placeholder printed by the list template (暂无信息, 暂无数据) explains nothing
and exempts nothing (docs/indicators.md#empty-columns). Only lists are judged: text pages
(机构概况), hubs and forms (``columns.role``) are never empty columns, nor is a list whose
pages hold a board's messages or a 双公示 list's decisions (rows without links of their own
are no dated items, yet they are content: the ``messages`` and ``decisions`` views).

Both are one SQL query per scan over ``columns``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from govwatch.core.vocabulary import ColumnClass, ColumnRole
from govwatch.rules.model import Hit, Rule, newest_evidence
from govwatch.rules.params import Choice, ListOf, MapOf, Param, Text, WindowKind, as_date
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView, in_list

_CLASSES = tuple(ColumnClass)


def _classes(rule: Rule, candidates: list[str]) -> list[str]:
    only = rule.applies_to.column_classes
    return [c for c in candidates if not only or c in only]


def _fresh_example(rule: Rule, value: Mapping[str, Any]) -> bool:
    window = rule.params["windows"].get(value["class"])
    if window is None or not value.get("items", 1):
        return False
    return window.is_stale(as_date(value.get("newest")), as_date(value["as_of"]))


@check(
    "column_freshness", example=_fresh_example,
    params={"windows": Param(MapOf(Choice(_CLASSES), WindowKind()))},
)
def column_freshness(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A list column whose newest item is older than its class's update window."""
    windows = rule.params["windows"]
    classes = _classes(rule, list(windows))
    if not classes:
        return
    marks, params = in_list("c", classes)
    sql = f"""
        select site_id, url, name, class, newest_date, item_count from columns
        where scan_id = :scan and role = 'list' and item_count > 0 and class in ({marks})
        order by site_id, url
    """
    for row in scan.rows(sql, params):
        window = windows[row["class"]]
        if not window.is_stale(as_date(row["newest_date"]), scan.as_of):
            continue
        newest = row["newest_date"]
        seen = f"最新信息日期 {newest}" if newest else f"{row['item_count']} 条信息均未注明日期"
        yield Hit(
            row["site_id"], row["url"],
            detail=f"栏目「{row['name']}」（{_class_label(row['class'])}）{seen}，"
                   f"超过 {window.chinese()} 更新期限（{window.cutoff(scan.as_of)} 以来无更新）",
            evidence=newest_evidence(newest, row["item_count"]),
            facts={"class": row["class"], "newest": newest},
        )


def exempts(rule: Rule, note: str | None) -> bool:
    """Whether *note*, as the column printed it, explains why it has nothing to publish."""
    return bool(note) and any(phrase in note for phrase in rule.params["exempt_notes"])


def _empty_example(rule: Rule, value: Mapping[str, Any]) -> bool:
    return (value.get("role", ColumnRole.LIST) == ColumnRole.LIST and not value.get("items")
            and not exempts(rule, value.get("empty_note")))


@check("column_empty", example=_empty_example,
       params={"exempt_notes": Param(ListOf(Text()))})
def column_empty(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A list column with no item and no note saying why nothing exists."""
    marks, params = in_list("c", _classes(rule, list(_CLASSES)))
    sql = f"""
        select site_id, url, name, class, pages_walked, empty_note from columns
        where scan_id = :scan and role = 'list' and coalesce(item_count, 0) = 0
          and class in ({marks})
          and url not in (select c.column_url from column_pages c
                          where c.scan_id = :scan and c.page_url in (
                              select page_url from messages where scan_id = :scan
                              union select page_url from decisions where scan_id = :scan))
        order by site_id, url
    """
    for row in scan.rows(sql, params):
        note = row["empty_note"]
        if exempts(rule, note):
            continue
        said = f"仅显示「{note}」，未说明无信息的原因" if note else "也未说明无信息的原因"
        yield Hit(row["site_id"], row["url"],
                  detail=f"栏目「{row['name']}」（{_class_label(row['class'])}）没有任何信息，{said}",
                  evidence=f"共 0 条信息，列表页 {row['pages_walked']} 页"
                           + (f"，页面提示「{note}」" if note else ""),
                  facts={"class": row["class"]})


def _class_label(value: str) -> str:
    """The Chinese name of a column class (both queries select known classes only)."""
    return ColumnClass(value).label
