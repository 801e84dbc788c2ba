"""The footer checks: ``footer_fact``, ``footer_format`` and ``footer_mismatch``.

They read the home page's ``footer_facts`` (crawler/pages/footer.py), which say for each
identifier what was found, whether it can be its register's identifier (``valid``,
``problem``), the link it is printed in (``link``) and what is loose in how it is written
(``note``; ``link`` is '' for a number printed without a link, None where the scan did not
record links). What an inspector signs is decided here, by the pack (docs/identifiers.md).

``footer_fact`` — an identifier missing, malformed, or linked to the wrong place. Params:
``kind`` (icp, psb, site_code, site_code_meta, conac, jiucuo, sponsor); ``form``, optionally,
a regex that ``field`` (``value``, the normalised identifier, by default; or ``raw``, as
found) must match in full, and ``form_text``, the form in words for the detail; ``link``,
optionally, a regex the host of the identifier's link must match in full when it has one.
Typography never counts here. The detail starts with ``缺失：`` (missing) or ``不规范：``.

``footer_format`` — remarks an inspector makes without deducting: the crawler's notes on
how the identifiers of ``kinds`` are written (no final 号, a space in the number, a label
variant), and for each kind of ``links`` (icp, psb) an identifier printed without a link, or
with a link whose host does not match that regex (an old address of the register). One
finding per site, its detail starting with ``提示：``.

``footer_mismatch`` — identifiers that disagree with each other (``pairs``, each can be left
out): the 网站标识码 in the footer, in ``<meta name="SiteIDCode">`` and in the 找错 entry (the
last two with each other only when the footer shows no code); the
province of the ICP number (its abbreviation) and of the 公安 number (its first two digits)
against the province of the 标识码 (its first two digits; the footer's, else the meta's, else
the 找错 entry's); and, with ``region`` (the site's division code, 2, 4 or 6 digits, set per
site), the 标识码, ICP and 公安 numbers against the site's own region. Only well-formed
identifiers are compared. One finding per site, its detail starting with ``不一致：``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from govwatch.core.regions import Province, by_abbreviation, by_code, is_division_code
from govwatch.core.vocabulary import FactKind
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, ListOf, MapOf, Param, Regex, Text
from govwatch.rules.registry import check
from govwatch.rules.scanview import HOME_PAGES, ScanView, in_list

_NAMES = {
    "icp": "ICP备案编号", "psb": "公安机关备案号", "site_code": "政府网站标识码",
    "site_code_meta": "SiteIDCode 标识码", "conac": "党政机关网站标识",
    "jiucuo": "「我为政府网站找错」入口", "sponsor": "网站主办单位",
}
# Where each registration number should link (the register's name and current address).
_REGISTERS = {
    "icp": "工信部备案管理系统（beian.miit.gov.cn）",
    "psb": "公安机关备案系统（www.beian.gov.cn）",
}
_MISSING = "missing"


def host(url: str | None) -> str:
    """The lower-case host of *url* ('' when it has none), also for ``//host/…`` links."""
    url = (url or "").strip()
    if url.startswith("//"):
        url = "http:" + url
    return (urlsplit(url).hostname or "") if "://" in url else ""


def verdict(rule: Rule, raw: str | None, value: str | None, problem: str | None,
            link: str | None = None) -> str | None:
    """The detail of a footer fact that breaks *rule*, or None when it is fine.

    *problem* is the crawler's reason why it cannot be its register's identifier
    (``missing`` when nothing was found); *link* the href it is printed in.
    """
    name = _NAMES[rule.params["kind"]]
    if raw is None or problem == _MISSING:
        return f"缺失：首页底部未发现{name}"
    if problem:
        return f"不规范：{name}「{raw}」，{problem}"
    form: re.Pattern[str] | None = rule.params["form"]
    judged = (raw if rule.params["field"] == "raw" else value) or ""
    if form is not None and not form.fullmatch(judged):
        wanted = rule.params["form_text"]
        return f"不规范：{name}「{judged}」不符合规定格式" + (f"（应为{wanted}）" if wanted else "")
    hosts: re.Pattern[str] | None = rule.params["link"]
    if hosts is not None and link and not hosts.fullmatch(host(link)):
        where = _REGISTERS.get(rule.params["kind"], "其登记系统")
        return f"不规范：{name}「{raw}」链接至 {host(link) or link}，应链接至{where}"
    return None


