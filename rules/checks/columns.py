"""Column checks: ``column_freshness`` (栏目不更新) and ``column_empty`` (空白栏目).

``column_freshness`` (param ``windows``: column class → window, such as ``news: 14d``)
reports a list column (栏目) of one of those classes whose newest item is older than its
class's window at the judging date; a column whose items are all undated counts as not
updated. A column without any item is left to ``column_empty``. ``applies_to.column_classes``
narrows the classes further. The finding carries the column's class as a fact, so
``count_at_least`` can count stale news and notice columns together.

``column_empty`` (no params) reports a list column with no item and no 暂无信息-style note
(a column that says it has nothing to publish is exempt, docs/indicators.md#empty-columns).
Text pages (``kind = page``, such as 机构概况) are never empty columns.

Both are one SQL query per scan over ``columns``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from govwatch.core.vocabulary import ColumnClass
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, MapOf, Param, WindowKind, as_date
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
        where scan_id = :scan and kind = 'list' and item_count > 0 and class in ({marks})
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
            evidence=f"newest={newest or '-'} items={row['item_count']}",
            facts={"class": row["class"], "newest": newest},
        )


def _empty_example(rule: Rule, value: Mapping[str, Any]) -> bool:
    return (value.get("kind", "list") == "list" and not value.get("items")
            and not value.get("empty_note"))


@check("column_empty", example=_empty_example)
def column_empty(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A list column with no item and no note saying it has nothing to publish."""
    marks, params = in_list("c", _classes(rule, list(_CLASSES)))
    sql = f"""
        select site_id, url, name, class, pages_walked from columns
        where scan_id = :scan and kind = 'list' and coalesce(item_count, 0) = 0
          and coalesce(empty_note, '') = '' and class in ({marks})
        order by site_id, url
    """
    for row in scan.rows(sql, params):
        yield Hit(row["site_id"], row["url"],
                  detail=f"栏目「{row['name']}」（{_class_label(row['class'])}）没有任何信息，也未说明暂无信息",
                  evidence=f"items=0 pages_walked={row['pages_walked']}",
                  facts={"class": row["class"]})


def _class_label(value: str) -> str:
    """The Chinese name of a column class (both queries select known classes only)."""
    return ColumnClass(value).label
