"""Generate a synthetic farm of Chinese government portals as static files, with its truth.

``python -m bench.farm --out DIR --sites N --pages M --seed S`` writes N sites of about M
files each (pages and attached documents) into ``DIR/<site id>/``, each with a
``_portal.yaml`` (id, name, unit, charset) so that :class:`govwatch.demo.server.PortalServer`
serves it; the layout needs no server quirks (folders are linked only where they hold an
``index.html``, GBK pages declare their charset in ``<meta>``), so nginx serves it too, but
for the ``dataproxy.jsp`` of a Hanweb site whose long lists it pages (``dataproxy`` in its
``_portal.yaml``), which PortalServer answers (:mod:`bench.serve` has nginx pass it on).
``DIR/truth.json`` holds, per site, what the generator put there: the columns reachable from
the navigation (name, class, role, first list page, newest item date, item count, list pages,
the note it prints instead of items and whether that note says why nothing exists, and for a
Hanweb list paged by its dataproxy the groups a browser POSTs for and the list pages a crawl
walks), the home page's footer identifiers (and which of them were made to disagree, and which
are written loosely or not linked), the deliberately broken links and the pages carrying them,
the soft 404s (targets that answer 200 yet are gone) and the articles that only look like
error pages, the annual reports, and whether the site is a neglected one.

The same seed gives the same bytes. Sites are planned and written one at a time, so memory
holds one site's plan, never the farm. CMS shapes (TRS WCM, Hanweb jcms, Guangdong gkmlpt,
county ``.shtml``), encodings, navigation, list markup, date formats, pagers, footers and the
freshness of each column are drawn from the seed; the first four sites cover the four CMSs
and the first three always include a GBK county site, so even tiny farms have variety.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench import words
from bench.cms import CMSES, Cms, Hanweb
from bench.model import (
    SCAN_DATE,
    AnnualReport,
    Attachment,
    BrokenLink,
    Column,
    FooterFact,
    Item,
    Section,
    Site,
    SoftError,
    Style,
    rng_for,
)
from bench.render import SiteRenderer, Writer

__all__ = ["cms_sequence", "generate_farm", "main", "plan_site", "write_site"]

CMS_NAMES = ("trs", "hanweb", "county", "gkmlpt")
CMS_WEIGHTS = (0.35, 0.3, 0.2, 0.15)
EARLIEST = date(2009, 1, 1)  # no item is older: portals were rebuilt since
# What a list with nothing in it prints: a bare placeholder of the list template explains
# nothing (a blank column all the same); a note that says why nothing exists exempts it.
PLACEHOLDERS = ("暂无信息", "本栏目暂无内容", "暂无数据", "没有记录")
EXPLANATIONS = ("本机关本年度未制定规范性文件。", "本单位无相关信息产生。",
                "本局不涉及此项工作，暂无相关信息。", "本年度未发生需公开的行政处罚事项。")
NOTES = PLACEHOLDERS + EXPLANATIONS
# Hubs (导航页面): (name, slug, shape, section). columns: the 政府信息公开 index listing the
# section's columns and two outside systems; services: icons leading to the 政务服务 platform;
# table: a table of 专题 links.
HUBS = (("政府信息公开", "zfxxgk", "columns", "zwgk"), ("办事服务", "bsfw", "services", "zwgk"),
        ("专题导航", "ztdh", "table", "ztzl"))
# One site in five has let its columns go: every column that should be updated is past its
# window, enough of them for the 10-column veto.
NEGLECTED_EVERY = 5


@dataclass(frozen=True)
class Profile:
    """How a class of column is fed: share of the pages, freshness, cadence, attachments."""

    weight: float
    fresh_p: float  # chance that the column is up to date at the scan date
    fresh: tuple[int, int]  # days before the scan date of the newest item, when fresh
    stale: tuple[int, int]  # … when stale (beyond the class's update window)
    gap: tuple[float, float]  # mean days between items
    attach_p: float  # chance that an article carries attached documents


# Stale ranges start past each class's window (14 days, 6 months, 12 months) with a margin,
# so that fresh and stale are unambiguous at the scan date.
PROFILES: dict[str, Profile] = {
    "news": Profile(6, 0.75, (0, 10), (18, 150), (0.5, 4), 0.02),
    "notice-policy": Profile(3, 0.7, (0, 150), (200, 700), (3, 20), 0.25),
    "personnel-planning": Profile(1, 0.6, (0, 300), (390, 900), (10, 60), 0.2),
    "other": Profile(1.5, 0.6, (0, 200), (220, 900), (5, 40), 0.1),
}
ATTACH_EXTS = (".pdf", ".pdf", ".pdf", ".doc", ".doc", ".xls")


# -- planning ---------------------------------------------------------------------------------
def cms_sequence(seed: int, count: int) -> list[str]:
    """The CMS of each site: the first four are the four CMSs (county among the first three),
    the rest drawn by how common each CMS is."""
    rng = rng_for(seed, "cms")
    first = list(CMS_NAMES)
    rng.shuffle(first)
    if first.index("county") == 3:
        swap = rng.randrange(3)
        first[3], first[swap] = first[swap], first[3]
    rest = rng.choices(CMS_NAMES, CMS_WEIGHTS, k=max(0, count - 4))
    return (first + rest)[:count]


def _charset(cms: str, county_seen: int, rng: random.Random) -> str:
    if cms == "county":
        return "gbk" if county_seen == 0 or rng.random() < 0.6 else "utf-8"
    if cms == "trs":
        return "gbk" if rng.random() < 0.2 else "utf-8"
    return "utf-8"


def _style(rng: random.Random, cms: Cms, charset: str) -> Style:
    label = rng.choice(("发布时间", "发布日期", "日期", "时间", ""))
    metas = cms.name == "hanweb" or label == "" or rng.random() < 0.6
    if cms.name == "county":
        nav = rng.choice(("header", "header", "flat"))
    else:
        nav = rng.choice(("flat", "dropdown", "dropdown", "header"))
    return Style(
        doctype=rng.choice(("html5", "xhtml")),
        meta_charset=rng.choice(("meta", "http-equiv")),
        declared=charset if charset == "utf-8" else rng.choice(("gbk", "gb2312")),
        relative_links=cms.name == "trs" and rng.random() < 0.8,
        site_metas=cms.name == "hanweb" or rng.random() < 0.6,
        article_metas=metas,
        nav=nav,
        banner_date=rng.random() < 0.85,
        breadcrumb=rng.choice(("当前位置：", "您现在的位置：", "当前位置:")),
        crumb_sep=rng.choice((" &gt; ", " &raquo; ", " &gt;&gt; ")),
        footer="table" if cms.name == "county" or rng.random() < 0.2 else "div",
        list_markup="table" if cms.name == "county" else rng.choice(("ul", "ul", "div")),
        per_page=rng.choice((10, 12, 15)),
        pager=rng.choice(cms.pagers),
        sidebar=rng.random() < 0.8,
        pubdate_label=label,
        copyright_from=rng.choice((2006, 2008, 2012, 2016, 2019)),
        jiucuo_everywhere=rng.random() < 0.6,
    )


# Where sites keep their own copy of the 找错 script.
JIUCUO_COPIES = ("/js/jiucuo.js", "/images/jiucuo/jiucuo.js", "/module/jiucuo/jiucuo.js")
MISMATCHES = ("site_code/site_code_meta", "site_code/jiucuo", "icp/site_code", "psb/site_code")


def _footer(rng: random.Random, extra: random.Random, province: words.Province, region: str,
            unit: str, metas: bool) -> tuple[dict[str, FooterFact], list[str]]:
    """Footer identifiers of a site, and the pairings made to disagree (footer.mismatch).

    Most identifiers are well formed, some malformed or absent. *rng* draws what it always
    drew, in the same order, so the rest of the site does not shift; *extra* draws how they
    are embedded and written (links, 号, copies of the 找错 script) and the disagreements.
    """
    facts: dict[str, FooterFact] = {}

    def state() -> str:
        roll = rng.random()
        return "missing" if roll < 0.08 else "malformed" if roll < 0.2 else "ok"

    s_icp = state()
    digits = rng.choice((8, 10)) if s_icp == "ok" else rng.choice((7, 9))
    number = f"{rng.randrange(10 ** (digits - 1), 10 ** digits)}"
    suffix = f"-{rng.randint(1, 3)}" if rng.random() < 0.5 else ""
    icp_abbr = rng.choice(province.abbrs)

    s_psb = state()
    record = region + f"{rng.randrange(10**8):08d}"
    if s_psb == "malformed":
        record = record[:-1]
    gap = rng.choice((" ", "", "　"))
    psb_abbr = rng.choice(province.abbrs)

    s_code = state()
    code = region + f"{rng.randrange(10**4):04d}"
    if s_code == "malformed":
        code = code[:-1] if rng.random() < 0.5 else code + "0"

    # One disagreement now and then, between identifiers that are printed and well formed.
    eligible = [pair for pair, ok in zip(MISMATCHES, (metas, True, s_icp == "ok",
                                                      s_psb == "ok"), strict=True) if ok]
    mismatch = (extra.choice(eligible) if s_code == "ok" and extra.random() < 0.3 else None)
    other = extra.choice([p for p in words.PROVINCES if p.code != province.code])
    other_code = f"{code[:6]}{(int(code[6:]) + 1 + extra.randrange(500)) % 10000:04d}"
    if mismatch == "icp/site_code":
        icp_abbr = other.abbrs[0]
    if mismatch == "psb/site_code":
        record, psb_abbr = extra.choice(other.cities)[1] + record[6:], other.abbrs[0]

    icp = f"{icp_abbr}ICP备{number}号{suffix}"
    unlinked = s_icp != "missing" and extra.random() < 0.12
    facts["icp"] = FooterFact("icp", None if s_icp == "missing" else icp, s_icp == "ok", number,
                              "unlinked" if unlinked else "", unlinked)
    no_hao = s_psb == "ok" and extra.random() < 0.12  # 公网安备 without its final 号
    psb = f"{psb_abbr}公网安备{gap}{record}{'' if no_hao else '号'}"
    facts["psb"] = FooterFact("psb", None if s_psb == "missing" else psb, s_psb == "ok", record,
                              remark=no_hao)
    facts["site_code"] = FooterFact("site_code", None if s_code == "missing" else code,
                                    s_code == "ok", code)
    meta = other_code if mismatch == "site_code/site_code_meta" else code
    facts["site_code_meta"] = FooterFact(
        "site_code_meta", meta if metas and s_code != "missing" else None,
        metas and s_code == "ok", meta)

    if rng.random() < 0.12:
        facts["conac"] = FooterFact("conac", None, False)
    elif rng.random() < 0.7:
        # The badge script's path names province, city, county and site; its file name
        # repeats them with a serial.
        ca = f"{rng.randrange(10**21):021d}"
        rng.randrange(10**8)  # drawn as before, so that later draws do not shift
        path = f"{ca[:2]}/{ca[2:5]}/{ca[5:9]}/{ca[9:17]}"
        facts["conac"] = FooterFact(
            "conac", f"https://dcs.conac.cn/js/{path}/CA{ca}.js", True,
            form="write" if extra.random() < 0.5 else "script")
    else:
        facts["conac"] = FooterFact(
            "conac", f"https://bszs.conac.cn/sitename?method=show&id={rng.getrandbits(128):032X}",
            True, form="link")

    # The 找错 entry carries the site's code: malformed when the site code is.
    carried = other_code if mismatch == "site_code/jiucuo" else code
    roll = rng.random()
    if roll < 0.15 and mismatch != "site_code/jiucuo":
        facts["jiucuo"] = FooterFact("jiucuo", None, False, carried)
    elif roll < 0.9:
        host = "zfwzgl.www.gov.cn" if roll < 0.75 else "pucha.kaipuyun.cn"
        copy = extra.random() < 0.35
        src = extra.choice(JIUCUO_COPIES) if copy else f"https://{host}/exposure/jiucuo.js"
        facts["jiucuo"] = FooterFact("jiucuo", src, s_code != "malformed", carried,
                                     "copy" if copy else "script")
    else:
        facts["jiucuo"] = FooterFact(
            "jiucuo", f"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={carried}",
            s_code != "malformed", carried, "link")

    facts["sponsor"] = FooterFact("sponsor", None if rng.random() < 0.06 else unit,
                                  True)
    if facts["sponsor"].raw is None:
        facts["sponsor"] = FooterFact("sponsor", None, False)
    return facts, [mismatch] if mismatch else []


def _sections(rng: random.Random, cms: Cms, pages: int, used: set[str],
              nav: str, index: int = 0, neglected: bool = False) -> list[Section]:
    """Sections and their columns; bigger portals have more columns, as real ones do. A
    neglected site has more columns that should be updated (all of them stale)."""
    extra = pages // 1000
    taken: set[str] = set()

    def pick(cls: str, count: int, kind: str = "list") -> list[Column]:
        pool = [c for c in words.COLUMN_CATALOG[cls] if c.name not in taken]
        chosen = rng.sample(pool, min(count, len(pool)))
        taken.update(c.name for c in chosen)
        return [Column(c.name, c.cls, c.slug, cms.new_key(c.slug, rng, used), kind)
                for c in chosen]

    notice = words.COLUMN_CATALOG["notice-policy"][0]
    taken.add(notice.name)
    news = pick("news", rng.randint(2, 3) + extra // 2 + 3 * neglected)
    policy = [Column(notice.name, notice.cls, notice.slug,
                     cms.new_key(notice.slug, rng, used), "list")]
    policy += pick("notice-policy", rng.randint(2, 3) + 2 * neglected)
    overview = pick("overview", 2)
    for col in overview:
        col.kind = "text"
    personnel = pick("personnel-planning", rng.randint(1, 2) + neglected)
    annual = pick("annual-report", 1)
    other = pick("other", rng.randint(2, 3) + extra - extra // 2)
    notes = pick("other" if neglected else rng.choice(("personnel-planning", "other")),
                 rng.randint(1, 2), "note")
    for n, col in enumerate(notes):
        # the first note of every other site says why it is empty; the rest are placeholders
        col.note_explains = n == 0 and index % 2 == 0
        col.note = rng.choice(EXPLANATIONS if col.note_explains else PLACEHOLDERS)
    blanks = pick("other" if neglected else rng.choice(("other", "personnel-planning")),
                  rng.randint(0, 2), "blank")
    hubs: dict[str, list[Column]] = {"zwgk": [], "ztzl": []}
    for k in (index, index + 1):  # two shapes a site, every shape in any three sites
        name, slug, shape, section = HUBS[k % len(HUBS)]
        hub = Column(name, "other", slug, cms.new_key(slug, rng, used), "hub", hub_shape=shape)
        hubs[section].append(hub)

    sections = [
        Section("新闻中心", "xwzx", cms.new_key("xwzx", rng, used), columns=news),
        Section(rng.choice(("政务公开", "信息公开")), "zwgk", cms.new_key("zwgk", rng, used),
                columns=hubs["zwgk"] + overview + policy + personnel + notes + annual),
        Section("专题专栏", "ztzl", cms.new_key("ztzl", rng, used),
                columns=other + blanks + hubs["ztzl"]),
    ]
    for section in sections:
        section.path = cms.page_path(section.slug, section.key)
        for col in section.columns:
            col.section = section
            col.date_style = rng.choice(cms.date_styles)
    if nav == "dropdown":
        for section in sections:
            for col in section.columns[:4]:
                col.nav = "submenu"
    else:
        for col in rng.sample([news[0], policy[0]], rng.randint(1, 2)):
            col.nav = "menu"
    return sections


class _Ids:
    """Article ids of one site: increasing, with gaps, as a CMS's sequence leaves them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.value = rng.randrange(1_000_000, 5_000_000)

    def __call__(self) -> int:
        self.value += self.rng.randint(1, 30)
        return self.value


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(8, 18):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"


