"""What differs between the CMSs of the farm: URL schemes, list containers, pagers, and the
information line of article pages.

- TRS WCM: ``/<section>/<col>/index.html``, ``index_1.html``… announced only by a
  ``createPageHTML`` script call; articles ``/<section>/<col>/YYYYMM/tYYYYMMDD_<id>.html``;
  relative links; attachments ``P0…`` beside the article.
- Hanweb 大汉 jcms: ``/col/col<id>/index.html`` holding the records as XML inside
  ``<script type="text/xml"><datastore>``: all of them for a short list; for a list longer
  than one jpage group (3 × perPage), the first group only, the others served by
  ``/module/web/jpage/dataproxy.jsp`` (POST, the page's ``ajaxParam``) from the records
  written to ``_dataproxy/<col>.xml``; articles ``/art/<Y>/<M>/<D>/art_<col>_<id>.html``.
- Guangdong gkmlpt-like: ``/<section>/<col>/index.html``, ``index_2.html``… with numbered
  pager links; news at ``…/content/post_<id>.html``, 政务公开 documents at
  ``/gkmlpt/content/<a>/<b>/post_<id>.html`` with an 索引号/成文日期/发布日期 table.
- generic county CMS: ``/<col>/index.shtml``, ``index_2.shtml``… with 首页/上一页/下一页/尾页;
  articles ``/<YYYYMM>/<32 hex>.shtml``; often GBK.

Everything page-wide (header, navigation, footer, item markup) is in :mod:`bench.chrome`.
"""

from __future__ import annotations

import posixpath
import random
from datetime import date
from html import escape
from typing import Any
from urllib.parse import urlencode

from bench.chrome import Chrome
from bench.model import Column, Item, Site

__all__ = ["CMSES", "Cms", "Hanweb"]


def _info(fields: list[tuple[str, str]], cls: str = "article-info") -> str:
    spans = "".join(f"<span>{label}{value}</span>" for label, value in fields if value)
    return f'<div class="{cls}">{spans}</div>'


