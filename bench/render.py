"""Rendering of a planned site (:mod:`bench.farm`) into files: pages, documents, assets.

:class:`SiteRenderer` walks one :class:`~bench.model.Site` and writes every page through a
:class:`Writer` as soon as it is rendered, so nothing but the plan stays in memory. Page
chrome comes from :mod:`bench.chrome`, what differs between CMSs from :mod:`bench.cms`.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from bench import words
from bench.chrome import Chrome, leaders_table
from bench.cms import CMSES
from bench.model import SCAN_DATE, Column, Item, Section, Site, rng_for

__all__ = ["SiteRenderer", "Writer", "annual_report_html", "document_bytes"]


# -- rendering --------------------------------------------------------------------------------
def _png() -> bytes:
    """A valid 1×1 transparent PNG, for logos and badges."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


PNG_BYTES = _png()
ASSET_TEXT = {
    ".css": "body{margin:0;font:14px/1.8 \"Microsoft YaHei\",SimSun,sans-serif}"
            ".w1200{width:1200px;margin:0 auto}.list li{overflow:hidden}\n",
    ".js": "function showDate(){var d=new Date();document.write(d.getFullYear()+'年'+"
           "(d.getMonth()+1)+'月'+d.getDate()+'日');}\nfunction doZoom(s){}\n"
           "function doSearch(f){return false;}\n",
}


class Writer:
    """Writes one site's files, creating folders once; counts files and HTML pages."""

    def __init__(self, root: Path, charset: str) -> None:
        self.root = root
        self.charset = charset
        self.files = 0
        self.html = 0
        self._dirs: set[Path] = set()

    def data(self, path: str, data: bytes) -> None:
        """Write ``data`` at the site-absolute ``path``."""
        target = self.root / path.lstrip("/")
        folder = target.parent
        if folder not in self._dirs:
            folder.mkdir(parents=True, exist_ok=True)
            self._dirs.add(folder)
        target.write_bytes(data)
        self.files += 1

    def page(self, path: str, text: str) -> None:
        """Write an HTML page in the site's encoding (strict: GBK pages hold only GBK)."""
        self.data(path, text.encode(self.charset))
        self.html += 1


# Real documents made by LibreOffice: a one-page 公示 as PDF and DOC, a sheet as XLS.
_DOCUMENTS = Path(__file__).parent.parent / "tests" / "crawler" / "fixtures" / "documents"
_SECTOR = 512  # an OLE file is whole sectors: bytes added to a DOC or XLS are one more


@lru_cache(maxsize=4)
def _document(name: str) -> bytes:
    return (_DOCUMENTS / name).read_bytes()


def document_bytes(path: str) -> bytes:
    """A small real document of the type its name says, which a scan reads as text: the
    LibreOffice-made fixture (``notice.pdf``, ``notice.doc``, ``roster.xls``) with its path
    written after the file's end (a PDF comment; an OLE file's padding sector), so that each
    attachment is a content of its own, read once, as on a portal."""
    mark = f"\n%bench {path}\n".encode()
    if path.endswith(".pdf"):
        return _document("notice.pdf") + mark
    base = _document("roster.xls" if path.endswith(".xls") else "notice.doc")
    return base + mark[:_SECTOR].ljust(_SECTOR, b"\0")


def _display_order(col: Column) -> list[Item]:
    pinned = [it for it in col.items if it.pinned]
    return pinned + [it for it in col.items if not it.pinned]


def _chunks(items: list[Item], size: int, pages: int) -> Iterator[list[Item]]:
    if pages == 1:
        yield items
        return
    for n in range(pages):
        yield items[n * size:(n + 1) * size]


def _paragraphs(paras: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paras)


