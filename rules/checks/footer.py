"""The ``footer_fact`` check: a footer identifier missing or malformed on the home page.

Params: ``kind``, the identifier (``footer_facts.kind``: icp, psb, site_code,
site_code_meta, conac, jiucuo, sponsor); ``form``, optionally, a regex that ``field``
(``value``, the normalised identifier, by default; or ``raw``, as found) must match in full.

The crawler extracts tolerantly and also says what it finds wrong (crawler/pages/footer.py); the
pack decides. With a ``form``, a fact is *malformed* when it does not match the form (the
crawler's reason, if any, is quoted); without one, when the crawler found a problem. Nothing
found is *missing*. The detail starts with ``缺失：`` (missing) or ``不规范：`` (malformed).
One SQL query over the home pages and their ``footer_facts``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from govwatch.core.vocabulary import FactKind
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, Param, Regex
from govwatch.rules.registry import check
from govwatch.rules.scanview import HOME_PAGES, ScanView

_NAMES = {
    "icp": "ICP备案编号", "psb": "公安机关备案号", "site_code": "政府网站标识码",
    "site_code_meta": "SiteIDCode 标识码", "conac": "党政机关网站标识",
    "jiucuo": "「我为政府网站找错」入口", "sponsor": "网站主办单位",
}


def verdict(rule: Rule, raw: str | None, value: str | None, problem: str | None) -> str | None:
    """The detail of a footer fact that breaks *rule*, or None when it is fine.

    *problem* is the crawler's reason (``missing`` when nothing was found).
    """
    name = _NAMES[rule.params["kind"]]
    if raw is None or problem == "missing":
        return f"缺失：首页底部未发现{name}"
    form: re.Pattern[str] | None = rule.params["form"]
    if form is None:
        return f"不规范：{name}「{raw}」（{problem}）" if problem else None
    judged = (raw if rule.params["field"] == "raw" else value) or ""
    if form.fullmatch(judged):
        return None
    reason = f"（{problem}）" if problem else f"，不符合规定格式 /{form.pattern}/"
    return f"不规范：{name}「{judged}」{reason}"


def _example(rule: Rule, value: Any) -> bool:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"a footer_fact example is the identifier's value or null, not {value!r}")
    return verdict(rule, value, value, None) is not None


@check(
    "footer_fact", example=_example,
    params={
        "kind": Param(Choice(tuple(FactKind))),
        "form": Param(Regex(), required=False),
        "field": Param(Choice(("value", "raw")), required=False, default="value"),
    },
)
def footer_fact(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A footer identifier missing or malformed on the home page."""
    sql = f"""
        with home(site_id, url) as ({HOME_PAGES})
        select h.site_id, h.url, f.raw, f.value, f.problem from home h
        left join footer_facts f on f.scan_id = :scan and f.page_url = h.url and f.kind = :kind
        order by h.site_id, h.url
    """
    for row in scan.rows(sql, {"kind": rule.params["kind"]}):
        detail = verdict(rule, row["raw"], row["value"], row["problem"])
        if detail is not None:
            yield Hit(row["site_id"], row["url"], row["url"], detail=detail,
                      evidence=row["raw"] or "")
