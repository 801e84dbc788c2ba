"""Page chrome shared by every CMS of the farm: head, header banner, navigation, breadcrumb,
sidebars, footer, and the pieces of list and article pages that all CMSs print alike.

Real portals differ less in their chrome than in their URL schemes and list markup, so one
set of templates, varied by the site's :class:`~bench.model.Style`, serves all four CMSs;
:mod:`bench.cms` supplies what is CMS-specific. Rendered pieces that do not depend on the
page (or, for relative-link sites, only on the page's folder) are cached per site.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from html import escape

from bench.model import SCAN_DATE, Column, Item, Section, Site

__all__ = ["Chrome", "fmt_date"]

WEEKDAYS = "一二三四五六日"
DOCTYPES = {
    "html5": "<!DOCTYPE html>\n<html lang=\"zh-CN\">",
    "xhtml": (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">'
    ),
}
PROVINCE_PORTALS = {
    "62": ("甘肃省人民政府", "https://www.gansu.gov.cn/"),
    "61": ("陕西省人民政府", "http://www.shaanxi.gov.cn/"),
    "44": ("广东省人民政府", "https://www.gd.gov.cn/"),
    "53": ("云南省人民政府", "https://www.yn.gov.cn/"),
    "51": ("四川省人民政府", "https://www.sc.gov.cn/"),
    "41": ("河南省人民政府", "https://www.henan.gov.cn/"),
    "32": ("江苏省人民政府", "http://www.jiangsu.gov.cn/"),
    "33": ("浙江省人民政府", "https://www.zj.gov.cn/"),
}


def fmt_date(day: date, style: str) -> str:
    """A date as list pages print it; ``md`` leaves the year to be implied by the list."""
    if style == "bracket":
        return f"[{day:%Y-%m-%d}]"
    if style == "slash":
        return f"{day:%Y/%m/%d}"
    if style == "cn":
        return f"{day.year}年{day.month:02d}月{day.day:02d}日"
    if style == "md":
        return f"[{day:%m-%d}]"
    if style == "md-plain":
        return f"{day:%m-%d}"
    return f"{day:%Y-%m-%d}"


def _a(href: str, text: str, *, title: bool = False, blank: bool = False, cls: str = "") -> str:
    attrs = f' href="{escape(href)}"'
    if cls:
        attrs += f' class="{cls}"'
    if blank:
        attrs += ' target="_blank"'
    if title:
        attrs += f' title="{escape(text)}"'
    return f"<a{attrs}>{escape(text)}</a>"


class Chrome:
    """Renders the shared parts of one site's pages."""

    def __init__(self, site: Site, assets: Sequence[str]) -> None:
        self.site = site
        self.style = site.style
        self.assets = tuple(assets)
        self._cache: dict[tuple[str, str], str] = {}

    # -- links --------------------------------------------------------------------------------
    def link(self, page: str, target: str) -> str:
        """The href of ``target`` on ``page`` (relative on TRS-style sites)."""
        return self.site.link(page, target)

    def column_href(self, page: str, col: Column) -> str:
        """Link to a column as navigation writes it: its folder on relative-link (TRS) sites."""
        target = col.path
        if self.style.relative_links and target.endswith("/index.html"):
            target = target[: -len("index.html")]
        return self.link(page, target)

    def _cached(self, name: str, page: str, build: Callable[[str], str]) -> str:
        # Only relative links make a piece depend on the page, and then only on its folder.
        key = (name, posixpath.dirname(page) if self.style.relative_links else "")
        text = self._cache.get(key)
        if text is None:
            text = build(page)
            self._cache[key] = text
        return text

    # -- page shell ---------------------------------------------------------------------------
    def page(
        self,
        page: str,
        *,
        title: str,
        body: str,
        metas: Iterable[tuple[str, str]] = (),
        crumbs: Sequence[tuple[str, str | None]] = (),
        home: bool = False,
    ) -> str:
        """A whole HTML page: head, header, navigation, breadcrumb, ``body``, footer."""
        style = self.style
        parts = [DOCTYPES[style.doctype], "<head>", self.charset_meta(),
                 f"<title>{escape(title)}</title>"]
        if style.site_metas:
            parts.append(self._cached("site_metas", page, self._site_metas))
        parts.extend(f'<meta name="{n}" content="{escape(v)}">' for n, v in metas)
        parts.append(self._cached("assets", page, self._assets))
        parts.append("</head>\n<body>")
        parts.append(self._cached("header", page, self._header))
        if style.nav != "header":
            parts.append(self._cached("nav", page, self._nav))
        parts.append('<div class="main w1200">')
        if crumbs:
            parts.append(self.breadcrumb(page, crumbs))
        parts.append(body)
        parts.append("</div>")
        parts.append(self._cached("footer_home" if home else "footer", page,
                                  lambda p: self._footer(p, home)))
        parts.append("</body>\n</html>\n")
        return "\n".join(parts)

    def charset_meta(self) -> str:
        """The ``<meta>`` that declares the site's charset, in the site's way."""
        if self.style.meta_charset == "meta":
            return f'<meta charset="{self.style.declared}">'
        return (
            '<meta http-equiv="Content-Type" '
            f'content="text/html; charset={self.style.declared}" />'
        )

    def _site_metas(self, page: str) -> str:
        site = self.site
        code = site.footer["site_code_meta"].raw or ""
        return (
            f'<meta name="SiteName" content="{escape(site.name)}">\n'
            f'<meta name="SiteDomain" content="{site.domain}">\n'
            f'<meta name="SiteIDCode" content="{escape(code)}">'
        )

    def _assets(self, page: str) -> str:
        out = []
        for asset in self.assets:
            ref = escape(self.link(page, asset))
            if asset.endswith(".css"):
                out.append(f'<link rel="stylesheet" type="text/css" href="{ref}">')
            elif asset.endswith(".js"):
                out.append(f'<script type="text/javascript" src="{ref}"></script>')
        return "\n".join(out)

    # -- header and navigation ----------------------------------------------------------------
    def _header(self, page: str) -> str:
        site = self.site
        if self.style.banner_date:
            today = (f"今天是{SCAN_DATE.year}年{SCAN_DATE.month}月{SCAN_DATE.day}日 "
                     f"星期{WEEKDAYS[SCAN_DATE.weekday()]}")
        else:
            today = '<script type="text/javascript">showDate();</script>'
        logo = escape(self.link(page, "/images/logo.png"))
        nav = self._nav(page) if self.style.nav == "header" else ""
        return (
            '<div class="top-bar"><div class="w1200">'
            f'<span class="today">{today}</span>'
            '<span class="top-links"><a href="javascript:void(0);" '
            'onclick="SetHome(this,window.location)">设为首页</a> | '
            '<a href="javascript:void(0);" onclick="AddFavorite()">加入收藏</a> | '
            '<a href="javascript:void(0);" id="assist-open">无障碍浏览</a></span>'
            "</div></div>\n"
            '<div class="header"><div class="w1200">'
            f'<a class="logo" href="{escape(self.link(page, "/"))}">'
            f'<img src="{logo}" alt="{escape(site.name)}"></a>'
            f'<div class="site-name">{escape(site.name)}</div>'
            '<div class="search"><form name="searchform" method="get" '
            'onsubmit="return doSearch(this);"><input type="text" name="q" '
            'placeholder="请输入关键字"><input type="submit" value="搜索"></form></div>'
            f"{nav}</div></div>"
        )

    def _nav_entries(self) -> list[tuple[str, str, list[Column]]]:
        """(text, target path, submenu columns) of the main menu, in order."""
        site = self.site
        entries: list[tuple[str, str, list[Column]]] = [("首页", "/", [])]
        menu_cols = [c for c in site.columns if c.nav == "menu"]
        for section in site.sections:
            sub = [c for c in section.columns if c.nav == "submenu"]
            entries.append((section.name, section.path, sub))
            if section is site.sections[0]:
                entries.extend((c.name, c.path, []) for c in menu_cols)
        entries.append(("互动交流", site.pages["hdjl"], []))
        return entries

    def _nav(self, page: str) -> str:
        entries = self._nav_entries()
        if self.style.nav == "header":
            cells = "".join(
                f"<td>{_a(self._target(page, t), text)}</td>" for text, t, _ in entries
            )
            return f'<table class="nav" cellspacing="0" cellpadding="0"><tr>{cells}</tr></table>'
        items = []
        for text, target, sub in entries:
            link = _a(self._target(page, target), text)
            if sub:
                subs = "".join(f"<li>{_a(self.column_href(page, c), c.name)}</li>" for c in sub)
                items.append(f'<li class="nav-item has-sub">{link}<ul class="sub-nav">'
                             f"{subs}</ul></li>")
            else:
                items.append(f'<li class="nav-item">{link}</li>')
        return ('<div class="nav"><div class="w1200"><ul class="nav-list">'
                f'{"".join(items)}</ul></div></div>')

    def _target(self, page: str, target: str) -> str:
        for col in self.site.columns:
            if col.list_paths and col.path == target:
                return self.column_href(page, col)
        return self.link(page, target)

    def breadcrumb(self, page: str, crumbs: Sequence[tuple[str, str | None]]) -> str:
        """当前位置 trail: 首页 then each (text, target); a None target is plain text."""
        parts = [_a(self.link(page, "/"), "首页")]
        for text, target in crumbs:
            parts.append(_a(self.link(page, target), text) if target else escape(text))
        sep = self.style.crumb_sep
        return f'<div class="position">{self.style.breadcrumb}{sep.join(parts)}</div>'

    # -- sidebars -----------------------------------------------------------------------------
    def section_tree(self, page: str, section: Section, current: Column | None = None) -> str:
        """Left-hand tree of a section's columns, the current one marked."""
        rows = []
        for col in section.columns:
            cls = ' class="on"' if col is current else ""
            rows.append(f"<li{cls}>{_a(self.column_href(page, col), col.name)}</li>")
        return (f'<div class="left-nav"><h2>{escape(section.name)}</h2>'
                f'<ul>{"".join(rows)}</ul></div>')

    def article_sidebar(self, page: str) -> str:
        """热点信息 (the site's newest news) and 相关链接 (external portals) boxes."""
        if not self.style.sidebar:
            return ""
        return self._cached("sidebar", page, self._sidebar)

    def _sidebar(self, page: str) -> str:
        hot = "".join(
            f"<li>{_a(self.link(page, it.path), it.title, title=True, blank=True)}</li>"
            for it in self.site.hot
        )
        name, url = PROVINCE_PORTALS[self.site.province]
        related = (("中国政府网", "https://www.gov.cn/"), (name, url),
                   ("国家政务服务平台", "https://gjzwfw.www.gov.cn/"))
        links = "".join(f"<li>{_a(u, n, blank=True)}</li>" for n, u in related)
        return (
            '<div class="side">'
            f'<div class="side-box"><h3>热点信息</h3><ul>{hot}</ul></div>'
            f'<div class="side-box"><h3>相关链接</h3><ul>{links}</ul></div></div>'
        )

    # -- lists --------------------------------------------------------------------------------
    def items_html(self, page: str, items: Sequence[Item], date_style: str,
                   markup: str | None = None) -> list[str]:
        """One markup fragment per item (title link and printed date), in list order."""
        markup = markup or self.style.list_markup
        out = []
        for it in items:
            pin = '<em class="zd">[置顶]</em>' if it.pinned else ""
            a = _a(self.link(page, it.path), it.title, title=True, blank=True)
            day = fmt_date(it.day, date_style)
            if markup == "table":
                out.append(f'<tr><td class="title">{pin}{a}</td><td class="date">{day}</td></tr>')
            elif markup == "div":
                out.append(f'<div class="list-item">{pin}{a}<span class="date">{day}</span></div>')
            else:
                out.append(f"<li>{pin}{a}<span class=\"date\">{day}</span></li>")
        return out

    def wrap_items(self, fragments: Sequence[str], markup: str | None = None) -> str:
        """The list container around item fragments."""
        markup = markup or self.style.list_markup
        inner = "\n".join(fragments)
        if markup == "table":
            return f'<table class="list-table" width="100%" cellspacing="0">\n{inner}\n</table>'
        if markup == "div":
            return f'<div class="list">\n{inner}\n</div>'
        return f'<ul class="list">\n{inner}\n</ul>'

    def block(self, page: str, col: Column, count: int, date_style: str) -> str:
        """A home-page or section-page block: column title, 更多 link, newest items."""
        items = self.items_html(page, col.items[:count], date_style, "ul")
        more = _a(self.column_href(page, col), "更多>>", cls="more")
        return (f'<div class="block"><div class="block-hd"><h3>{escape(col.name)}</h3>{more}'
                f"</div>{self.wrap_items(items, 'ul')}</div>")

    # -- footer -------------------------------------------------------------------------------
    def _footer(self, page: str, home: bool) -> str:
        site, style = self.site, self.style
        facts = site.footer
        links = " | ".join(
            _a(self.link(page, site.pages[key]), text)
            for key, text in (("sitemap", "网站地图"), ("contact", "联系我们"),
                              ("statement", "网站声明"))
        )
        rows = [links]
        sponsor = facts["sponsor"].raw
        who = f"主办单位：{escape(sponsor)}　" if sponsor else ""
        rows.append(f"{who}联系电话：{site.phone}")
        ids = []
        icp = facts["icp"]
        if icp.raw and icp.form == "unlinked":
            ids.append(escape(icp.raw))
        elif icp.raw:
            ids.append('<a href="https://beian.miit.gov.cn/" target="_blank">'
                       f"{escape(icp.raw)}</a>")
        psb = facts["psb"]
        if psb.raw:
            ga = escape(self.link(page, "/images/ga.png"))
            ids.append(
                '<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
                f'{psb.value}" target="_blank"><img src="{ga}" alt="">{escape(psb.raw)}</a>'
            )
        code = facts["site_code"].raw
        if code:
            ids.append(f"网站标识码：{escape(code)}")
        rows.append("　".join(ids))
        rows.append(f"版权所有 &copy; {style.copyright_from}-{SCAN_DATE.year} {escape(site.name)}")
        badges = [self._conac()]
        if home or style.jiucuo_everywhere:
            badges.append(self._jiucuo())
        badge_html = "".join(b for b in badges if b)
        if style.footer == "table":
            cells = "".join(f'<tr><td align="center">{r}</td></tr>' for r in rows)
            body = (f'<table class="footer-table" width="100%"><tr><td class="badge">'
                    f"{badge_html}</td><td><table>{cells}</table></td></tr></table>")
        else:
            body = "".join(f"<p>{r}</p>" for r in rows) + f'<div class="badges">{badge_html}</div>'
        return f'<div class="footer"><div class="w1200">{body}</div></div>'

    def _conac(self) -> str:
        fact = self.site.footer["conac"]
        raw = fact.raw
        if not raw:
            return ""
        if fact.form == "write":  # the snippet conac hands out
            return ('<script type="text/javascript">document.write(unescape("%3Cspan '
                    "id='_ideConac' %3E%3C/span%3E%3Cscript src='" + raw + "' "
                    "type='text/javascript'%3E%3C/script%3E\"));</script>")
        if fact.form == "script":
            return (f'<span id="_ideConac"><script type="text/javascript" src="{raw}">'
                    "</script></span>")
        return (f'<a href="{escape(raw)}" target="_blank">'
                '<img src="https://dcs.conac.cn/image/red.png" alt="党政机关"></a>')

    def _jiucuo(self) -> str:
        fact = self.site.footer["jiucuo"]
        if not fact.raw:
            return ""
        if fact.form in ("script", "copy"):  # a copy: an absolute path on the site itself
            return (f'<script id="_jiucuo_" sitecode="{fact.value}" src="{fact.raw}">'
                    "</script>")
        return f'<a href="{escape(fact.raw)}" target="_blank">我为政府网站找错</a>'


def leaders_table(rows: Iterable[tuple[str, str, str]]) -> str:
    """领导信息 table: name, post, duties."""
    body = "".join(f"<tr><td>{escape(n)}</td><td>{escape(p)}</td><td>{escape(d)}</td></tr>"
                   for n, p, d in rows)
    return ('<table class="leaders" width="100%" border="1"><tr><th>姓名</th><th>职务</th>'
            f"<th>工作分工</th></tr>{body}</table>")