class SiteRenderer:
    """Renders and writes every page of one planned site."""

    def __init__(self, seed: int, site: Site, writer: Writer) -> None:
        self.seed = seed
        self.site = site
        self.cms = CMSES[site.cms]
        self.chrome = Chrome(site, self.cms.assets)
        self.out = writer
        self.rng = rng_for(seed, site.index, "render")
        self.reports = {r.path: r for r in site.reports}

    def page(self, path: str, title: str, body: str, **kwargs: Any) -> None:
        """Write one page with the site's chrome around ``body``."""
        self.out.page(path, self.chrome.page(path, title=title, body=body, **kwargs))

    def write(self) -> None:
        """Write the whole site: assets, home, sections, standalone pages, columns."""
        jiucuo = self.site.footer["jiucuo"]
        copies = (jiucuo.raw,) if jiucuo.form == "copy" and jiucuo.raw else ()
        for asset in (*self.cms.assets, "/images/logo.png", "/images/ga.png", *copies):
            suffix = asset[asset.rfind("."):]
            text = ASSET_TEXT.get(suffix)
            self.out.data(asset, text.encode("utf-8") if text else PNG_BYTES)
        self.home()
        for section in self.site.sections:
            self.section(section)
        self.standalone()
        for col in self.site.columns:
            self.column(col)
        self.soft_404s()

    # -- home, sections, standalone pages -----------------------------------------------------
    def home(self) -> None:
        """The home page: news and notice blocks, 政府信息公开 links, 专题 links."""
        site, chrome, path = self.site, self.chrome, self.site.pages["home"]
        style = self.rng.choice(("md-plain", "iso", "bracket"))
        listed = [c for c in site.columns if c.kind == "list" and c.items
                  and c.cls in ("news", "notice-policy")][:5]
        blocks = "".join(chrome.block(path, c, 7, style) for c in listed)
        open_links = "".join(
            f'<li><a href="{escape(chrome.column_href(path, c))}">{escape(c.name)}</a></li>'
            for c in site.columns if c.cls in ("overview", "annual-report")
        )
        topics = [(c.name, chrome.column_href(path, c)) for c in site.sections[-1].columns]
        topics += [("不忘初心 牢记使命主题教育", chrome.link(path, b.target))
                   for b in site.broken if b.kind == "retired-topic"]
        topics += [(e.anchor, chrome.link(path, e.target)) for e in site.soft if e.kind == "home"]
        topic_html = "".join(f'<li><a href="{escape(h)}">{escape(n)}</a></li>' for n, h in topics)
        body = (f'<div class="home-blocks">{blocks}</div>'
                f'<div class="home-open"><h3>政府信息公开</h3><ul>{open_links}</ul></div>'
                f'<div class="home-topics"><h3>专题专栏</h3><ul>{topic_html}</ul></div>')
        self.page(path, site.name, body, home=True)

    def section(self, section: Section) -> None:
        """A section landing page: the column tree and a block per list column."""
        chrome = self.chrome
        blocks = "".join(chrome.block(section.path, c, 5, "iso") for c in section.columns
                         if c.kind == "list" and c.items)
        body = (f'<div class="left">{chrome.section_tree(section.path, section)}</div>'
                f'<div class="right">{blocks}</div>')
        self.page(section.path, f"{section.name}_{self.site.name}", body,
                  crumbs=[(section.name, None)])

    def standalone(self) -> None:
        """网站地图, 联系我们, 网站声明 and the 互动交流 form."""
        site, chrome = self.site, self.chrome
        path = site.pages["sitemap"]
        trees = "".join(chrome.section_tree(path, s) for s in site.sections)
        self.page(path, f"网站地图_{site.name}", f'<div class="sitemap">{trees}</div>',
                  crumbs=[("网站地图", None)])
        contact = (f"<p>单位名称：{escape(site.unit)}</p><p>通讯地址：{escape(site.place)}"
                   f"人民路{self.rng.randint(1, 300)}号</p><p>联系电话：{site.phone}</p>"
                   f'<p>电子邮箱：<a href="mailto:bgs@{site.domain}">bgs@{site.domain}</a></p>')
        self.page(site.pages["contact"], f"联系我们_{site.name}", contact,
                  crumbs=[("联系我们", None)])
        statement = _paragraphs([
            f"本网站由{site.unit}主办，所载信息均为公开信息。",
            "未经授权，任何单位和个人不得转载本网站原创内容。转载请注明来源。",
            "本网站提供的信息仅供参考，以正式文件为准。"])
        self.page(site.pages["statement"], f"网站声明_{site.name}", statement,
                  crumbs=[("网站声明", None)])
        form = ('<form class="consult" method="post" onsubmit="return false;">'
                '<p>姓名：<input type="text" name="name"></p><p>联系电话：<input type="text" '
                'name="phone"></p><p>标题：<input type="text" name="title"></p><p>内容：'
                '<textarea name="content"></textarea></p><p><input type="submit" value="提交">'
                "</p></form>")
        if site.hdjl == "hub":
            path = site.pages["hdjl"]
            services = [(name, f"https://hd.{site.domain}/{slug}/") for name, slug in
                        (("领导信箱", "ldxx"), ("在线咨询", "zxzx"), ("网上调查", "wsdc"),
                         ("征集调查", "zjdc"), ("在线访谈", "zxft"))]
            services.append(("联系我们", chrome.link(path, site.pages["contact"])))
            cells = "".join(
                f'<li><a href="{escape(href)}" target="_blank"><img src="'
                f'{escape(chrome.link(path, "/images/logo.png"))}" alt="{escape(name)}"></a>'
                f'<a href="{escape(href)}" target="_blank">{escape(name)}</a></li>'
                for name, href in services)
            self.page(path, f"互动交流_{site.name}",
                      f'<h2>互动交流</h2><div class="hdjl-box"><ul>{cells}</ul></div>',
                      crumbs=[("互动交流", None)])
        else:
            self.page(site.pages["hdjl"], f"互动交流_{site.name}",
                      f"<h2>在线咨询</h2><p>请如实填写以下信息，我们将在5个工作日内答复。</p>"
                      f"{form}", crumbs=[("互动交流", None)])

    # -- columns ------------------------------------------------------------------------------
    def column(self, col: Column) -> None:
        """A column's list pages, then its articles, documents and attachments."""
        if col.kind == "text":
            self.text_page(col)
            return
        if col.kind == "hub":
            self.hub_page(col)
            return
        chrome, cms, site = self.chrome, self.cms, self.site
        section = col.section
        assert section is not None
        metas = cms.list_metas(site, col)
        order = _display_order(col)
        chunks = _chunks(order, site.style.per_page, len(col.list_paths))
        for page_no, (path, items) in enumerate(zip(col.list_paths, chunks, strict=True)):
            body = (f'<div class="left">{chrome.section_tree(path, section, col)}</div>'
                    f'<div class="right">{cms.list_body(chrome, path, col, items, page_no)}</div>')
            self.page(path, f"{col.name}_{site.name}", body, metas=metas,
                      crumbs=[(section.name, section.path), (col.name, None)])
        for path, text in cms.list_files(chrome, col, order).items():
            self.out.data(path, text.encode("utf-8"))  # what the server answers from
        for k, item in enumerate(col.items):
            if item.is_document:
                self.out.data(item.path, document_bytes(item.path))
                continue
            prev = col.items[k - 1] if k > 0 else None
            nxt = col.items[k + 1] if k + 1 < len(col.items) else None
            self.article(col, item, prev, nxt)

    def text_page(self, col: Column) -> None:
        """An overview column: 领导信息 table or 机构职能 text, sometimes with 更新时间."""
        site, rng = self.site, self.rng
        if col.slug == "ldxx":
            posts = ("局长" if site.cms != "county" else "县长", "副职", "副职", "党组成员")
            leaders = [(words.person_name(rng), post, f"负责{rng.choice(words.TOPICS)}等工作")
                       for post in posts]
            content = leaders_table(leaders)
        else:
            duties = [f"（{n}）负责{rng.choice(words.TOPICS)}相关工作，组织实施有关政策措施。"
                      for n in "一二三四五"]
            content = _paragraphs([f"{site.unit}是{site.name}的办事机构。主要职责是：", *duties])
        if rng.random() < 0.3:
            updated = SCAN_DATE - timedelta(days=rng.randint(100, 900))
            content += f'<div class="update">更新时间：{updated:%Y-%m-%d}</div>'
        section = col.section
        assert section is not None
        body = (f'<div class="left">{self.chrome.section_tree(col.path, section, col)}</div>'
                f'<div class="right"><h2>{escape(col.name)}</h2>{content}</div>')
        self.page(col.path, f"{col.name}_{site.name}", body, metas=self.cms.list_metas(site, col),
                  crumbs=[(section.name, section.path), (col.name, None)])

    def hub_page(self, col: Column) -> None:
        """A hub (导航页面): links to the section's columns, to services or to 专题, in one of
        three shapes; no item of its own."""
        site, chrome, path = self.site, self.chrome, col.path
        section = col.section
        assert section is not None
        siblings = [(c.name, chrome.column_href(path, c)) for c in section.columns
                    if c is not col and c.kind != "hub"]
        if col.hub_shape == "columns":
            links = [*siblings, ("依申请公开", f"https://ysq.{site.domain}/"),
                     ("政府信息公开意见箱", f"https://yjx.{site.domain}/")]
            rows = "".join(f'<li><a href="{escape(h)}">{escape(n)}</a></li>' for n, h in links)
            content = f'<div class="xxgk-list"><ul>{rows}</ul></div>'
        elif col.hub_shape == "services":
            logo = escape(chrome.link(path, "/images/logo.png"))
            links = [(n, f"https://zwfw.{site.domain}/{s}/") for n, s in
                     (("个人办事", "grbs"), ("法人办事", "frbs"), ("部门服务", "bmfw"),
                      ("公共服务", "ggfw"), ("便民查询", "bmcx"), ("办件公示", "bjgs"))]
            content = '<div class="fw-grid">' + "".join(
                f'<a href="{escape(h)}" target="_blank"><img src="{logo}" alt="{escape(n)}">'
                f"<p>{escape(n)}</p></a>" for n, h in links) + "</div>"
        else:  # table: the section's 专题 and two of the province's
            links = [*siblings, ("营商环境专题", f"https://yshj.{site.domain}/"),
                     ("乡村振兴专题", f"https://xczx.{site.domain}/")]
            pairs = [links[k:k + 2] for k in range(0, len(links), 2)]
            rows = "".join("<tr>" + "".join(f'<td><a href="{escape(h)}">{escape(n)}</a></td>'
                                            for n, h in pair) + "</tr>" for pair in pairs)
            content = f'<table class="list-table" width="100%">{rows}</table>'
        body = (f'<div class="left">{chrome.section_tree(path, section, col)}</div>'
                f'<div class="right"><h2>{escape(col.name)}</h2>{content}</div>')
        self.page(path, f"{col.name}_{site.name}", body, metas=self.cms.list_metas(site, col),
                  crumbs=[(section.name, section.path), (col.name, None)])

    def article(self, col: Column, item: Item, prev: Item | None, nxt: Item | None) -> None:
        """One article page (or annual report) and its attachments."""
        site, chrome, cms, rng = self.site, self.chrome, self.cms, self.rng
        path = item.path
        variant = rng.randrange(1000)  # picks among a CMS's article-info layouts
        report = self.reports.get(path)
        if report is not None:
            content = annual_report_html(rng, site.name, report.year, bool(item.attachments))
        else:
            content = _paragraphs(words.body_paragraphs(rng, site.place, item.day,
                                                        rng.randint(2, 5)))
        if item.lookalike == "quotes":
            content += _paragraphs([SELF_CHECK])
        extras = []
        if item.attachments:
            links = "".join(f'<li><a href="{escape(chrome.link(path, a.path))}">'
                            f"{escape(a.label)}</a></li>" for a in item.attachments)
            extras.append(f'<div class="attachments">附件：<ul>{links}</ul></div>')
        if item.related_broken:
            extras.append(f'<div class="related">相关文件：<a href="'
                          f'{escape(chrome.link(path, item.related_broken))}">'
                          f"关于{escape(rng.choice(words.TOPICS))}的通知</a></div>")
        extras.extend(f'<div class="related">相关阅读：<a href="'
                      f'{escape(chrome.link(path, target))}">{escape(anchor)}</a></div>'
                      for target, anchor in item.related_soft)
        neighbours = []
        for label, other in (("上一篇", prev), ("下一篇", nxt)):
            link = (f'<a href="{escape(chrome.link(path, other.path))}">{escape(other.title)}</a>'
                    if other else "没有了")
            neighbours.append(f"<p>{label}：{link}</p>")
        body = (f'<div class="article"><h1 class="article-title">{escape(item.title)}</h1>'
                f"{cms.article_info(site, col, item, variant)}"
                f'<div class="article-content" id="zoom">{content}</div>{"".join(extras)}'
                f'<div class="prev-next">{"".join(neighbours)}</div>'
                '<div class="tools"><a href="javascript:window.print();">打印本页</a> '
                '<a href="javascript:window.close();">关闭窗口</a></div></div>'
                f"{chrome.article_sidebar(path)}")
        section = col.section
        assert section is not None
        self.page(path, f"{item.title}_{site.name}", body,
                  metas=cms.article_metas(site, col, item),
                  crumbs=[(section.name, section.path), (col.name, col.path), ("正文", None)])
        for att in item.attachments:
            if not att.missing:
                self.out.data(att.path, document_bytes(att.path))

    # -- soft 404s ----------------------------------------------------------------------------
    def soft_404s(self) -> None:
        """What the soft 404s of the plan answer with, all 200: the CMS's error page at a
        deleted article's URL, or a page that sends the reader on at once (a meta refresh,
        as a redirect from static files) to the home page or to the generic /404.html."""
        site = self.site
        for error in site.soft:
            if error.kind == "phrase":
                self.error_page(error.target, error.template)
            elif error.kind == "home":
                self.out.page(error.target, self.refresh(site.pages["home"]))
            else:
                self.out.page(error.target, self.refresh(GENERIC_ERROR_PAGE))
        if any(e.kind == "error-page" for e in site.soft):
            self.error_page(GENERIC_ERROR_PAGE, "picture")

    def refresh(self, target: str) -> str:
        """A page that sends the reader to ``target`` straight away."""
        return (f"{DOCTYPE}<head>{self.chrome.charset_meta()}"
                f'<meta http-equiv="refresh" content="0;url={escape(target)}">'
                "<title>正在跳转</title></head><body></body></html>\n")

    def error_page(self, path: str, template: str) -> None:
        """The error page ``template`` (see bench.farm.SOFT_TEMPLATES) at ``path``: the site's
        chrome around a message, or a server's or platform's page of its own."""
        site = self.site
        if template in ERROR_MESSAGES:  # inside the site's chrome, titled with its name
            self.page(path, site.name, ERROR_MESSAGES[template])
            return
        title, body = ERROR_TEMPLATES[template]
        self.out.page(path, f"{DOCTYPE}<head>{self.chrome.charset_meta()}<title>{title}</title>"
                            f"</head><body>{body}</body></html>\n")