def _attachments(rng: random.Random, cms: Cms, col: Column, day: date, ident: int,
                 title: str, count: int) -> tuple[Attachment, ...]:
    out = []
    for k in range(1, count + 1):
        ext = rng.choice(ATTACH_EXTS)
        out.append(Attachment(cms.attachment_path(col, day, ident, ext, rng),
                              f"附件{k}：{title}{ext}"))
    return tuple(out)


def _list_items(seed: int, site: Site, cms: Cms, col: Column, count: int, ids: _Ids) -> None:
    """Fill a list column with ``count`` dated items, newest first."""
    rng = rng_for(seed, site.index, "column", col.slug)
    prof = PROFILES[col.cls]
    fresh = rng.random() < prof.fresh_p and not site.neglected
    lo, hi = prof.fresh if fresh else prof.stale
    newest = SCAN_DATE - timedelta(days=rng.randint(lo, hi))
    gap = min(rng.uniform(*prof.gap), (newest - EARLIEST).days / max(count, 1))
    ordinal = newest.toordinal()
    items = []
    for _ in range(count):
        day = date.fromordinal(ordinal)
        ordinal -= int(rng.expovariate(1 / gap)) if gap > 0 else 0
        ordinal = max(ordinal, EARLIEST.toordinal())
        title = words.title_for(col.cls, rng, place=site.place, org=site.org, day=day)
        ident = ids()
        if col.cls == "notice-policy" and rng.random() < 0.03:
            # Some lists link straight to the signed document instead of a page.
            path = cms.attachment_path(col, day, ident, rng.choice((".pdf", ".doc")), rng)
            items.append(Item(title, day, _clock(rng), path))
            continue
        path = cms.article_path(col, day, ident, rng)
        atts: tuple[Attachment, ...] = ()
        if rng.random() < prof.attach_p:
            atts = _attachments(rng, cms, col, day, ident, title, rng.choice((1, 1, 1, 2)))
        items.append(Item(title, day, _clock(rng), path, atts))
    if col.cls == "notice-policy" and count > site.style.per_page and rng.random() < 0.3:
        # 置顶: an older notice pinned to the top of the first page.
        items[rng.randrange(site.style.per_page, count)].pinned = True
    col.items = items