def _fact_example(rule: Rule, value: Any) -> bool:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"a footer_fact example is the identifier's value or null, not {value!r}")
    return verdict(rule, value, value, None) is not None


def _home_facts(scan: ScanView, kinds: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(site, home url, {kind: footer_facts row}) for every home page, in site order."""
    marks, params = in_list("k", kinds)
    sql = f"""
        with home(site_id, url) as ({HOME_PAGES})
        select h.site_id, h.url, f.kind, f.raw, f.value, f.valid, f.problem, f.link, f.note
        from home h left join footer_facts f
          on f.scan_id = :scan and f.page_url = h.url and f.kind in ({marks})
        order by h.site_id, h.url
    """
    current: tuple[str, str] | None = None
    facts: dict[str, Any] = {}
    for row in scan.rows(sql, params):
        if (row["site_id"], row["url"]) != current:
            if current:
                yield *current, facts
            current, facts = (row["site_id"], row["url"]), {}
        if row["kind"]:
            facts[row["kind"]] = dict(row)
    if current:
        yield *current, facts


@check(
    "footer_fact", example=_fact_example,
    params={
        "kind": Param(Choice(tuple(FactKind))),
        "form": Param(Regex(), required=False),
        "form_text": Param(Text(), required=False),
        "field": Param(Choice(("value", "raw")), required=False, default="value"),
        "link": Param(Regex(), required=False),
    },
)
def footer_fact(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A footer identifier missing, malformed, or linked to the wrong place, on the home page."""
    for site, url, facts in _home_facts(scan, [rule.params["kind"]]):
        row = facts.get(rule.params["kind"])
        raw, value, problem, link = ((row["raw"], row["value"], row["problem"], row["link"])
                                     if row else (None, None, _MISSING, None))
        detail = verdict(rule, raw, value, problem, link)
        if detail is not None:
            yield Hit(site, url, url, detail=detail, evidence=" ".join(filter(None, (raw, link))))


# -- footer_format ---------------------------------------------------------------------------
def remarks(rule: Rule, facts: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """What is loose in how the identifiers in *facts* (kind -> footer_facts row) are written
    and linked (whether the deduction rules also judge them malformed or not): (kind,
    remark) pairs."""
    out = []
    links: Mapping[str, re.Pattern[str]] = rule.params["links"] or {}
    for kind in rule.params["kinds"]:
        fact = facts.get(kind)
        if not fact or fact.get("raw") is None:
            continue
        name, raw = _NAMES[kind], fact["raw"]
        if fact.get("note"):
            out.append((kind, f"{name}「{raw}」{fact['note']}"))
        if kind in links and fact.get("link") is not None:  # None: not recorded (older scans)
            register = _REGISTERS[kind]
            if not fact["link"]:
                out.append((kind, f"{name}「{raw}」未链接至{register}"))
            elif not links[kind].fullmatch(host(fact["link"])):
                out.append((kind, f"{name}「{raw}」链接至 {host(fact['link']) or fact['link']}，"
                                  f"不是{register}的现行地址"))
    return out


def _format_example(rule: Rule, value: Any) -> bool:
    if not isinstance(value, Mapping):
        raise ValueError("a footer_format example maps kinds to {raw, note, link}")
    return bool(remarks(rule, value))


@check(
    "footer_format", example=_format_example,
    params={
        "kinds": Param(ListOf(Choice(tuple(FactKind)))),
        "links": Param(MapOf(Choice(tuple(_REGISTERS)), Regex()), required=False),
    },
)
def footer_format(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """Identifiers written loosely or not linked to their register (remarks, no deduction)."""
    for site, url, facts in _home_facts(scan, rule.params["kinds"]):
        found = remarks(rule, facts)
        if found:
            kinds = dict.fromkeys(kind for kind, _ in found)
            yield Hit(site, url, url, detail="提示：" + "；".join(text for _, text in found),
                      evidence=" ".join(facts[kind]["raw"] for kind in kinds))


# -- footer_mismatch ------------------------------------------------------------------------
PAIRS = ("site_code/site_code_meta", "site_code/jiucuo", "site_code_meta/jiucuo",
         "icp/site_code", "psb/site_code", "site_code/region", "icp/region", "psb/region")
_CODE_KINDS = ("site_code", "site_code_meta", "jiucuo")
_CODE_NAMES = {"site_code": "页面底部的网站标识码", "site_code_meta": "SiteIDCode 元数据",
               "jiucuo": "「我为政府网站找错」入口的网站标识码"}
_PSB_DIGITS = re.compile(r"\d{14}")


def _province_text(province: Province) -> str:
    return f"{province.name}，{province.code}"


def disagreements(rule: Rule, values: Mapping[str, str], site_region: str | None = None
                  ) -> list[str]:
    """How the well-formed identifiers in *values* (kind -> normalised value) disagree, in
    the pairs the rule checks, each as a Chinese sentence. The site's region is the rule's
    ``region`` param, else *site_region* (the sites file's ``region`` of the site)."""
    pairs = set(rule.params["pairs"])
    codes = {k: values[k].lower() for k in _CODE_KINDS if values.get(k)}
    out = []
    for a, b in (("site_code", "site_code_meta"), ("site_code", "jiucuo"),
                 ("site_code_meta", "jiucuo")):
        if a == "site_code_meta" and "site_code" in codes:
            continue  # each is compared with the footer's own code already
        if f"{a}/{b}" in pairs and a in codes and b in codes and codes[a] != codes[b]:
            out.append(f"{_CODE_NAMES[a]}「{codes[a]}」与{_CODE_NAMES[b]}「{codes[b]}」不同")
    # The site's 标识码: the footer's, else the meta's, else the 找错 entry's; a department of
    # the State Council (bm…) belongs to no province.
    ref = next(((k, c) for k, c in codes.items() if by_code(c) and not c.startswith("bm")), None)
    region: str | None = rule.params["region"] or site_region
    icp, psb = values.get("icp"), _PSB_DIGITS.search(values.get("psb") or "")
    # (how the number is named in the detail, the province it names) for ICP and 公安 numbers
    sides = {
        "icp": (f"ICP备案编号「{icp}」的省份简称「{icp[0]}」", by_abbreviation(icp[0]))
        if icp else (None, None),
        "psb": (f"公安机关备案号「{values['psb']}」的前两位「{psb[0][:2]}」", by_code(psb[0]))
        if psb else (None, None),
    }
    targets: list[tuple[str, Province, str]] = []  # (pairing's right side, province, phrase)
    if ref and (province := by_code(ref[1])):
        kind, code = ref
        if "site_code/region" in pairs and region and not code.startswith(region):
            out.append(f"{_CODE_NAMES[kind]}「{code}」不属于本站所在地区（{region}）")
        targets.append(("site_code", province,
                        f"{_CODE_NAMES[kind]}「{code}」所属省份（{_province_text(province)}）"))
    if region and (province := by_code(region)):
        targets.append(("region", province, f"本站所在地区（{_province_text(province)}）"))
    for target, province, against in targets:
        for side, (phrase, named) in sides.items():
            if f"{side}/{target}" in pairs and named and named != province:
                out.append(f"{phrase}（{named.name}）与{against}不一致")
    return out


def _mismatch_example(rule: Rule, value: Any) -> bool:
    if not isinstance(value, Mapping):
        raise ValueError("a footer_mismatch example maps kinds to well-formed values")
    return bool(disagreements(rule, {str(k): str(v) for k, v in value.items()}))


def _validate_mismatch(rule: Rule) -> str | None:
    region = rule.params["region"]
    if region is not None and not is_division_code(region):
        return (f"param region: {region!r} is not a division code of 2, 4 or 6 digits "
                "starting with a province's code")
    return None


@check(
    "footer_mismatch", example=_mismatch_example, validate=_validate_mismatch,
    params={
        "pairs": Param(ListOf(Choice(PAIRS)), required=False, default=PAIRS),
        "region": Param(Text(), required=False),
    },
)
def footer_mismatch(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """Footer identifiers that contradict each other or the site's region."""
    kinds = ("icp", "psb", *_CODE_KINDS)
    for site, url, facts in _home_facts(scan, kinds):
        values: dict[str, str] = defaultdict(str)
        values.update({k: f["value"] for k, f in facts.items() if f["valid"] and f["value"]})
        found = disagreements(rule, values, scan.sites[site].region)
        if found:
            evidence = " ".join(values[k] for k in kinds if values[k])
            yield Hit(site, url, url, detail="不一致：" + "；".join(found), evidence=evidence)