class Cms:
    """Base profile; subclasses override paths and the few markup pieces that differ."""

    name = "generic"
    ext = ".html"
    assets: tuple[str, ...] = ("/css/common.css", "/js/jquery.min.js", "/js/common.js")
    paginated = True  # one file per list page (Hanweb embeds the whole list in one)
    first_extra_page = 2  # number in the name of the second list page (index_2)
    pagers: tuple[str, ...] = ("links",)
    date_styles: tuple[str, ...] = ("iso", "bracket")
    # str.format patterns; fields: dir (the column's folder), key, day, ident, ext, a and b
    # (ident // 10**6, ident // 10**3), b_low, and random hex16, hex32, n7, n12.
    article_url = "{dir}content/post_{ident}{ext}"
    attachment_url = "/uploadfiles/{day:%Y%m}/{hex16}{ext}"

    # -- paths --------------------------------------------------------------------------------
    def new_key(self, slug: str, rng: random.Random, used: set[str]) -> str:
        """The CMS's id of a new column or page (the slug, unless the CMS numbers them)."""
        return slug

    def page_path(self, slug: str, key: str) -> str:
        """A section landing page or a standalone page (网站地图, 联系我们…)."""
        return f"/{slug}/index{self.ext}"

    def column_dir(self, col: Column) -> str:
        """The folder of a column's list pages."""
        section = col.section.slug if col.section else "lm"
        return f"/{section}/{col.slug}/"

    def column_paths(self, col: Column, pages: int) -> list[str]:
        """Paths of a column's list pages, first page first."""
        folder = self.column_dir(col)
        paths = [f"{folder}index{self.ext}"]
        first = self.first_extra_page
        paths.extend(f"{folder}index_{n}{self.ext}" for n in range(first, first + pages - 1))
        return paths

    def article_path(self, col: Column, day: date, ident: int, rng: random.Random) -> str:
        """Where an article of ``col`` published on ``day`` lives."""
        return self._fill(self.article_url, col, day, ident, self.ext, rng)

    def attachment_path(self, col: Column, day: date, ident: int, ext: str,
                        rng: random.Random) -> str:
        """Where an attached document (``ext``: ``.pdf``, ``.doc``…) lives."""
        return self._fill(self.attachment_url, col, day, ident, ext, rng)

    def _fill(self, pattern: str, col: Column, day: date, ident: int, ext: str,
              rng: random.Random) -> str:
        # Random parts are drawn whether the pattern uses them or not, so that every CMS
        # consumes the generator alike.
        return pattern.format(
            dir=self.column_dir(col), key=col.key, day=day, ident=ident, ext=ext,
            a=ident // 1000000, b=ident // 1000, b_low=ident // 1000 % 1000,
            hex16=f"{rng.getrandbits(64):016x}", hex32=f"{rng.getrandbits(128):032x}",
            n7=rng.randrange(10**7), n12=f"{rng.randrange(10**12):012d}",
        )

    # -- list pages ---------------------------------------------------------------------------
    def list_metas(self, site: Site, col: Column) -> list[tuple[str, str]]:
        """<meta> tags of a column's list pages."""
        return [("ColumnName", col.name)] if site.style.site_metas else []

    def list_body(self, chrome: Chrome, page: str, col: Column, items: list[Item],
                  page_no: int) -> str:
        """The list area of one list page: items (or the column's note) and the pager."""
        if col.kind == "note":
            listing = f'<div class="no-data">{escape(col.note or "")}</div>'
        else:
            date_style = col.date_style
            listing = chrome.wrap_items(chrome.items_html(page, items, date_style))
        pager = self.pager(chrome, col, page_no, len(col.list_paths), len(col.items))
        return (f'<div class="list-box"><h2 class="list-title">{escape(col.name)}</h2>'
                f"{listing}{pager}</div>")

    def pager(self, chrome: Chrome, col: Column, page_no: int, pages: int, total: int) -> str:
        """Pager of list page ``page_no`` (0-based) of ``pages``: numbered links by default."""
        if pages <= 1:
            return ""
        names = [posixpath.basename(p) for p in col.list_paths]
        parts = [f'<a href="{names[0]}">首页</a>']
        if page_no > 0:
            parts.append(f'<a href="{names[page_no - 1]}" class="prev">上一页</a>')
        low = max(0, min(page_no - 2, pages - 5))
        for n in range(low, min(pages, low + 5)):
            parts.append(f'<span class="curr">{n + 1}</span>' if n == page_no
                         else f'<a href="{names[n]}">{n + 1}</a>')
        if page_no < pages - 1:
            parts.append(f'<a href="{names[page_no + 1]}" class="next">下一页</a>')
        parts.append(f'<a href="{names[-1]}">尾页</a>')
        return f'<div class="page">{"".join(parts)}<span>共{pages}页</span></div>'

    def list_files(self, chrome: Chrome, col: Column, order: list[Item]) -> dict[str, str]:
        """Files a column's list needs besides its pages (none but for Hanweb's dataproxy)."""
        return {}

    # -- article pages ------------------------------------------------------------------------
    def article_metas(self, site: Site, col: Column, item: Item) -> list[tuple[str, str]]:
        """<meta> tags of an article page."""
        if not site.style.article_metas:
            return []
        return [("ArticleTitle", item.title), ("PubDate", f"{item.day:%Y-%m-%d} {item.clock[:5]}"),
                ("ContentSource", site.unit), ("ColumnName", col.name)]

    def article_info(self, site: Site, col: Column, item: Item, variant: int) -> str:
        """The line (or table) under an article's title: date, source. ``variant`` (random)
        picks among a CMS's layouts."""
        label = site.style.pubdate_label
        stamp = f"{item.day:%Y-%m-%d} {item.clock}"
        return _info([(f"{label}：" if label else "", stamp if label else ""),
                      ("来源：", site.unit)])