def _annual_reports(seed: int, site: Site, cms: Cms, col: Column, ids: _Ids) -> None:
    """The 年报 column: one report a year, due by 31 January; the latest may be missing."""
    rng = rng_for(seed, site.index, "reports")
    latest = 2025 if rng.random() < 0.75 else 2024
    mode = rng.choice(("html", "attachment", "mixed"))
    items: list[Item] = []
    for year in range(latest, latest - rng.randint(3, 6), -1):
        if rng.random() < 0.12:
            day = date(year + 1, rng.choice((2, 3)), rng.randint(1, 28))  # published late
        else:
            day = date(year + 1, 1, rng.randint(6, 31))
        form = mode if mode != "mixed" else rng.choice(("html", "attachment"))
        title = f"{site.name}{year}年政府信息公开工作年度报告"
        ident = ids()
        attachment = None
        if form == "html":
            path = cms.article_path(col, day, ident, rng)
            items.append(Item(title, day, _clock(rng), path))
        elif rng.random() < 0.5:
            path = attachment = cms.attachment_path(col, day, ident, ".pdf", rng)
            items.append(Item(title, day, _clock(rng), path))
        else:
            path = cms.article_path(col, day, ident, rng)
            attachment = cms.attachment_path(col, day, ident, ".pdf", rng)
            items.append(Item(title, day, _clock(rng), path,
                              (Attachment(attachment, f"{title}.pdf"),)))
        site.reports.append(AnnualReport(year, day, form, path, attachment))
    if rng.random() < 0.3:
        # The website's own 年度报表 often sits in the same column.
        day = date(latest + 1, 1, rng.randint(10, 31))
        items.append(Item(f"{site.name}{latest}年政府网站工作年度报表", day, _clock(rng),
                          cms.article_path(col, day, ids(), rng)))
    items.sort(key=lambda it: it.day, reverse=True)
    col.items = items