# The look-alike article's paragraph: it quotes error prompts, as inspection reports do.
SELF_CHECK = ("经逐页巡检，部分历史文章的附件链接打开后提示“页面不存在”，个别专题页面返回404错误；"
              "对发现的失效链接已全部清理或更正，并安排专人每周对全站链接排查一次。")
DOCTYPE = "<!DOCTYPE html>\n<html>"
GENERIC_ERROR_PAGE = "/404.html"
# Error pages seen on government sites (tests/crawler/errorpages/ holds trimmed copies).
ERROR_MESSAGES = {
    "ministry": ('<div class="box404"><div class="txt">温馨提示：您访问的页面不存在或已删除</div>'
                 '<div class="btn"><a href="/">返回首页</a></div></div>'),
    "withdrawn": '<div class="article"><div class="article-content">该信息已撤销</div></div>',
    # the generic page deep links are sent to: a picture and a way home, nothing to read
    "picture": ('<div class="box404"><img src="/images/logo.png" alt="">'
                '<a href="/">返回首页</a></div>'),
}
ERROR_TEMPLATES = {
    "iis": ("无法找到网页", "<h1>无法找到网页</h1>"
                        "您正在搜索的网页可能已经删除、更名或暂时不可用。<hr>"
                        "<h2>HTTP 错误 404 - 找不到文件或目录。</h2>"),
    "java": ("404 - 页面不存在", '<div class="page-header"><h1>页面不存在.</h1></div>'
                               '<a href="/">返回首页</a>'),
    "platform": ("404 错误页面", '<div class="error-container"><h1>404 抱歉，您访问的页面没有找到！'
                               "</h1><h4>请检查访问的地址是否正确或联系系统管理员</h4></div>"),
}