# The function TRS templates define inline (verbatim in spirit, comments included).
TRS_PAGER_JS = r"""
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	// 1 输出首页和上一页
	if(nCurrIndex == 0){
		document.write("首页&nbsp;上一页&nbsp;");
	}else{
		var nPreIndex = nCurrIndex - 1;
		var sPre = nPreIndex == 0 ? "" : ("_" + nPreIndex);
		document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;");
		document.write("<a href=\"" + _sPageName + sPre + "." + _sPageExt + "\">上一页</a>&nbsp;");
	}
	// 2 输出下一页和尾页
	if(nCurrIndex == (_nPageCount-1)){
		document.write("下一页&nbsp;尾页&nbsp;");
	}else{
		var sNext = _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt;
		var sLast = _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt;
		document.write("<a href=\"" + sNext + "\">下一页</a>&nbsp;");
		document.write("<a href=\"" + sLast + "\">尾页</a>&nbsp;");
	}
}
"""


class Trs(Cms):
    """TRS WCM: relative links, createPageHTML pagination, ``tYYYYMMDD_<id>.html``."""

    name = "trs"
    first_extra_page = 1  # TRS numbers from index_1.html
    pagers = ("trs4", "trs4-inline", "trs6")
    article_url = "{dir}{day:%Y%m}/t{day:%Y%m%d}_{ident}.html"
    attachment_url = "{dir}{day:%Y%m}/P0{day:%Y%m%d}{n12}{ext}"

    def pager(self, chrome: Chrome, col: Column, page_no: int, pages: int, total: int) -> str:
        # TRS prints the call even for a one-page list; the links exist only once it runs.
        variant = chrome.style.pager
        if variant == "trs6":
            return (f'<div class="page" id="page_div"></div><script type="text/javascript">'
                    f"createPageHTML('page_div', {pages}, {page_no}, 'index', 'html', {total});"
                    "</script>")
        define = TRS_PAGER_JS if variant == "trs4-inline" else ""
        return (f'<div class="page"><script type="text/javascript">{define}'
                f'createPageHTML({pages}, {page_no}, "index", "html");</script></div>')

    def article_info(self, site: Site, col: Column, item: Item, variant: int) -> str:
        label = site.style.pubdate_label
        stamp = f"{item.day:%Y-%m-%d} {item.clock[:5]}"
        zoom = ('[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a>'
                ' <a href="javascript:doZoom(14)">小</a>]')
        return _info([(f"{label}：" if label else "", stamp if label else ""),
                      ("来源：", site.unit), ("字体：", zoom)])