def _fixed_pages(site: Site) -> int:
    """Files that do not depend on the page budget: home, sections, standalone pages,
    text/blank/note columns and the annual reports."""
    count = len(site.pages) + len(site.sections)  # site.pages includes the home page
    for col in site.columns:
        if col.kind in ("text", "blank", "note", "hub"):
            count += 1
        elif col.cls == "annual-report":
            count += 1 + len(col.items) + sum(len(it.attachments) for it in col.items)
    return count


def plan_site(seed: int, index: int, pages: int, cms_name: str, charset: str) -> Site:
    """Plan one site of about ``pages`` files: identity, style, columns and their items."""
    rng = rng_for(seed, "site", index)
    cms = CMSES[cms_name]
    if cms_name == "gkmlpt":
        province = next(p for p in words.PROVINCES if p.code == "44")
    else:
        province = rng.choice(words.PROVINCES)
    city, city_code, counties = rng.choice(province.cities)
    if cms_name == "county":
        county, region = rng.choice(counties)
        name, unit, place, org = f"{county}人民政府", f"{county}人民政府办公室", county, county
        domain = f"www.{region}.gov.cn"
    else:
        dept, slug = rng.choice(words.DEPARTMENTS)
        name, region, place, org = city + dept, city_code, city, "市" + dept
        unit = name if rng.random() < 0.5 else name + "办公室"
        domain = f"{slug}.{region}.gov.cn"
    style = _style(rng, cms, charset)
    site = Site(index=index, id=f"s{index + 1:02d}-{cms_name}", name=name, unit=unit,
                domain=domain, cms=cms_name, charset=charset, province=province.code,
                place=place, org=org, style=style,
                phone=f"0{rng.randint(300, 999)}-{rng.randint(2000000, 8999999)}")
    site.footer, site.footer_mismatch = _footer(
        rng, rng_for(seed, index, "footer"), province, region, unit, style.site_metas)
    site.neglected = index % NEGLECTED_EVERY == 1
    site.hdjl = "hub" if index % 2 else "form"
    used: set[str] = set()
    site.sections = _sections(rng, cms, pages, used, style.nav, index, site.neglected)
    site.pages = {"home": "/index.html"}
    for key, slug in (("sitemap", "wzdt"), ("contact", "lxwm"), ("statement", "wzsm"),
                      ("hdjl", "hdjl")):
        site.pages[key] = cms.page_path(slug, cms.new_key(slug, rng, used))

    ids = _Ids(rng)
    annual = next(c for c in site.columns if c.cls == "annual-report")
    _annual_reports(seed, site, cms, annual, ids)
    lists = [c for c in site.columns if c.kind == "list" and c is not annual]
    budget = max(pages - _fixed_pages(site), 2 * len(lists))
    weights = [PROFILES[c.cls].weight * rng.uniform(0.6, 1.4) for c in lists]
    total = sum(weights)
    per_page = style.per_page
    counts = []
    for col, weight in zip(lists, weights, strict=True):
        prof = PROFILES[col.cls]
        # Each item costs its page, its attachments and a share of a list page.
        cost = 1 + prof.attach_p * 1.25 + (1 / per_page if cms.paginated else 0)
        counts.append(max(1, round(budget * weight / total / cost)))
    # Tiny farms still paginate: the biggest column always spans at least three pages (of
    # three items at least, however many columns share a small budget).
    biggest = counts.index(max(counts))
    counts[biggest] = max(counts[biggest], 7)
    style.per_page = min(per_page, max(3, math.ceil(max(counts) / 3)))
    for col, count in zip(lists, counts, strict=True):
        _list_items(seed, site, cms, col, count, ids)
    for col in site.columns:
        pages_of = 1
        if cms.paginated and col.items:
            pages_of = math.ceil(len(col.items) / style.per_page)
        col.list_paths = cms.column_paths(col, pages_of)
    news = next(c for c in site.columns if c.cls == "news")
    site.hot = [it for it in news.items if not it.is_document][:6]
    _broken_links(rng, site, cms, ids, used)
    _soft_404s(seed, site, cms, ids, used)
    return site