def annual_report_html(rng: random.Random, name: str, year: int, attached: bool) -> str:
    """Body of an annual report page: the 2021 template's six headings and table 三, whose
    rows add up (一 + 二 = 三（七） + 四 in every column). An attached report says so instead."""
    if attached:
        return _paragraphs([f"{name}{year}年政府信息公开工作年度报告全文见附件。"])
    heads = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
             "六、其他需要报告的事项")
    cols = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
    new = [rng.randint(0, 20) for _ in cols]
    carried = [rng.randint(0, 2) for _ in cols]
    later = [rng.randint(0, min(1, n + c)) for n, c in zip(new, carried, strict=True)]
    done = [n + c - x for n, c, x in zip(new, carried, later, strict=True)]
    opened = [rng.randint(0, d) for d in done]
    rows = (("一、本年新收政府信息公开申请数量", new),
            ("二、上年结转政府信息公开申请数量", carried),
            ("三、本年度办理结果（一）予以公开", opened),
            ("（二）部分公开等其他结果", [d - o for d, o in zip(done, opened, strict=True)]),
            ("（七）总计", done), ("四、结转下年度继续办理", later))
    header = "".join(f"<th>{c}</th>" for c in cols) + "<th>总计</th>"
    body = "".join(f"<tr><td>{label}</td>" + "".join(f"<td>{v}</td>" for v in vals)
                   + f"<td>{sum(vals)}</td></tr>" for label, vals in rows)
    parts = [f"<h2>{heads[0]}</h2>", _paragraphs([f"{year}年，{name}认真贯彻落实《中华人民共和国"
                                                   "政府信息公开条例》，扎实推进政务公开工作。"])]
    parts.append(f"<h2>{heads[1]}</h2><p>全年主动公开政府信息{rng.randint(80, 900)}条。</p>")
    parts.append(f"<h2>{heads[2]}</h2><table border=\"1\"><tr><th>项目</th>{header}</tr>"
                 f"{body}</table>")
    parts.extend(f"<h2>{h}</h2><p>无。</p>" for h in heads[3:])
    return "".join(parts)