class Hanweb(Cms):
    """Hanweb 大汉 jcms: numbered columns, datastore XML lists, ``art_<col>_<id>.html``."""

    name = "hanweb"
    paginated = False
    pagers = ("jpage",)
    assets = ("/css/common.css", "/module/jslib/jquery/jquery.js",
              "/module/jslib/jquery/jpage/jquery.page.min.js", "/js/common.js")
    article_url = "/art/{day.year}/{day.month}/{day.day}/art_{key}_{ident}.html"
    attachment_url = "/attach/0/{hex32}{ext}"

    def new_key(self, slug: str, rng: random.Random, used: set[str]) -> str:
        while True:
            key = str(rng.randrange(10000, 999999))
            if key not in used:
                used.add(key)
                return key

    def page_path(self, slug: str, key: str) -> str:
        return f"/col/col{key}/index.html"

    def column_dir(self, col: Column) -> str:
        return f"/col/col{col.key}/"

    def column_paths(self, col: Column, pages: int) -> list[str]:
        return [f"/col/col{col.key}/index.html"]

    def list_metas(self, site: Site, col: Column) -> list[tuple[str, str]]:
        # jcms always writes the column metas, whatever the site's other habits.
        return [("ColumnName", col.name), ("ColumnDescription", col.name),
                ("ColumnType", col.name)]

    def list_body(self, chrome: Chrome, page: str, col: Column, items: list[Item],
                  page_no: int) -> str:
        uid = self._unit(col)
        proxied = self.proxied(chrome.site, col)
        shown = items[:self.group(chrome.site)] if proxied else items
        records = self._records(chrome, page, col, shown)
        note = f'<div class="no-data">{escape(col.note)}</div>' if col.kind == "note" else ""
        per_page = chrome.style.per_page
        ajax = self._ajax_param(chrome.site, col) if proxied else \
            f"{{columnid:{col.key},unitid:{uid}}}"
        jpage = (
            '<script type="text/javascript">$(function(){$("#' + str(uid) + '").jpage({'
            f'dataStore:$("#{uid} script").html(),perPage:{per_page},'
            f"totalRecord:{len(col.items)},groupSize:{self.GROUP_SIZE},barPosition:\"bottom\","
            f"ajaxParam:{ajax},"
            f"proxyUrl:\"{self.PROXY}\",dataBefore:'<ul class=\"list\">',"
            "dataAfter:'</ul>'});});</script>"
        )
        nextgroup = self._nextgroup(chrome.site, col) if proxied else ""
        return (
            f'<div class="list-box"><h2 class="list-title">{escape(col.name)}</h2>{note}'
            f'<div id="{uid}"><script type="text/xml"><datastore>{nextgroup}<recordset>\n'
            f"{records}\n</recordset></datastore></script></div>{jpage}</div>"
        )

    # -- dataproxy.jsp: the groups of a long list that its page does not embed ----------------
    PROXY = "/module/web/jpage/dataproxy.jsp"
    PROXY_FOLDER = "_dataproxy"  # where the server finds each list's records
    GROUP_SIZE = 3  # jpage's groupSize: pages of records one dataproxy answer brings

    def group(self, site: Site) -> int:
        """Records one jpage group holds: what a page embeds, and each dataproxy answer."""
        return self.GROUP_SIZE * site.style.per_page

    def proxied(self, site: Site, col: Column) -> bool:
        """Whether the column's page embeds only its first group, the dataproxy the rest."""
        return col.kind == "list" and len(col.items) > self.group(site)

    def proxy_params(self, site: Site, col: Column) -> dict[str, str]:
        """The form jpage POSTs to the dataproxy (jcms's ``ajaxParam``)."""
        return {"col": "1", "appid": "1", "webid": str(site.index + 1), "path": "/",
                "columnid": col.key, "sourceContentType": "1", "unitid": str(self._unit(col)),
                "webname": site.name, "permissiontype": "0"}

    def list_files(self, chrome: Chrome, col: Column, order: list[Item]) -> dict[str, str]:
        if not self.proxied(chrome.site, col):
            return {}
        return {f"/{self.PROXY_FOLDER}/{col.key}.xml":
                self._records(chrome, col.path, col, order) + "\n"}

    def dataproxy_truth(self, site: Site, col: Column) -> dict[str, Any] | None:
        """What a browser asks the dataproxy for after the embedded group of a proxied list:
        one POST of the params per further group (startrecord, endrecord, perpage)."""
        if not self.proxied(site, col):
            return None
        group = self.group(site)
        return {"url": self.PROXY, "params": self.proxy_params(site, col),
                "perpage": site.style.per_page, "embedded": group,
                "groups": [[start, start + group - 1]
                           for start in range(group + 1, len(col.items) + 1, group)]}

    @staticmethod
    def _unit(col: Column) -> int:
        return int(col.key) % 9000 + 1000

    @staticmethod
    def _records(chrome: Chrome, page: str, col: Column, items: list[Item]) -> str:
        return "\n".join(
            f"<record><![CDATA[\n{frag}\n]]></record>"
            for frag in chrome.items_html(page, items, col.date_style, "ul")  # jpage wraps <ul>
        )

    def _ajax_param(self, site: Site, col: Column) -> str:
        pairs = (f"{k}:{v}" if v.isdigit() else f"{k}:'{v}'"
                 for k, v in self.proxy_params(site, col).items())
        return "{" + ",".join(pairs) + "}"

    def _nextgroup(self, site: Site, col: Column) -> str:
        query = urlencode({k: v for k, v in self.proxy_params(site, col).items()
                           if k != "sourceContentType"})
        return f'<nextgroup><![CDATA[<a href="{self.PROXY}?page=1&{query}"></a>]]></nextgroup>'

    def article_metas(self, site: Site, col: Column, item: Item) -> list[tuple[str, str]]:
        # jcms always writes the article metas.
        return [("ArticleTitle", item.title), ("PubDate", f"{item.day:%Y-%m-%d} {item.clock[:5]}"),
                ("ContentSource", site.unit), ("ColumnName", col.name),
                ("ColumnType", col.name)]

    def article_info(self, site: Site, col: Column, item: Item, variant: int) -> str:
        label = site.style.pubdate_label
        return _info([(f"{label}：" if label else "", f"{item.day:%Y-%m-%d}" if label else ""),
                      ("信息来源：", site.unit),
                      ("", '【<a href="javascript:window.print()">打印</a>】')])