def _broken_links(rng: random.Random, site: Site, cms: Cms, ids: _Ids, used: set[str]) -> None:
    """A few dangling internal links: a deleted related article, a missing attachment, and
    (often) a home-page link to a retired special topic."""
    broken = []
    news = [c for c in site.columns if c.cls == "news" and c.items]
    col = rng.choice(news)
    item = rng.choice([it for it in col.items if not it.is_document])
    item.related_broken = cms.article_path(col, item.day, ids(), rng)
    broken.append(BrokenLink(item.related_broken, "related-article", (item.path,)))
    carriers = [(c, it) for c in site.columns if c.cls == "notice-policy" and c.kind == "list"
                for it in c.items if not it.is_document and it is not item]
    if carriers:
        col, item = rng.choice(carriers)
        ext = rng.choice((".pdf", ".doc"))
        missing = Attachment(cms.attachment_path(col, item.day, ids(), ext, rng),
                             f"附件{len(item.attachments) + 1}：{item.title}{ext}", True)
        item.attachments = (*item.attachments, missing)
        broken.append(BrokenLink(missing.path, "attachment", (item.path,)))
    if rng.random() < 0.6:
        target = cms.page_path("ztzl/bwcx2019", cms.new_key("bwcx2019", rng, used))
        broken.append(BrokenLink(target, "retired-topic", (site.pages["home"],)))
    site.broken = broken


# Error pages a deleted article's URL may serve with status 200 (bench.render writes them).
SOFT_TEMPLATES = ("ministry", "withdrawn", "iis", "java", "platform")


def _soft_404s(seed: int, site: Site, cms: Cms, ids: _Ids, used: set[str]) -> None:
    """Links whose targets answer 200 yet are gone, with a generator of their own so that
    the rest of the farm stays as it was: deleted articles that serve the CMS's error page
    (one or two), a retired special topic sent to the home page, and now and then an old
    notice sent to the site's generic /404.html (always on the first site). Two articles are
    look-alikes: one quotes
    “页面不存在” and 404 in its text, one has 404 in its title (a road); content both."""
    rng = rng_for(seed, site.index, "soft404")
    pages = [it for c in site.columns if c.kind == "list" and c.cls in ("news", "notice-policy")
             for it in c.items if not it.is_document]
    news = [c for c in site.columns if c.cls == "news" and c.items]
    soft = []
    for template in rng.sample(SOFT_TEMPLATES, rng.choice((1, 2))):
        col = rng.choice(news)
        day = SCAN_DATE - timedelta(days=rng.randint(30, 900))
        carrier = rng.choice(pages)
        anchor = words.title_for("news", rng, place=site.place, org=site.org, day=day)
        soft.append(SoftError(cms.article_path(col, day, ids(), rng), "phrase",
                              (carrier.path,), anchor, template))
    topic = cms.page_path("ztzl/aqscy2020", cms.new_key("aqscy2020", rng, used))
    soft.append(SoftError(topic, "home", (site.pages["home"],), "2020年安全生产月专题"))
    if site.index == 0 or rng.random() < 0.6:  # the first site always has one
        col = rng.choice(news)
        day = SCAN_DATE - timedelta(days=rng.randint(400, 1500))
        anchor = words.title_for("notice-policy", rng, place=site.place, org=site.org, day=day)
        soft.append(SoftError(cms.article_path(col, day, ids(), rng), "error-page",
                              (rng.choice(pages).path,), anchor))
    by_path = {it.path: it for it in pages}
    for error in soft:
        for page in error.pages:
            if page in by_path:
                item = by_path[page]
                item.related_soft = (*item.related_soft, (error.target, error.anchor))
    site.soft = soft
    quoting, road = rng.sample([it for it in pages if not it.related_soft], 2)
    quoting.title = f"{site.org}关于政府网站季度自查情况的报告"
    quoting.lookalike = "quotes"
    road.title = f"G404国道{site.place}段改扩建工程通过交工验收"
    road.lookalike = "title"