def _is_gkml(col: Column) -> bool:
    """政务公开 columns of Guangdong sites publish into the gkmlpt document platform."""
    return col.section is not None and col.section.slug == "zwgk"


class Gkmlpt(Cms):
    """Guangdong's intensive platform: ``content/post_<id>.html`` and gkmlpt documents."""

    name = "gkmlpt"
    gkml_url = "/gkmlpt/content/{a}/{b}/post_{ident}.html"
    attachment_url = "/attachment/0/{b_low}/{b}/{n7}{ext}"

    def article_path(self, col: Column, day: date, ident: int, rng: random.Random) -> str:
        if _is_gkml(col):
            return self._fill(self.gkml_url, col, day, ident, self.ext, rng)
        return super().article_path(col, day, ident, rng)

    def article_info(self, site: Site, col: Column, item: Item, variant: int) -> str:
        if not _is_gkml(col):
            label = site.style.pubdate_label
            stamp = f"{item.day:%Y-%m-%d} {item.clock}"
            return _info([(f"{label} : " if label else "", stamp if label else ""),
                          ("来源 : ", site.unit)], "date")
        # The document table prints the day it was signed (成文) before the day it was
        # published; only the latter is the item's date.
        signed = date.fromordinal(item.day.toordinal() - 3 - variant % 9)
        code = site.footer["site_code"].value or "000000000"
        rows = (("索引号", f"{code}/{item.day.year}-{variant:05d}"), ("分类", col.name),
                ("发布机构", site.unit), ("成文日期", f"{signed:%Y-%m-%d}"),
                ("发布日期", f"{item.day:%Y-%m-%d}"), ("名称", item.title))
        cells = "".join(f'<tr><th>{k}：</th><td>{escape(v)}</td></tr>' for k, v in rows)
        return f'<table class="classify">{cells}</table>'


class County(Cms):
    """A county CMS: ``.shtml`` everywhere, flat column folders, month-folder articles."""

    name = "county"
    ext = ".shtml"
    pagers = ("county-div", "county-table")
    date_styles = ("md", "iso", "cn")
    article_url = "/{day:%Y%m}/{hex32}.shtml"

    def column_dir(self, col: Column) -> str:
        return f"/{col.slug}/"

    def pager(self, chrome: Chrome, col: Column, page_no: int, pages: int, total: int) -> str:
        names = [posixpath.basename(p) for p in col.list_paths]
        prev = (f'<a href="{names[page_no - 1]}">上一页</a>' if page_no > 0 else "上一页")
        nxt = (f'<a href="{names[page_no + 1]}">下一页</a>' if page_no < pages - 1 else "下一页")
        parts = (f"共{total}条记录", f"{pages}页", f"当前第{page_no + 1}页",
                 f'<a href="{names[0]}">首页</a>', prev, nxt, f'<a href="{names[-1]}">尾页</a>')
        if chrome.style.pager == "county-table":
            cells = "".join(f"<td>{p}</td>" for p in parts)
            return f'<table class="pager" align="center"><tr>{cells}</tr></table>'
        return f'<div class="pager">{"&nbsp;&nbsp;".join(parts)}</div>'

    def article_info(self, site: Site, col: Column, item: Item, variant: int) -> str:
        label = site.style.pubdate_label
        stamp = (f"{item.day.year}年{item.day.month:02d}月{item.day.day:02d}日"
                 if variant % 2 else f"{item.day:%Y-%m-%d} {item.clock}")
        return _info([(f"{label}：" if label else "", stamp if label else ""),
                      ("作者：", ""), ("来源：", site.unit),
                      ("点击数：", '<span id="hits">-</span>')], "info")


CMSES: dict[str, Cms] = {c.name: c for c in (Trs(), Hanweb(), Gkmlpt(), County())}