# -- truth ------------------------------------------------------------------------------------
def site_truth(site: Site, writer: Writer) -> dict[str, Any]:
    """What the generator put in one site, for comparing a crawl against."""
    columns = []
    for col in site.columns:
        newest = max((it.day for it in col.items), default=None)
        columns.append({
            "name": col.name, "class": col.cls, "path": col.path, "via": col.nav,
            "kind": col.kind, "role": col.role, "newest_date": newest.isoformat() if newest
            else None, "items": len(col.items), "list_pages": len(col.list_paths),
            "list_page_paths": list(col.list_paths), "empty_note": col.kind == "note",
            "note": col.note, "note_explains": col.note_explains,
            "hub_shape": col.hub_shape or None,
            "date_style": col.date_style if col.kind == "list" else None,
            **_dataproxy_truth(site, col),
        })
    # The menu's 互动交流 page: an on-line form or a hub of services, a column of its own.
    hdjl = site.pages["hdjl"]
    columns.append({
        "name": "互动交流", "class": "interaction", "path": hdjl, "via": "menu", "kind": site.hdjl,
        "role": site.hdjl, "newest_date": None, "items": 0, "list_pages": 1,
        "list_page_paths": [hdjl], "empty_note": False, "note": None, "note_explains": False,
        "hub_shape": "hdjl" if site.hdjl == "hub" else None, "date_style": None,
    })
    footer = {kind: {"present": f.raw is not None, "valid": f.valid, "raw": f.raw,
                     "remark": f.remark}
              for kind, f in site.footer.items()}
    return {
        "id": site.id, "name": site.name, "unit": site.unit, "cms": site.cms,
        "neglected": site.neglected,
        "charset": site.charset, "declared_charset": site.style.declared, "dir": site.id,
        "home": site.pages["home"], "files": writer.files, "html_pages": writer.html,
        "columns": columns, "footer": footer, "footer_mismatch": site.footer_mismatch,
        "broken_links": [{"target": b.target, "kind": b.kind, "pages": list(b.pages)}
                         for b in site.broken],
        "soft_404s": [{"target": e.target, "kind": e.kind, "pages": list(e.pages),
                       "template": e.template} for e in site.soft],
        "soft_404_lookalikes": [it.path for c in site.columns for it in c.items
                                if it.lookalike],
        "annual_reports": [{"year": r.year, "date": r.day.isoformat(), "form": r.form,
                            "url": r.path, "attachment": r.attachment} for r in site.reports],
    }


def _dataproxy_truth(site: Site, col: Column) -> dict[str, Any]:
    """A Hanweb list paged by its dataproxy: what a browser POSTs for each group its page
    does not embed (``dataproxy``), and the list pages a crawl walks (``walked``: the page,
    then one a group)."""
    cms = CMSES[site.cms]
    proxy = cms.dataproxy_truth(site, col) if isinstance(cms, Hanweb) else None
    return {"dataproxy": proxy, "walked": 1 + len(proxy["groups"])} if proxy else {}


def _server_meta(site: Site) -> dict[str, Any]:
    """What ``_portal.yaml`` tells PortalServer besides the site: where a Hanweb site's
    dataproxy finds the records of its lists."""
    cms = CMSES[site.cms]
    if isinstance(cms, Hanweb) and any(cms.proxied(site, col) for col in site.columns):
        return {"dataproxy": {cms.PROXY: cms.PROXY_FOLDER}}
    return {}


def write_site(seed: int, site: Site, folder: Path) -> dict[str, Any]:
    """Write a planned site into ``folder`` and return its truth."""
    writer = Writer(folder, site.charset)
    SiteRenderer(seed, site, writer).write()
    meta = {"id": site.id, "name": site.name, "unit": site.unit, "charset": site.charset,
            **_server_meta(site)}
    (folder / "_portal.yaml").write_text(
        yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return site_truth(site, writer)


def generate_farm(out: Path, sites: int, pages: int, seed: int) -> dict[str, Any]:
    """Generate the farm into ``out`` (which must be empty or absent); return the truth."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    truth_sites = []
    county_seen = 0
    charset_rng = rng_for(seed, "charset")
    for index, cms_name in enumerate(cms_sequence(seed, sites)):
        charset = _charset(cms_name, county_seen, charset_rng)
        county_seen += cms_name == "county"
        site = plan_site(seed, index, pages, cms_name, charset)
        truth_sites.append(write_site(seed, site, out / site.id))
    truth = {"generator": "bench.farm", "seed": seed, "sites_requested": sites,
             "pages_per_site": pages, "scan_date": SCAN_DATE.isoformat(), "sites": truth_sites}
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    return truth


# What an edit of a week adds to a page: visible text, no link (so the page's reading changes
# and its links do not, as when an article is corrected).
_EDIT = "<p class=\"revised\">本页内容于第{week}周更新。</p>"
_HTML_SUFFIXES = (".html", ".shtml", ".htm")


def change_pages(out: Path, week: int, share: float = 0.1) -> list[Path]:
    """Edit *share* of each site's HTML pages of the farm in ``out`` for *week* (1, 2, …), as
    a week of a portal's life: a sentence added to each, in the page's charset. Which pages
    depends on the week and the file's path alone, so the same farm and week give the same
    edits. Return the files changed."""
    changed = []
    for folder in sorted(p for p in Path(out).iterdir() if (p / "_portal.yaml").is_file()):
        charset = yaml.safe_load((folder / "_portal.yaml").read_text(encoding="utf-8"))[
            "charset"]
        pages = sorted(p for p in folder.rglob("*") if p.suffix in _HTML_SUFFIXES)
        order = sorted(pages, key=lambda p: hashlib.blake2b(
            f"{week}:{p.relative_to(folder).as_posix()}".encode(), digest_size=8).digest())
        for page in order[:round(len(pages) * share)]:
            html = page.read_bytes().decode(charset)
            at = html.lower().rfind("</body>")
            at = len(html) if at < 0 else at
            page.write_bytes((html[:at] + _EDIT.format(week=week) + html[at:]).encode(charset))
            changed.append(page)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a farm and print one line per site and a total."""
    parser = argparse.ArgumentParser(prog="python -m bench.farm",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write (empty or absent)")
    parser.add_argument("--sites", type=int, default=20, help="number of sites (default 20)")
    parser.add_argument("--pages", type=int, default=5000,
                        help="files per site, about (default 5000)")
    parser.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing farm (a folder holding truth.json)")
    args = parser.parse_args(argv)
    if args.sites < 1 or args.pages < 1:
        parser.error("--sites and --pages must be positive")
    if args.force and (args.out / "truth.json").is_file():
        shutil.rmtree(args.out)
    started = time.monotonic()
    try:
        truth = generate_farm(args.out, args.sites, args.pages, args.seed)
    except FileExistsError as err:
        print(f"bench.farm: {err} (use --force to replace a farm)", file=sys.stderr)
        return 2
    files = 0
    for site in truth["sites"]:
        files += site["files"]
        print(f"{site['id']:<12} {site['cms']:<7} {site['charset']:<6} files={site['files']:>6} "
              f"columns={len(site['columns']):>3} {site['name']}")
    seconds = time.monotonic() - started
    print(f"farm {args.out}: {len(truth['sites'])} sites, {files} files in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
