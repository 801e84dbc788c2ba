#!/usr/bin/env python3
"""Build the fixture portals and the demo portals from the data at the bottom of this file.

    python tests/portals/generate.py              # rewrite them in place
    python tests/portals/generate.py --out DIR    # write DIR/tests/portals/… and
                                                  #       DIR/govwatch/demo/portals/…

Test portals: tests/portals/{trs,hanweb,gbk}/ (each with _portal.yaml and expected.yaml).
Demo portals: govwatch/demo/portals/{xianyang-jtj,yongshou-gov,xianyang-sthjj}/.

Deterministic: no clock, no randomness, images and zip files stored uncompressed, so a second
run gives the same bytes (tests/demo/test_portalserver.py checks this). expected.yaml is written
from the same site data the pages are written from; it is never produced by a crawler.
The output is meant to look like what TRS WCM, Hanweb 大汉 jcms and a generic county GBK CMS
publish (docs/cms.md); edit the data or the templates here and run the script again.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import posixpath
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
AS_OF = date(2026, 11, 24)  # the scan date the fixtures are written for
WEEKDAYS = "一二三四五六日"
ON = ' class="on"'


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def esc(text: str) -> str:
    return html.escape(text, quote=True)


def num(seed: str) -> int:
    return int(hashlib.md5(seed.encode("utf-8")).hexdigest()[:12], 16)


def hex32(seed: str) -> str:
    return hashlib.md5(seed.encode("utf-8")).hexdigest()


def parse_date(text: str) -> date:
    y, m, d = (int(p) for p in text.split("-"))
    return date(y, m, d)


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def banner(d: date = AS_OF) -> str:
    return f"今天是{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


def rel(from_page: str, target: str) -> str:
    """TRS-style relative link from the page at ``from_page`` to ``target`` (both absolute)."""
    from_dir = posixpath.dirname(from_page) or "/"
    is_dir = target.endswith("/")
    r = posixpath.relpath(target.rstrip("/") or "/", from_dir)
    if r == ".":
        return "./"
    if not r.startswith(".."):
        r = "./" + r
    return r + "/" if is_dir else r


def truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --------------------------------------------------------------------------------------------
# binary files: PNG, PDF, DOCX, RTF-as-DOC
# --------------------------------------------------------------------------------------------
def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 0))
            + chunk(b"IEND", b""))


def _pdf_text(text: str) -> str:
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def pdf(title: str, lines: list[str], created: date) -> bytes:
    """A one-page PDF in STSong-Light (a standard CJK font, not embedded)."""
    ops = ["BT", "/F1 16 Tf", "56 780 Td", f"{_pdf_text(title)} Tj", "/F1 11 Tf"]
    for line in lines:
        ops += ["0 -24 Td", f"{_pdf_text(line)} Tj"]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    stamp = f"D:{created:%Y%m%d}093000+08'00'"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
        ("<< /Title <FEFF" + title.encode("utf-16-be").hex().upper() + "> "
         f"/Producer (govwatch fixtures) /CreationDate ({stamp}) >>").encode("ascii"),
    ]
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal valid .docx (stored, fixed timestamps)."""
    def para(text: str) -> str:
        return f'<w:p><w:r><w:t xml:space="preserve">{html.escape(text)}</w:t></w:r></w:p>'

    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body>" + para(title) + "".join(para(p) for p in paragraphs) + "</w:body></w:document>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": document,
    }
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def rtf_doc(title: str, paragraphs: list[str]) -> bytes:
    """An RTF document, the way many county sites publish '.doc' files."""
    def enc(text: str) -> str:
        out = []
        for ch in text:
            code = ord(ch)
            if code < 128:
                out.append("\\" + ch if ch in "\\{}" else ch)
            else:
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
        return "".join(out)

    body = "".join(f"{enc(p)}\\par\n" for p in [title, *paragraphs])
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\n"
            "\\f0\\fs28 " + body + "}\n").encode("ascii")


# --------------------------------------------------------------------------------------------
# site data model
# --------------------------------------------------------------------------------------------
@dataclass
class Item:
    date: str
    title: str
    doc_no: str = ""          # 文号 (policy documents)
    written: str = ""         # 成文日期 (policy tables)
    attach: str = ""          # attachment type written next to the article: pdf, docx, doc
    attach_only: bool = False  # the list links straight to the attachment (Hanweb 年报)
    pubdate_meta: bool = True  # <meta name="PubDate"> on the article page
    related: str = ""         # an internal link written into the body (path)
    related_text: str = ""
    expect: bool = False      # list this article in expected.yaml
    # filled in by the builders
    url: str = ""
    attachment_url: str = ""
    id: str = ""

    @property
    def d(self) -> date:
        return parse_date(self.date)


@dataclass
class Column:
    name: str
    cls: str                  # news, notice-policy, personnel-planning, overview, annual-report,
    key: str                  # other — folder name (TRS, county) or column id (Hanweb)
    kind: str                 # news, notice, policy, personnel, report, overview, empty
    items: list[Item] = field(default_factory=list)
    per_page: int = 20
    note: str = ""            # text shown by an empty column (暂无信息)
    explains: bool = False    # the note says why nothing exists (a bare 暂无信息 does not)
    layout: str = "ul"        # county CMS: ul or table
    date_fmt: str = "iso"     # county CMS list dates: md ([MM-DD]), iso, bracket, slash
    group: str = ""           # navigation group (dropdown) the column sits in
    url: str = ""             # first list page, filled in by the builders
    list_pages: list[str] = field(default_factory=list)  # every list page, filled in likewise
    overview: list[tuple[str, list[str]]] = field(default_factory=list)  # overview sections
    leaders: list[tuple[str, str, str]] = field(default_factory=list)
    # Hanweb: the page embeds only the first group (3 × per_page) of its records, and jpage
    # asks dataproxy.jsp for the others (filled in with what a browser POSTs: dataproxy_truth)
    proxy: bool = False
    dataproxy: dict[str, Any] = field(default_factory=dict)

    @property
    def newest(self) -> date | None:
        return max((i.d for i in self.items), default=None)


@dataclass
class Site:
    key: str                  # folder name
    style: str                # trs, hanweb, county
    id: str
    name: str
    unit: str
    short: str                # 市交通运输局 (how the body text names the unit)
    domain: str
    site_code: str
    icp: str
    psb: str                  # as displayed
    psb_code: str             # recordcode in the beian link ('' = no link)
    phone: str
    address: str
    postcode: str
    sub: str                  # addressees of notices: 各县区交通运输局、局属各单位
    source: str               # 来源
    conac: str                # footer HTML of the 党政机关 badge ('' = none)
    jiucuo: str               # footer HTML of the 找错 entry ('' = none)
    columns: list[Column]
    nav: list[Any]            # column keys, ("group", [keys]) or ("label", "http…")
    home_blocks: list[str]    # column keys shown on the home page
    footer_expected: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)      # extra _portal.yaml keys
    expected_extra: dict[str, Any] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # 友情链接
    since: int = 2005
    robots: str = "User-agent: *\nAllow: /\n"
    service: str = "https://zwfw.gansu.gov.cn/"   # 网上办事大厅 (provincial service portal)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# --------------------------------------------------------------------------------------------
# body text
# --------------------------------------------------------------------------------------------
NEWS_PARAGRAPHS: list[tuple[tuple[str, ...], list[str]]] = [
    (("座谈", "会议", "推进会", "分析会", "联席会", "调度会", "工作会", "学习会", "常委会", "开幕", "观摩会"), [
        "会议指出，做好当前各项工作事关人民群众切身利益和经济社会发展大局，各级各部门要切实提高政治站位，"
        "增强责任意识，把各项工作抓实抓细抓到位。",
        "会议要求，要坚持问题导向，聚焦重点领域和关键环节，建立健全工作台账，明确责任分工和完成时限，"
        "确保各项任务落地见效。",
    ]),
    (("检查", "督查", "抽检", "督导", "巡查", "整治", "专项行动", "抽查"), [
        "检查组深入一线，采取查阅资料、实地查看、座谈交流等方式，详细了解工作开展情况，对发现的问题现场反馈、"
        "督促整改。",
        "针对检查中发现的问题，检查组要求相关单位立即整改，建立问题台账，实行销号管理，确保问题整改到位。",
    ]),
    (("调研",), [
        "调研组一行先后深入项目现场和基层单位，实地查看工作进展，听取情况汇报，详细询问存在的困难和问题，"
        "现场研究解决办法。",
        "调研指出，要坚持规划引领，强化要素保障，加快推进项目建设，切实发挥示范带动作用。",
    ]),
    (("培训", "比武", "示范班"), [
        "培训采取专题授课、案例分析、现场教学相结合的方式，围绕相关政策法规和业务知识进行了系统讲解。",
        "参训人员纷纷表示，此次培训内容丰富、针对性强，将把所学知识运用到实际工作中，不断提升履职能力。",
    ]),
    (("活动", "宣传", "演练", "节", "慰问"), [
        "活动中，工作人员通过发放宣传资料、现场讲解、答疑解惑等方式，向群众宣传相关政策法规，共发放宣传资料"
        "1200余份，接受群众咨询300余人次。",
        "大家一致表示，将以此次活动为契机，进一步转变工作作风，提升服务质量，以实际行动推动各项工作再上新台阶。",
    ]),
    ((), [
        "据了解，今年以来，{short}坚持稳中求进工作总基调，统筹推进各项重点工作，取得了阶段性成效。",
        "在推进过程中，{short}注重加强部门协作，细化工作措施，强化跟踪问效，确保各项工作按期完成。",
    ]),
]
NEWS_CLOSING = [
    "下一步，{short}将持续加强督促指导，推动工作常态化、制度化，为经济社会高质量发展提供有力保障。",
    "{short}相关负责同志及各相关单位负责同志参加。",
    "下一步，{short}将认真总结经验做法，压紧压实工作责任，确保各项工作取得实效。",
]
NOTICE_POINTS = [
    "一、提高思想认识。各单位要充分认识做好此项工作的重要意义，切实加强组织领导，明确工作责任，"
    "确保各项工作有序推进。",
    "二、突出工作重点。要对照工作要求，全面开展自查自纠，建立问题清单，及时消除风险隐患，确保工作取得实效。",
    "三、加强信息报送。各单位要明确一名联络员，及时报送工作进展情况，遇有重要情况随时报告。",
]


def news_body(site: Site, item: Item) -> list[str]:
    d = item.d
    seed = num(item.title)
    first = f"{d.month}月{d.day}日，{item.title.replace(' ', '，')}。"
    middle = next(paras for words, paras in NEWS_PARAGRAPHS
                  if not words or any(w in item.title for w in words))
    closing = NEWS_CLOSING[seed % len(NEWS_CLOSING)]
    return [first, *(p.format(short=site.short) for p in middle), closing.format(short=site.short)]


def closing_word(title: str) -> str:
    for tail, word in (("公示", "特此公示。"), ("通告", "特此通告。"), ("公告", "特此公告。")):
        if title.endswith(tail):
            return word
    return "特此通知。"


def notice_body(site: Site, item: Item) -> list[str]:
    paras = [f"{site.sub}："]
    if item.title.endswith(("公示", "公告", "通告")):
        paras.append(f"根据有关规定，现将{item.title.removeprefix('关于')}有关事项公布如下：")
        paras.append("一、公示（公告）内容详见附件或正文所列名单。")
        paras.append(f"二、公示期为5个工作日。公示期间，如有异议，请以书面形式向{site.short}反映，"
                     f"联系电话：{site.phone}。")
    else:
        paras.append("为切实做好相关工作，根据上级有关要求，结合工作实际，现就有关事项通知如下：")
        paras.extend(NOTICE_POINTS)
        paras.append(f"联系人：王某某，联系电话：{site.phone}。")
    paras.append(closing_word(item.title))
    return paras


def policy_body(site: Site, item: Item) -> list[str]:
    name = ""
    if "《" in item.title and "》" in item.title:
        name = item.title[item.title.index("《") + 1: item.title.index("》")]
    paras = [f"{site.sub}："]
    if name:
        paras.append(f"现将《{name}》印发给你们，请结合实际，认真贯彻执行。")
    else:
        paras.append("为进一步规范相关工作，根据有关法律法规规定，结合实际，提出如下意见：")
    paras += [
        "第一条 为了规范管理，提高工作效能，保障人民群众合法权益，根据有关法律、法规和政策规定，"
        "结合本地实际，制定本办法。",
        "第二条 本办法适用于本行政区域内的相关管理活动。",
        "第三条 各有关单位应当按照职责分工，加强协调配合，共同做好相关工作。",
        "第四条 本办法自印发之日起施行，有效期五年。",
    ]
    return paras


def personnel_body(site: Site, item: Item) -> list[str]:
    return [
        "根据《党政领导干部选拔任用工作条例》和《事业单位公开招聘人员暂行规定》等有关规定，"
        f"经{site.short}研究，现将有关事项予以公示（公告）。",
        "公示期为5个工作日。公示期间，对公示对象有异议的，可通过来电、来信、来访等方式反映。"
        "反映问题要实事求是，以真实姓名反映问题的，我们将严格保密并及时反馈核查结果。",
        f"受理电话：{site.phone}",
        f"通讯地址：{site.address}，邮编：{site.postcode}",
    ]


def article_paragraphs(site: Site, col: Column, item: Item) -> list[str]:
    if col.kind == "news":
        return news_body(site, item)
    if col.kind == "notice":
        return notice_body(site, item)
    if col.kind == "policy":
        return policy_body(site, item)
    if col.kind == "personnel":
        return personnel_body(site, item)
    return news_body(site, item)


def paragraphs_html(paras: list[str], style: str = "text-indent: 2em;") -> str:
    return "\n".join(f'<p style="{style}">{esc(p)}</p>' for p in paras)


def signature_html(site: Site, item: Item) -> str:
    return (f'<p style="text-align: right;">{esc(site.name)}</p>\n'
            f'<p style="text-align: right;">{cn_date(item.d)}</p>')


# -- annual report (政府信息公开工作年度报告, 国办公开办函〔2021〕30号 template) --------------------
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
RESULT_ROWS: list[tuple[str, list[str]]] = [
    ("（一）予以公开", []),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    ("（三）不予公开", ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                     "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
                     "7.属于行政执法案卷", "8.属于行政查询事项"]),
    ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                     "3.补正后申请内容仍不明确"]),
    ("（五）不予处理", ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
                     "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"]),
    ("（六）其他处理", ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                     "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                     "3.其他"]),
]


def report_numbers(seed: int) -> dict[str, list[int]]:
    """Table 三 in the 2021 layout; 一 + 二 = （七）总计 + 四 holds in every column."""
    a, b = 6 + seed % 9, seed % 2
    s = 1 if a > 9 else 0
    nat = {"new": a, "prev": b, "（一）予以公开": a - 3, "（二）部分公开": 1,
           "1.本机关不掌握相关政府信息": 1, "2.重复申请": s}
    corp_new = 1 + seed % 3
    corp = {"new": corp_new, "prev": 0, "（一）予以公开": corp_new}

    def row(key: str) -> list[int]:
        values = [nat.get(key, 0), corp.get(key, 0), 0, 0, 0, 0]
        return [*values, sum(values)]

    rows = {"new": row("new"), "prev": row("prev")}
    total = [0] * 7
    for head, leaves in RESULT_ROWS:
        keys = leaves or [head.split("（区分")[0]]
        for key in keys:
            rows[key] = row(key)
            total = [t + v for t, v in zip(total, rows[key], strict=True)]
    rows["total"] = total
    rows["carry"] = [n + p - t for n, p, t in zip(rows["new"], rows["prev"], total, strict=True)]
    return rows


def annual_report_html(site: Site, year: int, pub: date) -> str:
    seed = num(f"{site.id}{year}")
    rows = report_numbers(seed)
    td = "".join

    def cells(values: list[int]) -> str:
        return td(f"<td>{v}</td>" for v in values)

    t3 = [
        '<table border="1" cellspacing="0" cellpadding="0" class="report-table" width="100%">',
        '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）'
        '</td><td colspan="7">申请人情况</td></tr>',
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr>" + td(f"<td>{h}</td>" for h in APPLICANTS[1:6]) + "</tr>",
        f'<tr><td colspan="3">一、本年新收政府信息公开申请数量</td>{cells(rows["new"])}</tr>',
        f'<tr><td colspan="3">二、上年结转政府信息公开申请数量</td>{cells(rows["prev"])}</tr>',
    ]
    first = True
    for head, leaves in RESULT_ROWS:
        lead = '<td rowspan="22">三、本年度办理结果</td>' if first else ""
        first = False
        if not leaves:
            key = head.split("（区分")[0]
            t3.append(f'<tr>{lead}<td colspan="2">{head}</td>{cells(rows[key])}</tr>')
            continue
        for i, leaf in enumerate(leaves):
            start = f'<td rowspan="{len(leaves)}">{head}</td>' if i == 0 else ""
            t3.append(f"<tr>{lead if i == 0 else ''}{start}<td>{leaf}</td>{cells(rows[leaf])}</tr>")
    t3.append(f'<tr><td colspan="2">（七）总计</td>{cells(rows["total"])}</tr>')
    t3.append(f'<tr><td colspan="3">四、结转下年度继续办理</td>{cells(rows["carry"])}</tr>')
    t3.append("</table>")

    made, repealed = seed % 4, seed % 2
    t2 = f"""<table border="1" cellspacing="0" cellpadding="0" class="report-table" width="100%">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>{made}</td><td>{repealed}</td><td>{8 + made}</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">{120 + seed % 300}</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">{10 + seed % 40}</td></tr>
<tr><td>行政强制</td><td colspan="3">{seed % 5}</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">0</td></tr>
</table>"""
    kept = seed % 2
    review = [kept, 0, 0, 0, kept]
    t4 = f"""<table border="1" cellspacing="0" cellpadding="0" class="report-table" width="100%">
<tr><td colspan="5" rowspan="2">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>{"<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 3}</tr>
<tr>{cells(review)}{cells([0] * 5)}{cells([0] * 5)}</tr>
</table>"""
    total_new = rows["new"][6]
    return "\n".join([
        f'<p style="text-indent: 2em;">本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和'
        f"《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
        f"（国办公开办函〔2021〕30号）要求编制。报告中所列数据统计期限自{year}年1月1日起至"
        f"{year}年12月31日止。本报告电子版可在“{esc(site.name)}”网站（{site.domain}）下载。"
        "如对本报告有疑问，请与" + esc(site.unit) + f"联系（电话：{site.phone}）。</p>",
        "<h3>一、总体情况</h3>",
        f'<p style="text-indent: 2em;">{year}年，{esc(site.short)}坚持以习近平新时代中国特色社会主义思想为指导，'
        "认真贯彻落实《条例》和上级关于政务公开工作的部署要求，不断完善主动公开、依申请公开工作机制，"
        "扎实推进决策、执行、管理、服务、结果公开，政务公开工作取得新成效。</p>",
        "<h3>二、主动公开政府信息情况</h3>",
        t2,
        "<h3>三、收到和处理政府信息公开申请情况</h3>",
        "\n".join(t3),
        "<h3>四、政府信息公开行政复议、行政诉讼情况</h3>",
        t4,
        "<h3>五、存在的主要问题及改进情况</h3>",
        f'<p style="text-indent: 2em;">{year}年，{esc(site.short)}政务公开工作虽取得一定成效，但仍存在'
        "信息发布时效性有待提高、政策解读形式较为单一等问题。下一步，将进一步健全信息发布审核机制，"
        f"丰富政策解读形式，持续提升政务公开质量。本年度共收到政府信息公开申请{total_new}件，均按期答复。</p>",
        "<h3>六、其他需要报告的事项</h3>",
        f'<p style="text-indent: 2em;">本年度未收取信息处理费。{year}年度政务公开工作要点落实情况、'
        "人大代表建议和政协提案办理结果公开情况已在本单位网站政府信息公开专栏公开。</p>",
        f'<p style="text-align: right;">{esc(site.name)}</p>',
        f'<p style="text-align: right;">{cn_date(pub)}</p>',
    ])


def report_pdf(site: Site, item: Item) -> bytes:
    year = int(item.title.split("年")[0][-4:])
    rows = report_numbers(num(f"{site.id}{year}"))
    return pdf(item.title, [
        f"{site.name}   {cn_date(item.d)}",
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        f"    本年新收政府信息公开申请{rows['new'][6]}件，上年结转{rows['prev'][6]}件，"
        f"办结{rows['total'][6]}件，结转下年度{rows['carry'][6]}件。",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ], item.d)


def attachment_bytes(site: Site, col: Column, item: Item) -> bytes:
    if col.kind == "report" and item.attach == "pdf":
        return report_pdf(site, item)
    paras = article_paragraphs(site, col, item)
    if item.attach == "pdf":
        return pdf(item.title, [p[:38] for p in paras[:6]], item.d)
    if item.attach == "docx":
        return docx(item.title, paras)
    return rtf_doc(item.title, paras)


def attachment_name(item: Item) -> str:
    stem = item.title
    if "《" in stem and "》" in stem:
        stem = stem[stem.index("《") + 1: stem.index("》")]
    return f"{stem}.{item.attach}"


# --------------------------------------------------------------------------------------------
# output collection
# --------------------------------------------------------------------------------------------
class Output:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, path: str, data: str | bytes, encoding: str = "utf-8") -> None:
        assert path.startswith("/"), path
        assert path not in self.files, f"written twice: {path}"
        self.files[path] = data if isinstance(data, bytes) else data.encode(encoding)


def chunks(items: list[Item], size: int) -> list[list[Item]]:
    return [items[i: i + size] for i in range(0, len(items), size)] or [[]]


# ============================================================================================
# TRS WCM
# ============================================================================================
TRS_CSS = """@charset "utf-8";
body{margin:0;padding:0;font:14px/1.8 "Microsoft YaHei","SimSun",sans-serif;color:#333;background:#f2f2f2}
a{color:#333;text-decoration:none}a:hover{color:#0b5dab}
ul{list-style:none;margin:0;padding:0}
.w1200{width:1200px;margin:0 auto}.fl{float:left}.fr{float:right}.clear{clear:both}
.top{height:36px;line-height:36px;background:#f7f7f7;border-bottom:1px solid #e5e5e5;font-size:13px}
.header{height:120px;background:#0b5dab}.header .logo{padding-top:30px}
.nav{background:#0a4f91;height:50px}.nav li{float:left;position:relative}
.nav li a{display:block;padding:0 28px;line-height:50px;color:#fff;font-size:17px}
.nav li.on a,.nav li a:hover{background:#063a6b}
.nav li .sub{display:none;position:absolute;top:50px;left:0;background:#fff;z-index:9}
.nav li:hover .sub{display:block}.nav li .sub a{color:#333;font-size:15px;white-space:nowrap}
.box{background:#fff;margin-top:15px;padding:15px}.box-tit{border-bottom:2px solid #0b5dab;height:40px}
.box-tit h3{float:left;margin:0;font-size:18px;color:#0b5dab}.box-tit .more{float:right;font-size:13px}
.list li{height:40px;line-height:40px;border-bottom:1px dashed #ddd}.list li span{float:right;color:#999}
.left{width:260px;float:left}.right{width:900px;float:right}
.position{height:40px;line-height:40px;border-bottom:1px solid #e5e5e5}
.page{text-align:center;padding:20px 0}.page a,.page span{margin:0 4px}
.article h1{text-align:center;font-size:24px;color:#0b5dab}.article .info{text-align:center;color:#888}
.TRS_Editor p{text-indent:2em;font-size:16px}
.footer{background:#0b5dab;color:#fff;padding:20px 0;margin-top:20px;font-size:13px}
.footer a{color:#fff}.footer .conac{width:100px}.footer .jiucuo{width:120px}
"""

TRS_COMMON_JS = """/* TRS WCM 公共脚本 */
function SetHome(obj, url) { try { obj.style.behavior = 'url(#default#homepage)'; obj.setHomePage(url); } catch (e) { alert('您的浏览器不支持自动设置主页，请手动设置。'); } }
function AddFavorite(sURL, sTitle) { try { window.external.addFavorite(sURL, sTitle); } catch (e) { alert('加入收藏失败，请使用Ctrl+D进行添加'); } }
function doZoom(size) { var el = document.getElementById('zoom'); if (el) { el.style.fontSize = size + 'px'; } }
/* 分页：_nPageCount 总页数，_nCurrIndex 当前页（从0开始），首页为 index.html，其余为 index_N.html */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
    if (_nPageCount == null || _nPageCount <= 1) { return; }
    var nCurrIndex = _nCurrIndex || 0;
    document.write("<span>共" + _nPageCount + "页</span>");
    if (nCurrIndex == 0) {
        document.write("<span>首页</span><span>上一页</span>");
    } else {
        document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>");
        var prev = nCurrIndex - 1;
        document.write("<a href=\\"" + _sPageName + (prev == 0 ? "" : "_" + prev) + "." + _sPageExt + "\\">上一页</a>");
    }
    for (var i = 0; i < _nPageCount; i++) {
        if (i == nCurrIndex) { document.write("<span class=\\"current\\">" + (i + 1) + "</span>"); }
        else { document.write("<a href=\\"" + _sPageName + (i == 0 ? "" : "_" + i) + "." + _sPageExt + "\\">" + (i + 1) + "</a>"); }
    }
    if (nCurrIndex == _nPageCount - 1) {
        document.write("<span>下一页</span><span>尾页</span>");
    } else {
        document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>");
        document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
    }
}
"""


class TRSBuilder:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.out = Output()
        for n, col in enumerate(site.columns):
            col.url = f"/{col.key}/"
            col.list_pages = [col.url] + [f"/{col.key}/index_{k}.html" for k in
                                          range(1, len(chunks(col.items, col.per_page)))]
            for i, item in enumerate(col.items):
                d = item.d
                item.id = str(2_600_000 + (d - date(2020, 1, 1)).days * 13 + n * 3 + i % 3)
                item.url = f"/{col.key}/{d:%Y%m}/t{d:%Y%m%d}_{item.id}.html"
                if item.attach:
                    digits = f"{num(item.title) % 10**12:012d}"
                    item.attachment_url = f"/{col.key}/{d:%Y%m}/P0{d:%Y%m%d}{digits}.{item.attach}"

    # -- chrome -------------------------------------------------------------------------------
    def head(self, page: str, title: str, metas: dict[str, str]) -> str:
        meta_html = "\n".join(f'<meta name="{k}" content="{esc(v)}" />' for k, v in metas.items())
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{esc(title)}</title>
{meta_html}
<link href="{rel(page, "/images/style.css")}" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="{rel(page, "/js/common.js")}"></script>
</head>"""

    def site_metas(self) -> dict[str, str]:
        s = self.site
        return {"SiteName": s.name, "SiteDomain": s.domain, "SiteIDCode": s.site_code}

    def nav(self, page: str, current: str = "") -> str:
        s = self.site
        home_on = ' class="on"' if current == "" else ""
        lis = [f'<li{home_on}><a href="{rel(page, "/")}">首页</a></li>']
        for entry in s.nav:
            if isinstance(entry, str):
                col = s.column(entry)
                on = ' class="on"' if current == col.key else ""
                lis.append(f'<li{on}><a href="{rel(page, col.url)}">{esc(col.name)}</a></li>')
            elif isinstance(entry[1], list):
                group, keys = entry
                on = ' class="on"' if current in keys else ""
                subs = "".join(f'<a href="{rel(page, s.column(k).url)}">{esc(s.column(k).name)}</a>'
                               for k in keys)
                lis.append(f'<li{on}><a href="javascript:void(0);">{esc(group)}</a>'
                           f'<div class="sub">{subs}</div></li>')
            else:
                label, href = entry
                lis.append(f'<li><a href="{esc(href)}" target="_blank">{esc(label)}</a></li>')
        return '<div class="nav"><ul class="w1200">\n' + "\n".join(lis) + "\n</ul></div>"

    def top(self, page: str) -> str:
        s = self.site
        return f"""<div class="top"><div class="w1200">
<span class="fl">{banner()}</span>
<span class="fr"><a href="javascript:void(0);" onclick="SetHome(this, window.location.href);">设为首页</a> | <a href="javascript:void(0);" onclick="AddFavorite(window.location.href, document.title);">加入收藏</a> | <a href="javascript:void(0);" id="wza">无障碍浏览</a> | <a href="{rel(page, "/wzdt/")}">网站地图</a></span>
</div></div>
<div class="header"><div class="w1200">
<div class="logo fl"><a href="{rel(page, "/")}"><img src="{rel(page, "/images/logo.png")}" alt="{esc(s.name)}" /></a></div>
<div class="search fr"><form name="searchform" action="https://search.{s.domain.split(".", 1)[1]}/search/{s.id}" method="get" target="_blank"><input type="text" name="searchword" class="ss-input" value="请输入关键字" /><input type="submit" value="搜索" class="ss-btn" /></form></div>
</div></div>"""

    def footer(self, page: str) -> str:
        s = self.site
        psb = esc(s.psb)
        if s.psb_code:
            psb = (f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
                   f'{s.psb_code}" target="_blank"><img src="{rel(page, "/images/beian.png")}" '
                   f'alt="" style="vertical-align:middle" />{psb}</a>')
        return f"""<div class="footer"><div class="w1200">
<div class="fl conac">{s.conac}</div>
<div class="fl footer-c">
<p><a href="{rel(page, "/wzdt/")}">网站地图</a> | <a href="{rel(page, "/lxwm/")}">联系我们</a></p>
<p>主办单位：{esc(s.name)}　　承办单位：{esc(s.unit)}　　联系电话：{s.phone}</p>
<p>地址：{esc(s.address)}　　邮编：{s.postcode}</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">{esc(s.icp)}</a>　　{psb}　　网站标识码：{s.site_code}</p>
<p>Copyright © {s.since}-{AS_OF.year} {esc(s.name)} 版权所有　建议使用1280×1024分辨率浏览</p>
</div>
<div class="fr jiucuo">{s.jiucuo}</div>
<div class="clear"></div>
</div></div>"""

    def page(self, path: str, title: str, metas: dict[str, str], body: str, current: str = "") -> None:
        text = "\n".join([self.head(path, title, metas), "<body>", self.top(path),
                          self.nav(path, current), body, self.footer(path), "</body>", "</html>", ""])
        self.out.put(path, text)

    def position(self, page: str, col: Column | None, tail: str = "") -> str:
        parts = [f'<a href="{rel(page, "/")}">首页</a>']
        if col is not None:
            if col.group:
                parts.append(f"<span>{esc(col.group)}</span>")
            parts.append(f'<a href="{rel(page, col.url)}">{esc(col.name)}</a>')
        if tail:
            parts.append(f"<span>{esc(tail)}</span>")
        return '<div class="position">当前位置：' + " &gt; ".join(parts) + "</div>"

    def sidebar(self, page: str, col: Column) -> str:
        s = self.site
        siblings = [c for c in s.columns if col.group and c.group == col.group] or [col]
        lis = "".join(f'<li{ON if c is col else ""}><a href="{rel(page, c.url)}">'
                      f"{esc(c.name)}</a></li>" for c in siblings)
        return (f'<div class="left"><div class="left-tit">{esc(col.group or col.name)}</div>'
                f'<ul class="left-nav">{lis}</ul></div>')

    # -- pages --------------------------------------------------------------------------------
    def build(self) -> dict[str, bytes]:
        s = self.site
        self.home()
        for col in s.columns:
            if col.kind == "overview":
                self.overview(col)
            else:
                self.column_pages(col)
                for item in col.items:
                    self.article(col, item)
        self.sitemap()
        self.contact()
        self.out.put("/images/style.css", TRS_CSS)
        self.out.put("/js/common.js", TRS_COMMON_JS)
        self.out.put("/images/logo.png", png(96, 24, (11, 93, 171)))
        self.out.put("/images/beian.png", png(18, 20, (200, 160, 60)))
        self.out.put("/robots.txt", s.robots)
        return self.out.files

    def home(self) -> None:
        s, page = self.site, "/index.html"
        blocks = []
        for key in s.home_blocks:
            col = s.column(key)
            lis = "\n".join(
                f'<li><a href="{rel(page, i.url)}" target="_blank" title="{esc(i.title)}">'
                f"{esc(truncate(i.title, 26))}</a><span>{i.d:%m-%d}</span></li>"
                for i in col.items[:6])
            blocks.append(f"""<div class="box fl" style="width:570px;margin-right:15px">
<div class="box-tit"><h3>{esc(col.name)}</h3><a class="more" href="{rel(page, col.url)}" target="_blank">更多&gt;&gt;</a></div>
<ul class="list">
{lis}
</ul>
</div>""")
        side_links = "".join(f'<option value="{esc(u)}">{esc(t)}</option>' for t, u in s.links)
        trap = s.meta.get("trap")
        calendar = (f'<li><a href="{rel(page, f"{trap}2026-11/")}">活动日历</a></li>' if trap else "")
        body = f"""<div class="w1200">
{"".join(blocks)}
<div class="clear"></div>
<div class="box">
<div class="box-tit"><h3>便民服务</h3></div>
<ul class="service">
<li><a href="{s.service}" target="_blank">网上办事大厅</a></li>
<li><a href="{rel(page, "/lxwm/")}">办事咨询电话</a></li>
<li><a href="https://www.12328.cn/" target="_blank">12328交通运输服务监督电话</a></li>
{calendar}
</ul>
</div>
<div class="box links">友情链接：<select onchange="if(this.value){{window.open(this.value);}}"><option value="">-- 请选择 --</option>{side_links}</select></div>
</div>"""
        self.page(page, s.name, {**self.site_metas(), "ColumnName": "首页", "ColumnType": "首页"},
                  body)

    def column_pages(self, col: Column) -> None:
        s = self.site
        pages = chunks(col.items, col.per_page)
        for n, items in enumerate(pages):
            path = f"/{col.key}/index{'' if n == 0 else f'_{n}'}.html"
            lis = "\n".join(
                f'<li><a href="{rel(path, i.url)}" target="_blank" title="{esc(i.title)}">'
                f"{esc(i.title)}</a><span>{i.date}</span></li>" for i in items)
            body = f"""<div class="w1200 main">
{self.sidebar(path, col)}
<div class="right">
{self.position(path, col)}
<div class="list-tit"><h2>{esc(col.name)}</h2></div>
<ul class="list">
{lis}
</ul>
<div class="page"><script type="text/javascript">createPageHTML({len(pages)}, {n}, "index", "html");</script></div>
</div>
<div class="clear"></div>
</div>"""
            metas = {**self.site_metas(), "ColumnName": col.name, "ColumnType": col.name,
                     "ColumnDescription": col.name, "ColumnKeywords": col.name}
            self.page(path, f"{col.name}_{s.name}", metas, body, col.key)

    def overview(self, col: Column) -> None:
        s, path = self.site, f"/{col.key}/index.html"
        sections = "\n".join(
            f"<h3>{esc(head)}</h3>\n" + paragraphs_html(paras) for head, paras in col.overview)
        body = f"""<div class="w1200 main">
{self.sidebar(path, col)}
<div class="right">
{self.position(path, col)}
<div class="article"><h1>{esc(col.name)}</h1>
<div class="TRS_Editor">
{sections}
</div></div>
</div>
<div class="clear"></div>
</div>"""
        metas = {**self.site_metas(), "ColumnName": col.name, "ColumnType": col.name}
        self.page(path, f"{col.name}_{s.name}", metas, body, col.key)

    def article(self, col: Column, item: Item) -> None:
        s, path = self.site, item.url
        hhmm = f"{8 + num(item.title) % 10:02d}:{num(item.title + 'm') % 60:02d}"
        if col.kind == "report":
            content = annual_report_html(s, int(item.title[:4]), item.d)
        else:
            content = paragraphs_html(article_paragraphs(s, col, item))
            if col.kind in ("notice", "policy"):
                content += "\n" + signature_html(s, item)
        if item.related:
            content += (f'\n<p style="text-indent: 2em;">相关链接：<a href="{rel(path, item.related)}">'
                        f"{esc(item.related_text)}</a></p>")
        appendix = ""
        if item.attachment_url:
            fname = attachment_name(item)
            appendix = (f'<div class="fj">附件：<a href="{rel(path, item.attachment_url)}" '
                        f'OLDSRC="/protect/{posixpath.basename(item.attachment_url)}" '
                        f'target="_blank">{esc(fname)}</a></div>')
            self.out.put(item.attachment_url, attachment_bytes(s, col, item))
        metas = {**self.site_metas(), "ColumnName": col.name, "ColumnDescription": col.name,
                 "ColumnKeywords": col.name, "ColumnType": col.name, "ArticleTitle": item.title}
        if item.pubdate_meta:
            metas["PubDate"] = f"{item.date} {hhmm}"
        metas.update({"ContentSource": s.source, "Keywords": col.name, "Author": s.source,
                      "Description": item.title, "Image": "",
                      "Url": f"http://{s.domain}{item.url}"})
        doc_no = f'<p class="wh">{esc(item.doc_no)}</p>' if item.doc_no else ""
        body = f"""<div class="w1200 main">
{self.position(path, col, "正文")}
<div class="article box">
<h1>{esc(item.title)}</h1>
<div class="info"><span>发布时间：{item.date} {hhmm}</span>　<span>来源：{esc(s.source)}</span>　<span>【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span></div>
{doc_no}
<div class="TRS_Editor" id="zoom"><div class="TRS_Editor">
{content}
</div></div>
{appendix}
<div class="print"><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a></div>
</div>
</div>"""
        self.page(path, f"{item.title}_{col.name}_{s.name}", metas, body, col.key)

    def sitemap(self) -> None:
        s, path = self.site, "/wzdt/index.html"
        rows = []
        for entry in s.nav:
            if isinstance(entry, str):
                col = s.column(entry)
                rows.append(f'<dl><dt><a href="{rel(path, col.url)}">{esc(col.name)}</a></dt></dl>')
            elif isinstance(entry[1], list):
                dd = "".join(f'<dd><a href="{rel(path, s.column(k).url)}">'
                             f"{esc(s.column(k).name)}</a></dd>" for k in entry[1])
                rows.append(f"<dl><dt>{esc(entry[0])}</dt>{dd}</dl>")
        body = f"""<div class="w1200 main box">
{self.position(path, None, "网站地图")}
<div class="wzdt">
{chr(10).join(rows)}
</div>
</div>"""
        self.page(path, f"网站地图_{s.name}", self.site_metas(), body, "wzdt")

    def contact(self) -> None:
        s, path = self.site, "/lxwm/index.html"
        body = f"""<div class="w1200 main box">
{self.position(path, None, "联系我们")}
<div class="TRS_Editor">
<p>单位名称：{esc(s.name)}</p>
<p>办公地址：{esc(s.address)}</p>
<p>邮政编码：{s.postcode}</p>
<p>联系电话：{s.phone}</p>
<p>办公时间：工作日 上午8:30-12:00 下午14:30-18:00（法定节假日除外）</p>
</div>
</div>"""
        self.page(path, f"联系我们_{s.name}", self.site_metas(), body, "lxwm")


# ============================================================================================
# Hanweb 大汉 jcms
# ============================================================================================
HANWEB_CSS = """@charset "utf-8";
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,Arial;color:#333}
a{color:#333;text-decoration:none}ul{list-style:none;margin:0;padding:0}
.bt-box{width:1200px;margin:0 auto}.bt-left{float:left}.bt-right{float:right}
.bt-head-top{height:34px;line-height:34px;background:#f5f5f5;border-bottom:1px solid #e1e1e1}
.bt-head{height:130px;background:#1f7a3a}
.bt-nav{height:52px;background:#166030}.bt-nav>ul>li{float:left;position:relative}
.bt-nav>ul>li>a{display:block;line-height:52px;padding:0 30px;color:#fff;font-size:17px}
.bt-nav .bt-sub{display:none;position:absolute;background:#fff;top:52px;left:0;z-index:99;width:180px}
.bt-nav li:hover .bt-sub{display:block}
.bt-list li{height:42px;line-height:42px;border-bottom:1px dashed #ddd}.bt-list li span{float:right;color:#999}
.bt-position{line-height:42px;border-bottom:1px solid #ddd}
.bt-article h1{text-align:center;font-size:24px;color:#166030}.bt-article .info{text-align:center;color:#888}
.bt-article .info span{margin:0 10px}.nodata{text-align:center;color:#999;padding:60px 0}
.bt-foot{background:#166030;color:#fff;padding:20px 0;font-size:13px}.bt-foot a{color:#fff}
"""

JPAGE_JS = """/* jquery.jpage.js — Hanweb 大汉 jcms 分页插件（客户端分页） */
(function ($) {
    $.fn.jpage = function (config) {
        var el = this, perPage = config.perPage || 15, total = config.totalRecord || 0;
        var records = [];
        el.find('script[type="text/xml"]').each(function () {
            $(this.text || this.innerHTML).find('record').each(function () { records.push($(this).text()); });
        });
        function show(page) {
            var html = records.slice((page - 1) * perPage, page * perPage).join('');
            el.find('.default_pgContainer').html(html);
        }
        show(1);
        return this;
    };
})(jQuery);
"""

JQUERY_STUB = "/*! jQuery v1.7.2 jquery.com | jquery.org/license */\nwindow.jQuery = window.$ = window.jQuery || function () {};\n"


HANWEB_DATAPROXY = "/module/web/jpage/dataproxy.jsp"
HANWEB_PROXY_FOLDER = "_dataproxy"  # the records PortalServer's dataproxy answers from
HANWEB_GROUP_SIZE = 3  # jpage's groupSize: pages of records a dataproxy request brings


def dataproxy_truth(col: Column, group: int, params: dict[str, str]) -> dict[str, Any]:
    """What a browser's jpage asks the dataproxy for after the embedded group: one POST of
    *params* for each further group of records (startrecord, endrecord, perpage)."""
    groups = [[start, start + group - 1] for start in range(group + 1, len(col.items) + 1, group)]
    return {"url": HANWEB_DATAPROXY, "params": params, "perpage": col.per_page,
            "embedded": min(group, len(col.items)), "groups": groups}


class HanwebBuilder:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.out = Output()
        for n, col in enumerate(site.columns):
            col.url = f"/col/col{col.key}/index.html"
            col.list_pages = [col.url]
            for i, item in enumerate(col.items):
                d = item.d
                item.id = str(3_100_000 + (d - date(2020, 1, 1)).days * 11 + n * 2 + i % 2)
                item.url = f"/art/{d.year}/{d.month}/{d.day}/art_{col.key}_{item.id}.html"
                if item.attach:
                    stamp = f"{d:%y%m%d}{num(item.title) % 10**13:013d}"
                    item.attachment_url = f"/attach/0/{stamp}.{item.attach}"
                if item.attach_only:
                    item.url = item.attachment_url

    def head(self, title: str, metas: dict[str, str]) -> str:
        meta_html = "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in metas.items())
        return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)}</title>
{meta_html}
<link rel="stylesheet" href="/images/style.css" type="text/css">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
</head>"""

    def site_metas(self) -> dict[str, str]:
        s = self.site
        return {"SiteName": s.name, "SiteDomain": s.domain, "SiteIDCode": s.site_code}

    def header(self) -> str:
        s = self.site
        lis = ['<li><a href="/index.html">首页</a></li>']
        for entry in s.nav:
            if isinstance(entry, str):
                col = s.column(entry)
                lis.append(f'<li><a href="{col.url}">{esc(col.name)}</a></li>')
            elif isinstance(entry[1], list):
                subs = "".join(f'<li><a href="{s.column(k).url}">{esc(s.column(k).name)}</a></li>'
                               for k in entry[1])
                lis.append(f'<li><a href="javascript:;">{esc(entry[0])}</a>'
                           f'<ul class="bt-sub">{subs}</ul></li>')
            else:
                lis.append(f'<li><a href="{esc(entry[1])}" target="_blank">{esc(entry[0])}</a></li>')
        return f"""<!--头部开始-->
<div class="bt-head-top"><div class="bt-box">
<div class="bt-left" id="today">{banner()}</div>
<div class="bt-right"><a href="javascript:;" id="jcms_wza">无障碍</a> | <a href="javascript:;" onclick="AddFavorite();">加入收藏</a> | <a href="/col/col{s.meta.get("sitemap_col", "1")}/index.html">网站地图</a></div>
</div></div>
<div class="bt-head"><div class="bt-box">
<div class="bt-left logo"><a href="/index.html"><img src="/images/logo.png" alt="{esc(s.name)}"></a></div>
<div class="bt-right search"><form action="/jsearchfront/search.do" method="get" target="_blank"><input type="hidden" name="websiteid" value="{s.site_code}"><input type="text" name="q" placeholder="请输入关键字"><button type="submit">搜索</button></form></div>
</div></div>
<div class="bt-nav"><ul class="bt-box">
{chr(10).join(lis)}
</ul></div>
<!--头部结束-->"""

    def footer(self) -> str:
        s = self.site
        psb = esc(s.psb)
        if s.psb_code:
            psb = (f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
                   f'{s.psb_code}" target="_blank">{psb}</a>')
        return f"""<!--底部开始-->
<div class="bt-foot"><div class="bt-box">
<div class="bt-left">{s.conac}</div>
<div class="bt-left foot-txt">
<p><a href="/col/col{s.meta.get("sitemap_col", "1")}/index.html">网站地图</a> | <a href="/col/col{s.meta.get("contact_col", "2")}/index.html">联系我们</a></p>
<p>主办：{esc(s.name)}　承办：{esc(s.unit)}</p>
<p>地址：{esc(s.address)}　邮编：{s.postcode}　联系电话：{s.phone}</p>
<p><a href="https://beian.miit.gov.cn" target="_blank">{esc(s.icp)}</a>　{psb}　网站标识码：{s.site_code}</p>
<p>Copyright © {s.since}-{AS_OF.year} All Rights Reserved</p>
</div>
<div class="bt-right">{s.jiucuo}</div>
</div></div>
<!--底部结束-->"""

    def page(self, path: str, title: str, metas: dict[str, str], body: str) -> None:
        text = "\n".join([self.head(title, metas), "<body>", self.header(), body, self.footer(),
                          "</body>", "</html>", ""])
        self.out.put(path, text)

    def position(self, col: Column | None, tail: str = "") -> str:
        parts = ['<a href="/index.html">首页</a>']
        if col is not None:
            if col.group:
                parts.append(f"<span>{esc(col.group)}</span>")
            parts.append(f'<a href="{col.url}">{esc(col.name)}</a>')
        if tail:
            parts.append(esc(tail))
        return '<div class="bt-position">当前位置：' + " &gt; ".join(parts) + "</div>"

    def build(self) -> dict[str, bytes]:
        s = self.site
        self.home()
        for col in s.columns:
            if col.kind == "overview":
                self.leaders(col)
                continue
            self.column_page(col)
            for item in col.items:
                if item.attach_only:
                    self.out.put(item.attachment_url, attachment_bytes(s, col, item))
                else:
                    self.article(col, item)
        self.simple_page(s.meta.get("sitemap_col", "1"), "网站地图", self.sitemap_html())
        self.simple_page(s.meta.get("contact_col", "2"), "联系我们", self.contact_html())
        self.out.put("/images/style.css", HANWEB_CSS)
        self.out.put("/images/logo.png", png(96, 24, (31, 122, 58)))
        self.out.put("/module/jslib/jquery/jquery.js", JQUERY_STUB)
        self.out.put("/module/jslib/jquery/jpage/jquery.jpage.js", JPAGE_JS)
        if s.robots:
            self.out.put("/robots.txt", s.robots)
        return self.out.files

    def home(self) -> None:
        s = self.site
        blocks = []
        for key in s.home_blocks:
            col = s.column(key)
            lis = "\n".join(
                f'<li><a href="{i.url}" target="_blank" title="{esc(i.title)}">'
                f"{esc(truncate(i.title, 24))}</a><span>{i.date}</span></li>" for i in col.items[:6])
            blocks.append(f"""<div class="bt-block">
<div class="bt-block-tit"><span>{esc(col.name)}</span><a href="{col.url}" target="_blank" class="more">更多&gt;&gt;</a></div>
<!--<$[信息列表]>begin-->
<ul class="bt-list">
{lis}
</ul>
<!--<$[信息列表]>end-->
</div>""")
        links = "".join(f'<li><a href="{esc(u)}" target="_blank">{esc(t)}</a></li>' for t, u in s.links)
        body = f"""<div class="bt-box bt-main">
{chr(10).join(blocks)}
<div class="bt-block bt-links"><div class="bt-block-tit"><span>友情链接</span></div><ul>{links}</ul></div>
</div>"""
        self.page("/index.html", s.name, {**self.site_metas(), "ColumnName": "首页"}, body)

    def column_page(self, col: Column) -> None:
        s = self.site
        unit = 50_000 + int(col.key) % 1000
        rows = [f'<record><![CDATA[\n<li><a href="{i.url}" title="{esc(i.title)}" '
                f'target="_blank">{esc(i.title)}</a><span>{i.date}</span></li>\n]]></record>'
                for i in col.items]
        nextgroup, script = "", f"""var currpage = 1;
$(document).ready(function () {{
    $('#{unit}').jpage({{ dataStore: 'xml', perPage: {col.per_page}, totalRecord: {len(col.items)}, groupSize: 3, barPosition: 'bottom', isShowPageInfo: true, ajaxParam: {{ col: 1, webid: 1, columnid: {col.key}, unitid: {unit}, permissiontype: 0 }} }});
}});"""
        if col.proxy:
            rows, nextgroup, script = self.proxied(col, unit, rows)
        records = "\n".join(rows)
        note = f'\n<div class="nodata">{esc(col.note)}</div>' if col.note else ""
        siblings = [c for c in s.columns if col.group and c.group == col.group] or [col]
        side = "".join(f'<li><a href="{c.url}">{esc(c.name)}</a></li>' for c in siblings)
        body = f"""<div class="bt-box bt-main">
<div class="bt-left bt-side"><div class="side-tit">{esc(col.group or col.name)}</div><ul>{side}</ul></div>
<div class="bt-right bt-content">
{self.position(col)}
<div class="bt-list-tit">{esc(col.name)}</div>
<!--<$[信息列表]>begin-->
<div id="{unit}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[{nextgroup}]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script><ul class="bt-list default_pgContainer"></ul></div>{note}
<script language="javascript" src="/module/jslib/jquery/jpage/jquery.jpage.js"></script>
<script language="javascript">
{script}
</script>
<!--<$[信息列表]>end-->
</div>
</div>"""
        metas = {**self.site_metas(), "ColumnName": col.name, "ColumnType": col.name,
                 "ColumnDescription": col.name, "ColumnKeywords": col.name}
        self.page(col.url, f"{col.name} {s.name}", metas, body)

    def proxied(self, col: Column, unit: int, rows: list[str]) -> tuple[list[str], str, str]:
        """A list in the newer jcms form: the page embeds the first group of its records
        (HANWEB_GROUP_SIZE × perPage), its script names the dataproxy and the parameters
        jpage POSTs (``var param_<unit>``), and the dataproxy serves every record (written to
        ``_dataproxy/``). The embedded records, the datastore's next-group link, the script."""
        group = HANWEB_GROUP_SIZE * col.per_page
        params = {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": col.key,
                  "sourceContentType": "1", "unitid": str(unit), "webname": self.site.name,
                  "permissiontype": "0"}
        js_params = ",".join(f"{k}:'{v}'" if not v.isdigit() else f"{k}:{v}"
                             for k, v in params.items())
        nextgroup = (f'<a href="{HANWEB_DATAPROXY}?page=1&' + "&".join(
            f"{k}={quote(v)}" for k, v in params.items() if k != "sourceContentType") + '"></a>')
        self.out.put(f"/{HANWEB_PROXY_FOLDER}/{col.key}.xml", "\n".join(rows) + "\n")
        col.dataproxy = dataproxy_truth(col, group, params)
        script = f"""var param_{unit} = {{{js_params}}};
$(document).ready(function () {{
    $('#{unit}').jpage({{ dataStore: 'xml', proxyUrl: '{HANWEB_DATAPROXY}', perPage: {col.per_page}, totalRecord: {len(col.items)}, groupSize: {HANWEB_GROUP_SIZE}, barPosition: 'bottom', isShowPageInfo: true, ajaxParam: param_{unit} }});
}});"""
        return rows[:group], nextgroup, script

    def leaders(self, col: Column) -> None:
        s = self.site
        rows = "\n".join(f"<tr><td>{esc(n)}</td><td>{esc(t)}</td><td>{esc(w)}</td></tr>"
                         for n, t, w in col.leaders)
        body = f"""<div class="bt-box bt-main">
{self.position(col)}
<div class="bt-article">
<h1>{esc(col.name)}</h1>
<!--<$[信息内容]>begin-->
<table class="ldxx" width="100%" border="1" cellspacing="0">
<tr><th>姓名</th><th>职务</th><th>工作分工</th></tr>
{rows}
</table>
<!--<$[信息内容]>end-->
</div>
</div>"""
        metas = {**self.site_metas(), "ColumnName": col.name, "ColumnType": col.name}
        self.page(col.url, f"{col.name} {s.name}", metas, body)

    def article(self, col: Column, item: Item) -> None:
        s = self.site
        if col.kind == "report":
            content = annual_report_html(s, int(item.title[:4]), item.d)
        else:
            content = paragraphs_html(article_paragraphs(s, col, item))
            if col.kind in ("notice", "policy"):
                content += "\n" + signature_html(s, item)
        if item.related:
            content += (f'\n<p style="text-indent: 2em;">相关链接：<a href="{item.related}">'
                        f"{esc(item.related_text)}</a></p>")
        if item.attachment_url:
            content += (f'\n<p>附件：<a href="{item.attachment_url}" target="_blank">'
                        f"{esc(attachment_name(item))}</a></p>")
            self.out.put(item.attachment_url, attachment_bytes(s, col, item))
        metas = {**self.site_metas(), "ColumnName": col.name, "ColumnType": col.name,
                 "ArticleTitle": item.title}
        if item.pubdate_meta:
            hhmm = f"{8 + num(item.title) % 10:02d}:{num(item.title + 'm') % 60:02d}"
            metas["PubDate"] = f"{item.date} {hhmm}"
        metas["ContentSource"] = s.source
        hits = 80 + num(item.title) % 900
        doc_no = f'<div class="wh">{esc(item.doc_no)}</div>' if item.doc_no else ""
        body = f"""<div class="bt-box bt-main">
{self.position(col, "正文")}
<div class="bt-article">
<!--<$[标题名称]>begin--><h1>{esc(item.title)}</h1><!--<$[标题名称]>end-->
<div class="info"><span>发布日期：{item.date}</span><span>来源：{esc(s.source)}</span><span>浏览次数：<font id="hits">{hits}</font></span><span>字号：〖<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(12)">小</a>〗</span></div>
{doc_no}
<div id="zoom">
<!--<$[信息内容]>begin-->
{content}
<!--<$[信息内容]>end-->
</div>
<div class="bt-print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
</div>"""
        self.page(item.url, f"{item.title} {s.name}", metas, body)

    def sitemap_html(self) -> str:
        s = self.site
        rows = []
        for entry in s.nav:
            if isinstance(entry, str):
                col = s.column(entry)
                rows.append(f'<dl><dt><a href="{col.url}">{esc(col.name)}</a></dt></dl>')
            elif isinstance(entry[1], list):
                dd = "".join(f'<dd><a href="{s.column(k).url}">{esc(s.column(k).name)}</a></dd>'
                             for k in entry[1])
                rows.append(f"<dl><dt>{esc(entry[0])}</dt>{dd}</dl>")
        return "\n".join(rows)

    def contact_html(self) -> str:
        s = self.site
        return (f"<p>单位名称：{esc(s.name)}</p>\n<p>办公地址：{esc(s.address)}</p>\n"
                f"<p>邮政编码：{s.postcode}</p>\n<p>联系电话：{s.phone}</p>")

    def simple_page(self, colid: str, name: str, inner: str) -> None:
        s = self.site
        body = f"""<div class="bt-box bt-main">
<div class="bt-position">当前位置：<a href="/index.html">首页</a> &gt; {esc(name)}</div>
<div class="bt-article"><h1>{esc(name)}</h1>
{inner}
</div>
</div>"""
        self.page(f"/col/col{colid}/index.html", f"{name} {s.name}", self.site_metas(), body)


# ============================================================================================
# generic county CMS (GBK)
# ============================================================================================
COUNTY_CSS = """@charset "gb2312";
body{margin:0;padding:0;font-size:12px;font-family:"宋体",SimSun;color:#333;background:#fff}
a{color:#333;text-decoration:none}a:hover{color:#c00;text-decoration:underline}
ul{list-style:none;margin:0;padding:0}
.top{height:28px;line-height:28px;background:#f3f3f3}
.banner{height:150px;background:#b71c1c}
.menu{height:40px;background:#9b1010}.menu li{float:left;position:relative}
.menu li a{display:block;line-height:40px;padding:0 22px;color:#fff;font-size:15px;font-weight:bold}
.menu li ul{display:none;position:absolute;top:40px;background:#fff;border:1px solid #ccc}
.menu li:hover ul{display:block}.menu li ul li a{color:#333;font-weight:normal;white-space:nowrap}
.list_ul li{line-height:30px;border-bottom:1px dotted #ccc}.list_ul li span{float:right;color:#666}
.page{text-align:center;line-height:40px}
.location{line-height:32px;border-bottom:1px solid #ddd}
.zcwj{border-collapse:collapse}.zcwj td{border:1px solid #ddd;padding:4px}
.content h1{text-align:center;font-size:22px;color:#b71c1c}
.bottom{background:#9b1010;color:#fff;line-height:24px;padding:15px 0;text-align:center}
.bottom a{color:#fff}
"""


class CountyBuilder:
    """An anonymous county-level CMS: /YYYYMM/<32 hex>.shtml, GBK, tables for layout."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.out = Output()
        self.enc = "gbk"
        for col in site.columns:
            col.url = f"/{col.key}/index.shtml"
            col.list_pages = [col.url] + [f"/{col.key}/index_{k}.shtml" for k in
                                          range(2, len(chunks(col.items, col.per_page)) + 1)]
            for item in col.items:
                d = item.d
                item.pubdate_meta = False  # this CMS writes no PubDate meta
                item.id = hex32(f"{site.id}|{item.title}|{item.date}")
                item.url = f"/{d:%Y%m}/{item.id}.shtml"
                if item.attach:
                    stamp = f"{d:%Y%m%d}{num(item.title) % 10**9:09d}"
                    item.attachment_url = f"/uploadfile/{d.year}/{d:%m%d}/{stamp}.{item.attach}"

    def sid(self, salt: str) -> str:
        return hex32(self.site.id + salt).upper()

    def head(self, title: str, extra: str = "") -> str:
        meta_charset = self.site.meta.get("meta_charset", "gb2312")
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}" />
<title>{esc(title)}</title>
<meta name="keywords" content="{esc(self.site.name)}" />
{extra}<link href="/css/style.css" rel="stylesheet" type="text/css" />
</head>"""

    def header(self) -> str:
        s = self.site
        lis = ['<li><a href="/">首页</a></li>']
        for entry in s.nav:
            if isinstance(entry, str):
                col = s.column(entry)
                lis.append(f'<li><a href="{col.url}">{esc(col.name)}</a></li>')
            elif isinstance(entry[1], list):
                subs = "".join(f'<li><a href="{s.column(k).url}">{esc(s.column(k).name)}</a></li>'
                               for k in entry[1])
                lis.append(f'<li><a href="#">{esc(entry[0])}</a><ul>{subs}</ul></li>')
            else:
                lis.append(f'<li><a href="{esc(entry[1])}" target="_blank">{esc(entry[0])}</a></li>')
        return f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">
<tr><td align="left">{banner()}</td>
<td align="right"><a href="/wzdt/index.shtml">网站地图</a> | <a href="/lxwm/index.shtml">联系我们</a> | <a href="javascript:void(0)" onclick="window.external.addFavorite(location.href,document.title)">加入收藏</a></td></tr>
</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="banner">
<tr><td><img src="/images/logo.png" alt="{esc(s.name)}" /></td>
<td align="right"><form name="search" action="/search/index.shtml" method="get"><input type="hidden" name="siteid" value="{s.meta.get("cms_siteid", 38)}" /><input name="searchword" type="text" size="20" /><input type="submit" value="检索" /></form></td></tr>
</table>
<div class="menu"><ul style="width:1000px;margin:0 auto">
{chr(10).join(lis)}
</ul></div>"""

    def footer(self) -> str:
        s = self.site
        psb = esc(s.psb)
        if s.psb_code:
            psb = (f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
                   f'{s.psb_code}" target="_blank"><img src="/images/ga.png" border="0" '
                   f'align="absmiddle" />{psb}</a>')
        return f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom">
<tr>
<td width="120" align="center">{s.conac}</td>
<td>
<a href="/wzdt/index.shtml">网站地图</a> | <a href="/lxwm/index.shtml">联系我们</a><br />
主办单位：{esc(s.name)}　承办单位：{esc(s.unit)}<br />
地址：{esc(s.address)}　邮编：{s.postcode}　电话：{s.phone}<br />
<a href="https://beian.miit.gov.cn/" target="_blank">{esc(s.icp)}</a>　{psb}　网站标识码：{s.site_code}<br />
Copyright &copy; {s.since}-{AS_OF.year} {esc(s.name)} 版权所有
</td>
<td width="120" align="center">{s.jiucuo}</td>
</tr>
</table>"""

    def page(self, path: str, title: str, body: str, extra_head: str = "") -> None:
        text = "\n".join([self.head(title, extra_head), "<body>", self.header(), body,
                          self.footer(), "</body>", "</html>", ""])
        self.out.put(path, text, self.enc)

    def location(self, col: Column | None, tail: str = "") -> str:
        parts = ['<a href="/">首页</a>']
        if col is not None:
            if col.group:
                parts.append(esc(col.group))
            parts.append(f'<a href="{col.url}">{esc(col.name)}</a>')
        if tail:
            parts.append(esc(tail))
        return '<div class="location">当前位置：' + " &gt; ".join(parts) + "</div>"

    def fmt(self, col: Column, item: Item) -> str:
        d = item.d
        return {"md": f"[{d:%m-%d}]", "iso": item.date, "bracket": f"[{item.date}]",
                "slash": f"{d:%Y/%m/%d}"}[col.date_fmt]

    def build(self) -> dict[str, bytes]:
        s = self.site
        self.home()
        for col in s.columns:
            if col.kind == "overview":
                self.overview(col)
                continue
            self.column_pages(col)
            for n, item in enumerate(col.items):
                newer = col.items[n - 1] if n > 0 else None
                older = col.items[n + 1] if n + 1 < len(col.items) else None
                self.article(col, item, newer, older)
        self.sitemap()
        self.contact()
        self.search()
        self.out.put("/css/style.css", COUNTY_CSS, self.enc)
        self.out.put("/images/logo.png", png(100, 30, (183, 28, 28)))
        self.out.put("/images/ga.png", png(18, 20, (200, 160, 60)))
        if s.robots:
            self.out.put("/robots.txt", s.robots)
        return self.out.files

    def home(self) -> None:
        s = self.site
        blocks = []
        for key in s.home_blocks:
            col = s.column(key)
            more = col.url
            if s.expected_extra.get("jsessionid"):
                more += f";jsessionid={self.sid('home' + key)}"
            lis = "\n".join(
                f'<li><a href="{i.url}" target="_blank" title="{esc(i.title)}">'
                f"{esc(truncate(i.title, 22))}</a><span>{i.d:%m-%d}</span></li>"
                for i in col.items[:6])
            blocks.append(f"""<td width="50%" valign="top">
<table width="98%" border="0" cellspacing="0" cellpadding="0" class="block">
<tr><td class="block_tit"><b>{esc(col.name)}</b></td><td align="right"><a href="{more}" target="_blank">更多&gt;&gt;</a></td></tr>
<tr><td colspan="2"><ul class="list_ul">
{lis}
</ul></td></tr>
</table>
</td>""")
        rows = "".join(f"<tr>{''.join(blocks[i:i + 2])}</tr>\n" for i in range(0, len(blocks), 2))
        links = "".join(f'<a href="{esc(u)}" target="_blank">{esc(t)}</a>　' for t, u in s.links)
        search_link = s.meta.get("advanced_search_link", "")
        adv = (f'<p class="adv"><a href="{esc(search_link)}">高级检索</a></p>' if search_link else "")
        body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
{rows}</table>
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td class="links">友情链接：{links}</td></tr>
<tr><td>{adv}</td></tr>
</table>"""
        self.page("/index.shtml", s.name, body)

    def column_pages(self, col: Column) -> None:
        s = self.site
        pages = chunks(col.items, col.per_page)
        total = len(pages)
        for n, items in enumerate(pages, start=1):
            path = f"/{col.key}/index{'' if n == 1 else f'_{n}'}.shtml"

            def page_url(k: int) -> str:
                return "index.shtml" if k == 1 else f"index_{k}.shtml"

            if col.layout == "table":
                rows = "\n".join(
                    f'<tr><td align="center">{k}</td><td><a href="{i.url}" target="_blank" '
                    f'title="{esc(i.title)}">{esc(i.title)}</a></td><td>{esc(i.doc_no)}</td>'
                    f"<td>{esc(i.written)}</td><td>{i.date}</td></tr>"
                    for k, i in enumerate(items, start=(n - 1) * col.per_page + 1))
                listing = f"""<table width="100%" border="0" cellspacing="0" cellpadding="0" class="zcwj">
<tr class="th"><td width="40">序号</td><td>文件名称</td><td width="140">文号</td><td width="110">成文日期</td><td width="90">发布日期</td></tr>
{rows}
</table>"""
            else:
                lis = "\n".join(
                    f'<li><a href="{i.url}" target="_blank" title="{esc(i.title)}">{esc(i.title)}'
                    f'</a><span class="date">{self.fmt(col, i)}</span></li>' for i in items)
                listing = f'<ul class="list_ul">\n{lis}\n</ul>'
            if col.note:
                listing += f'\n<div class="nodata">{esc(col.note)}</div>'
            pager = ""
            if total > 1:
                first = "首页 上一页" if n == 1 else (
                    f'<a href="{page_url(1)}">首页</a> <a href="{page_url(n - 1)}">上一页</a>')
                last = "下一页 尾页" if n == total else (
                    f'<a href="{page_url(n + 1)}">下一页</a> <a href="{page_url(total)}">尾页</a>')
                pager = (f'<div class="page">共{len(col.items)}条记录 共{total}页 当前第{n}页 '
                         f"{first} {last}</div>")
            siblings = [c for c in s.columns if col.group and c.group == col.group] or [col]
            side = "".join(f'<li><a href="{c.url}">{esc(c.name)}</a></li>' for c in siblings)
            body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
<tr>
<td width="220" valign="top" class="left"><div class="left_tit">{esc(col.group or col.name)}</div><ul class="left_ul">{side}</ul></td>
<td width="20"></td>
<td valign="top">
{self.location(col)}
<div class="list_tit">{esc(col.name)}</div>
{listing}
{pager}
</td>
</tr>
</table>"""
            self.page(path, f"{col.name}-{s.name}", body)

    def overview(self, col: Column) -> None:
        s = self.site
        sections = "\n".join(f"<h3>{esc(h)}</h3>\n" + paragraphs_html(p) for h, p in col.overview)
        body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
<tr><td valign="top">
{self.location(col)}
<div class="content"><h1>{esc(col.name)}</h1>
{sections}
</div>
</td></tr>
</table>"""
        self.page(col.url, f"{col.name}-{s.name}", body)

    def article(self, col: Column, item: Item, newer: Item | None, older: Item | None) -> None:
        s = self.site
        hms = (f"{8 + num(item.title) % 10:02d}:{num(item.title + 'm') % 60:02d}:"
               f"{num(item.title + 's') % 60:02d}")
        if col.kind == "report":
            content = annual_report_html(s, int(item.title.split("年")[0][-4:]), item.d)
        else:
            content = paragraphs_html(article_paragraphs(s, col, item))
            if col.kind in ("notice", "policy"):
                content += "\n" + signature_html(s, item)
        if item.related:
            content += (f'\n<p style="text-indent: 2em;">相关链接：<a href="{item.related}">'
                        f"{esc(item.related_text)}</a></p>")
        if item.attachment_url:
            content += (f'\n<p>附件：<a href="{item.attachment_url}">{esc(attachment_name(item))}</a></p>')
            if item.attachment_url not in (s.meta.get("status") or {}):
                self.out.put(item.attachment_url, attachment_bytes(s, col, item))
        prev_next = "<div class=\"sxp\">"
        prev_next += (f'<p>上一篇：<a href="{newer.url}">{esc(newer.title)}</a></p>' if newer
                      else "<p>上一篇：没有了</p>")
        prev_next += (f'<p>下一篇：<a href="{older.url}">{esc(older.title)}</a></p>' if older
                      else "<p>下一篇：没有了</p>")
        prev_next += "</div>"
        doc_no = f'<p align="center">{esc(item.doc_no)}</p>' if item.doc_no else ""
        body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
<tr><td valign="top">
{self.location(col, "正文")}
<div class="content">
<h1>{esc(item.title)}</h1>
<div class="info" align="center">发布时间：{item.date} {hms}　来源：{esc(s.source)}　【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
{doc_no}
<div class="text" id="zoom">
{content}
</div>
{prev_next}
</div>
</td></tr>
</table>"""
        self.page(item.url, f"{item.title}-{s.name}", body)

    def sitemap(self) -> None:
        s = self.site
        rows = []
        trap = bool(s.meta.get("fallback"))
        for entry in s.nav:
            if isinstance(entry, str):
                col = s.column(entry)
                rows.append(f'<tr><td class="dt"><a href="{col.url}">{esc(col.name)}</a></td><td></td></tr>')
            elif isinstance(entry[1], list):
                dd = "　".join(f'<a href="{s.column(k).url}">{esc(s.column(k).name)}</a>'
                              for k in entry[1])
                rows.append(f'<tr><td class="dt">{esc(entry[0])}</td><td>{dd}</td></tr>')
        # The template bug behind the repeating-segment trap: a relative link in the breadcrumb.
        here = '<a href="wzdt/index.shtml">网站地图</a>' if trap else "网站地图"
        body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
<tr><td valign="top">
<div class="location">当前位置：<a href="/">首页</a> &gt; {here}</div>
<table width="100%" class="wzdt">
{chr(10).join(rows)}
</table>
</td></tr>
</table>"""
        self.page("/wzdt/index.shtml", f"网站地图-{s.name}", body)

    def contact(self) -> None:
        s = self.site
        body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
<tr><td valign="top">
<div class="location">当前位置：<a href="/">首页</a> &gt; 联系我们</div>
<div class="content">
<p>单位名称：{esc(s.name)}</p><p>通讯地址：{esc(s.address)}</p><p>邮政编码：{s.postcode}</p>
<p>值班电话：{s.phone}</p>
</div>
</td></tr>
</table>"""
        self.page("/lxwm/index.shtml", f"联系我们-{s.name}", body)

    def search(self) -> None:
        s = self.site
        body = f"""<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="main">
<tr><td valign="top">
<div class="location">当前位置：<a href="/">首页</a> &gt; 站内检索</div>
<form action="/search/index.shtml" method="get"><input type="hidden" name="siteid" value="{s.meta.get("cms_siteid", 38)}" />检索词：<input type="text" name="searchword" /> <input type="submit" value="检索" /></form>
<p class="tip">请输入检索词后点击“检索”。</p>
</td></tr>
</table>"""
        self.page("/search/index.shtml", f"站内检索-{s.name}", body)


BUILDERS = {"trs": TRSBuilder, "hanweb": HanwebBuilder, "county": CountyBuilder}


# --------------------------------------------------------------------------------------------
# _portal.yaml and expected.yaml
# --------------------------------------------------------------------------------------------
def portal_yaml(site: Site, demo: bool = False) -> str:
    data: dict[str, Any] = {"id": site.id, "name": site.name, "unit": site.unit}
    data.update(site.meta)
    for key in ("sitemap_col", "contact_col", "cms_siteid", "advanced_search_link", "meta_charset"):
        data.pop(key, None)
    kind = "demo portal scanned by `govwatch demo`" if demo else "test fixture portal"
    head = (f"# {site.name} — {site.style} style {kind}; served by "
            "govwatch.demo.server.PortalServer.\n"
            "# Generated by tests/portals/generate.py (edit the data there, then run it).\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def expected_yaml(site: Site) -> str:
    nav_keys: list[str] = []
    for entry in site.nav:
        if isinstance(entry, str):
            nav_keys.append(entry)
        elif isinstance(entry[1], list):
            nav_keys.extend(entry[1])
    columns: list[dict[str, Any]] = []
    articles = []
    reports: list[dict[str, Any]] = []
    for key in nav_keys:
        col = site.column(key)
        columns.append({
            "name": col.name, "class": col.cls, "url": col.url,
            "newest_date": col.newest, "items": len(col.items),
            "empty_note": bool(col.note),
            "pages": 1 if col.kind == "overview" else
            len(col.list_pages) + len(col.dataproxy.get("groups", ())),
        })
        if col.note:
            columns[-1]["note"] = col.note
            columns[-1]["note_explains"] = col.explains
        if col.kind != "overview":
            columns[-1]["list_pages"] = list(col.list_pages)
        if col.dataproxy:
            columns[-1]["dataproxy"] = col.dataproxy
        if col.kind == "report":
            for item in col.items:
                reports.append({
                    "year": int(item.title.split("年")[0][-4:]), "title": item.title,
                    "url": item.url, "date": item.d,
                    "form": "pdf" if item.attach_only else "html",
                    "attachment": item.attachment_url if not item.attach_only else None,
                    # HTML reports carry the 2021 tables, and 一+二 = （七）+四 holds in them
                    "tables": "2021" if not item.attach_only else None})
        for n, item in enumerate(col.items):
            if n == 0 or item.expect:
                entry = {"url": item.url, "title": item.title, "date": item.d, "column": col.name}
                if item.attach_only:
                    entry["kind"] = "attachment"
                elif not item.pubdate_meta:
                    entry["pubdate_meta"] = False
                if item.attachment_url and not item.attach_only:
                    entry["attachment"] = item.attachment_url
                articles.append(entry)
    home_items = [i for k in site.home_blocks for i in site.column(k).items[:6]]
    data: dict[str, Any] = {
        "site": {"id": site.id, "name": site.name, "style": site.style,
                 "scan_date": AS_OF},
        "home": {"url": "/", "newest_date": max(i.d for i in home_items)},
        "columns": columns,
        "articles": articles,
        "annual_reports": reports,
        "footer": site.footer_expected,
    }
    data.update(site.expected_extra)
    head = (f"# Ground truth for the {site.key} portal ({site.name}), written from the data that\n"
            "# wrote its pages (tests/portals/generate.py), never from a crawler's output.\n"
            "# Column url = the path the navigation links to (/x/ and /x/index.html are the same\n"
            "# page); list_pages = every list page in the HTML (Hanweb pages client-side, so one).\n"
            "# items = items across all list pages. Dates are publication dates.\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def build_site(site: Site, dest: Path, with_expected: bool) -> int:
    files = BUILDERS[site.style](site).build()
    if dest.exists():
        shutil.rmtree(dest)
    for path, data in sorted(files.items()):
        target = dest / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (dest / "_portal.yaml").write_text(portal_yaml(site, demo=not with_expected),
                                       encoding="utf-8")
    if with_expected:
        (dest / "expected.yaml").write_text(expected_yaml(site), encoding="utf-8")
    return len(files)


# ============================================================================================
# the data
# ============================================================================================
def items(rows: list[tuple[str, str]] | list[tuple], **common: Any) -> list[Item]:
    out = []
    for row in rows:
        d, title, *rest = row
        kw = dict(common)
        if rest:
            kw.update(rest[0])
        out.append(Item(d, title, **kw))
    return out


TRS_OVERVIEW = [
    ("主要职责", [
        "（一）贯彻执行国家、省关于交通运输工作的方针政策和法律法规，拟订全市交通运输发展规划、政策措施并组织实施。",
        "（二）负责全市道路、水路运输市场监管，负责城市公共交通、出租汽车和汽车维修等行业管理。",
        "（三）负责全市公路建设市场监管，组织实施公路建设工程质量和安全生产监督管理。",
        "（四）负责全市交通运输行业安全生产和应急管理工作，组织协调重点物资和紧急客货运输。",
        "（五）完成市委、市政府交办的其他任务。",
    ]),
    ("内设机构", ["办公室、政策法规科、规划建设科、运输管理科、安全监督科、财务审计科、人事科。"]),
    ("联系方式", ["办公地址：天水市秦州区岷山路108号　联系电话：0938-8211234"]),
]


def trs_site() -> Site:
    gzdt = items([
        ("2026-11-20", "市交通运输局召开冬季道路运输安全生产工作推进会", {"expect": True}),
        ("2026-11-17", "市交通运输局开展“平安交通”专项督查"),
        ("2026-11-13", "天水至陇南高速公路天水段建设进展顺利"),
        ("2026-11-10", "市交通运输局召开党组理论学习中心组学习会议"),
        ("2026-11-06", "全市“四好农村路”建设现场观摩会在秦安县召开"),
        ("2026-11-03", "市交通运输局组织开展网约车合规化专项整治"),
        ("2026-10-30", "市交通运输局召开前三季度交通运输经济运行分析会"),
        ("2026-10-27", "市交通运输局赴麦积区调研农村客运站运营情况"),
        ("2026-10-22", "全市交通运输系统开展消防安全应急演练", {"expect": True}),
        ("2026-10-16", "市交通运输局举办交通运输行政执法业务培训班"),
        ("2026-10-10", "国庆中秋假期全市道路运输安全平稳有序"),
        ("2026-09-28", "市交通运输局部署国庆中秋假期交通运输保障工作"),
        ("2026-09-22", "天水市城市公交新开通两条定制公交线路"),
        ("2026-09-15", "市交通运输局召开治超工作联席会议"),
        ("2026-09-08", "市交通运输局开展汛后公路水毁修复情况检查"),
        ("2026-08-31", "甘谷县农村公路安全生命防护工程通过交工验收"),
        ("2026-08-25", "市交通运输局开展出租汽车行业服务质量信誉考核"),
        ("2026-08-18", "市交通运输局召开防汛工作调度会"),
        ("2026-08-11", "清水县至张家川县二级公路改建工程开工建设"),
        ("2026-08-04", "市交通运输局组织开展“八一”走访慰问活动", {"expect": True}),
    ])
    tzgg = items([
        ("2026-11-18", "天水市交通运输局关于2026年冬季道路客运安全管理的通知"),
        ("2026-11-05", "关于公布2026年度道路运输企业质量信誉考核结果的公告"),
        ("2026-10-20", "天水市交通运输局关于开展交通运输行业安全隐患排查整治的通知",
         {"attach": "docx", "expect": True}),
        ("2026-09-25", "关于做好国庆期间道路运输保障工作的通知"),
        ("2026-08-14", "天水市交通运输局关于征求《天水市农村公路养护管理办法（征求意见稿）》意见的公告"),
        ("2026-07-02", "关于2026年上半年出租汽车驾驶员从业资格考试有关事项的通知"),
    ])
    zcwj = items([
        ("2026-09-30", "天水市交通运输局关于印发《天水市道路运输行业安全生产风险分级管控办法》的通知",
         {"doc_no": "天交发〔2026〕86号"}),
        ("2026-09-10", "天水市交通运输局关于进一步规范网络预约出租汽车经营服务管理的实施意见",
         {"doc_no": "天交发〔2026〕79号"}),
        ("2026-08-20", "天水市交通运输局关于印发《天水市农村公路养护管理办法》的通知",
         {"doc_no": "天交发〔2026〕71号", "attach": "pdf"}),
        ("2026-07-28", "关于印发《天水市交通运输行政执法公示制度》的通知", {"doc_no": "天交发〔2026〕63号"}),
        ("2026-06-30", "天水市交通运输局关于印发《2026年全市交通运输工作要点》的通知",
         {"doc_no": "天交发〔2026〕55号"}),
        ("2026-06-12", "天水市交通运输局关于推进城乡客运一体化发展的实施意见", {"doc_no": "天交发〔2026〕48号"}),
        ("2026-05-20", "关于印发《天水市公路超限超载运输治理工作方案》的通知", {"doc_no": "天交发〔2026〕40号"}),
        ("2026-04-25", "天水市交通运输局关于印发《交通运输行业信用评价管理办法》的通知",
         {"doc_no": "天交发〔2026〕33号"}),
        ("2026-03-31", "关于印发《天水市交通运输系统安全生产治本攻坚行动实施方案》的通知",
         {"doc_no": "天交发〔2026〕21号"}),
        ("2026-03-06", "天水市交通运输局行政规范性文件制定程序规定", {"doc_no": "天交发〔2026〕12号"}),
        ("2026-01-15", "天水市交通运输局关于印发《天水市城市公共交通管理办法》的通知",
         {"doc_no": "天交发〔2026〕3号", "expect": True}),
        ("2025-12-10", "关于公布现行有效行政规范性文件目录的通知",
         {"doc_no": "天交发〔2025〕118号", "expect": True}),
    ])
    rsxx = items([
        ("2026-07-15", "天水市交通运输局2026年公开遴选工作人员拟遴选人员公示"),
        ("2026-05-22", "天水市交通运输局领导干部任前公示"),
        ("2026-03-18", "天水市交通运输局所属事业单位2026年公开招聘工作人员公告"),
        ("2025-11-28", "天水市交通运输局干部任职前公示"),
    ])
    nb = items([
        ("2026-01-20", "2025年天水市交通运输局政府信息公开工作年度报告", {"attach": "pdf"}),
        ("2025-01-22", "2024年天水市交通运输局政府信息公开工作年度报告"),
        ("2024-01-25", "2023年天水市交通运输局政府信息公开工作年度报告"),
    ])
    cols = [
        Column("机构概况", "overview", "jggk", "overview", overview=TRS_OVERVIEW),
        Column("工作动态", "news", "gzdt", "news", gzdt, per_page=8),
        Column("通知公告", "notice-policy", "tzgg", "notice", tzgg, group="政务公开"),
        Column("政策文件", "notice-policy", "zcwj", "policy", zcwj, per_page=10, group="政务公开"),
        Column("人事信息", "personnel-planning", "rsxx", "personnel", rsxx, group="政务公开"),
        Column("政府信息公开年报", "annual-report", "zfxxgknb", "report", nb, group="政务公开"),
        Column("安全生产", "other", "aqsc", "empty"),
    ]
    code = "6205000012"
    return Site(
        key="trs", style="trs", id="ts-jtj", name="天水市交通运输局", unit="天水市交通运输局办公室",
        short="市交通运输局", domain="jtj.tianshui.gov.cn", site_code=code,
        icp="陇ICP备10002345号-1", psb="甘公网安备 62050202000118号", psb_code="62050202000118",
        phone="0938-8211234", address="甘肃省天水市秦州区岷山路108号", postcode="741000",
        sub="各县区交通运输局，局属各单位", source="天水市交通运输局",
        conac=('<span id="_ideConac"><script type="text/javascript" src="https://dcs.conac.cn/js/28/'
               '000/0000/61234567/CA280000000612345670001.js"></script></span>'),
        jiucuo=(f'<script id="_jiucuo_" sitecode="{code}" '
                'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'),
        columns=cols,
        nav=["jggk", "gzdt", ("政务公开", ["tzgg", "zcwj", "rsxx", "zfxxgknb"]), "aqsc",
             ("互动交流", "https://www.tianshui.gov.cn/hdjl/")],
        home_blocks=["gzdt", "tzgg", "zcwj", "rsxx"],
        links=[("中国政府网", "https://www.gov.cn/"), ("交通运输部", "https://www.mot.gov.cn/"),
               ("甘肃省交通运输厅", "https://jtys.gansu.gov.cn/"),
               ("天水市人民政府", "https://www.tianshui.gov.cn/")],
        meta={"charset": "utf-8", "trap": "/calendar/", "trap_month": "2026-11"},
        footer_expected={
            "icp": {"valid": True, "value": "陇ICP备10002345号-1", "link": "https://beian.miit.gov.cn/"},
            "psb": {"valid": True, "value": "甘公网安备 62050202000118号",
                    "link": "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62050202000118"},
            "site_code": {"valid": True, "value": code},
            "conac": {"valid": True, "form": "script",
                      "value": "https://dcs.conac.cn/js/28/000/0000/61234567/CA280000000612345670001.js"},
            "jiucuo": {"valid": True, "form": "script", "sitecode": code,
                       "value": "https://zfwzgl.www.gov.cn/exposure/jiucuo.js"},
            "sponsor": {"valid": True, "value": "天水市交通运输局"},
            "contact": {"valid": True, "value": "0938-8211234"},
            "sitemap_link": {"valid": True, "value": "/wzdt/"},
            "contact_link": {"valid": True, "value": "/lxwm/"},
        },
        expected_extra={
            "charset": {"header": "utf-8", "meta": "utf-8", "actual": "utf-8"},
            "trap": [{"kind": "calendar", "prefix": "/calendar/", "entry": "/calendar/2026-11/"}],
            "attachments": [],  # filled in main()
            "meta_site_code": code,
        },
    )


HANWEB_NEWS = [
    ("2026-11-20", "市农业农村局召开全市秋冬种工作推进会"),
    ("2026-11-18", "市农业农村局开展农产品质量安全专项抽检"),
    ("2026-11-14", "全市高标准农田建设现场推进会在阜宁县召开"),
    ("2026-11-11", "市农业农村局部署秸秆综合利用和禁烧工作"),
    ("2026-11-07", "市农业农村局组织开展冬季动物疫病防控督查"),
    ("2026-11-03", "市农业农村局举办高素质农民培育示范班"),
    ("2026-10-30", "市农业农村局召开农业农村重点项目推进会"),
    ("2026-10-27", "市农业农村局开展农资打假“护农”专项行动"),
    ("2026-10-23", "全市水稻机收减损技能大比武在建湖县举行"),
    ("2026-10-20", "市农业农村局赴射阳县调研家庭农场发展情况"),
    ("2026-10-16", "市农业农村局召开渔业安全生产工作会议"),
    ("2026-10-13", "市农业农村局开展农村人居环境整治提升督查"),
    ("2026-10-09", "国庆中秋假期全市“菜篮子”产品供应充足价格平稳"),
    ("2026-09-29", "市农业农村局部署节日期间农业安全生产工作"),
    ("2026-09-25", "市农业农村局举办全市农业综合行政执法能力提升培训"),
    ("2026-09-23", "盐城市庆祝2026年中国农民丰收节活动在东台市举行"),
    ("2026-09-18", "市农业农村局开展种子市场专项检查"),
    ("2026-09-15", "市农业农村局召开全市农村集体“三资”管理工作会议"),
    ("2026-09-11", "市农业农村局调研数字农业农村建设工作"),
    ("2026-09-08", "全市秋季农作物病虫害防控工作会议召开"),
    ("2026-09-03", "市农业农村局组织开展农机安全生产大检查"),
    ("2026-08-28", "市农业农村局开展水产养殖尾水治理专项调研"),
    ("2026-08-25", "市农业农村局推进农业保险提标扩面工作"),
    ("2026-08-20", "全市畜禽养殖废弃物资源化利用现场会召开"),
    ("2026-08-14", "市农业农村局开展防汛抗灾农业生产技术指导"),
    ("2026-08-10", "市农业农村局组织收看全省乡村振兴工作视频会议"),
    ("2026-08-05", "盐城市新增4家省级农业产业化龙头企业"),
    ("2026-07-31", "市农业农村局召开上半年工作总结暨下半年工作推进会"),
    ("2026-07-28", "市农业农村局开展夏季农产品质量安全监督抽查"),
    ("2026-07-24", "市农业农村局举办农村电商带头人培训班"),
    ("2026-07-20", "市农业农村局调研大丰区现代农业产业园建设"),
    ("2026-07-15", "全市夏粮收购工作有序推进"),
    ("2026-07-10", "市农业农村局开展高温天气畜禽养殖安全生产指导"),
    ("2026-07-06", "市农业农村局召开农业农村领域安全生产形势分析会"),
    ("2026-07-01", "市农业农村局开展庆祝建党105周年主题党日活动"),
    ("2026-06-26", "全市夏收夏种工作基本结束"),
    ("2026-06-22", "市农业农村局召开全市“三夏”农机化生产工作会议"),
    ("2026-06-18", "市农业农村局组织开展农药包装废弃物回收处置检查"),
]


# 镇村动态: a long list served the newer jcms way, its records beyond the first group by the
# dataproxy (20 records, perPage 2, groups of 6: 6 embedded, then 7-12, 13-18 and 19-24 by
# POST, the last group short).
HANWEB_TOWNS = ["大冈镇", "龙冈镇", "郭猛镇", "学富镇", "尚庄镇", "楼王镇", "秦南镇", "大纵湖镇",
                "南洋镇", "黄尖镇", "盐东镇", "伍佑街道", "新兴镇"]
HANWEB_TOWN_WORK = ["开展秸秆禁烧巡查", "推进高标准农田建设", "举办农技培训进村入户活动",
                    "开展农村人居环境整治", "推进小麦秋播工作", "开展动物防疫集中免疫",
                    "组织农机安全生产检查", "召开家庭农场发展座谈会"]


def town_news(count: int) -> list[Item]:
    """*count* items a week apart, newest 2026-11-21; town and work differ in each title."""
    first = date(2026, 11, 21).toordinal()
    return [Item(date.fromordinal(first - 7 * n).isoformat(),
                 HANWEB_TOWNS[n % len(HANWEB_TOWNS)] + HANWEB_TOWN_WORK[n % len(HANWEB_TOWN_WORK)])
            for n in range(count)]


def hanweb_site() -> Site:
    news = items(HANWEB_NEWS)
    for n, item in enumerate(news):
        item.pubdate_meta = n % 3 != 1      # every third article has no PubDate meta
    news[1].expect = True                    # no PubDate meta
    news[16].expect = True                   # beyond the first client-side page (perPage 15)
    news[37].expect = True                   # the oldest record, on client-side page 3
    notice = items([
        ("2026-11-18", "关于2026年度市级农业产业化重点龙头企业拟认定名单的公示"),
        ("2026-11-06", "盐城市农业农村局关于2026年市级家庭农场示范场拟认定名单的公示"),
        ("2026-10-21", "关于开展2026年度农业农村领域“双随机、一公开”抽查的公告"),
        ("2026-09-12", "盐城市农业农村局关于农业行政处罚案件信息的公示", {"pubdate_meta": False,
                                                                    "expect": True}),
        ("2026-08-03", "关于2026年农机购置与应用补贴资金兑付情况的公示"),
        ("2026-06-15", "盐城市农业农村局2026年政府采购意向公开"),
    ])
    rule = items([
        ("2026-08-15", "盐城市农业农村局关于印发《盐城市农村集体资产交易管理办法》的通知",
         {"doc_no": "盐农规〔2026〕3号"}),
        ("2026-05-28", "盐城市农业农村局关于印发《盐城市农业行政处罚自由裁量权基准》的通知",
         {"doc_no": "盐农规〔2026〕2号"}),
        ("2026-02-12", "关于印发《盐城市高标准农田建设项目管理办法》的通知", {"doc_no": "盐农规〔2026〕1号"}),
        ("2025-10-30", "盐城市农业农村局关于印发《盐城市动物防疫条件审查实施细则》的通知",
         {"doc_no": "盐农规〔2025〕4号"}),
        ("2025-06-18", "盐城市农业农村局关于进一步加强农药经营管理的通知", {"doc_no": "盐农规〔2025〕2号"}),
    ])
    plan = items([
        ("2026-03-10", "盐城市农业农村局2026年工作要点"),
        ("2025-12-26", "盐城市“十五五”农业农村现代化发展规划（征求意见稿）"),
        ("2025-03-14", "盐城市农业农村局2025年工作要点"),
    ])
    county = items([
        ("2026-05-10", "东台市推进设施农业提档升级"),
        ("2026-04-22", "射阳县举办春季农业生产技术培训"),
        ("2026-03-30", "建湖县开展春季动物疫病集中免疫"),
        ("2026-03-12", "滨海县部署春耕备耕工作"),
    ])
    report = items([
        ("2026-01-18", "2025年盐城市农业农村局政府信息公开工作年度报告"),
        ("2025-01-21", "2024年盐城市农业农村局政府信息公开工作年度报告", {"expect": True}),
    ], attach="pdf", attach_only=True)
    towns = town_news(20)
    towns[9].expect = True                   # in the first dataproxy group (records 7-12)
    towns[19].expect = True                  # the oldest record: the last group's last
    cols = [
        Column("部门动态", "news", "10421", "news", news, per_page=15),
        Column("区县动态", "news", "10428", "news", county, per_page=15),
        Column("公示公告", "notice-policy", "10422", "notice", notice, per_page=15, group="信息公开"),
        Column("规范性文件", "notice-policy", "10423", "policy", rule, per_page=15, group="信息公开"),
        Column("规划计划", "personnel-planning", "10424", "personnel", plan, per_page=15,
               group="信息公开"),
        Column("政府信息公开年报", "annual-report", "10426", "report", report, per_page=15,
               group="信息公开"),
        Column("建议提案办理", "other", "10427", "empty", note="暂无信息", per_page=15, group="信息公开"),
        Column("领导信息", "overview", "10425", "overview", leaders=[
            ("陈建华", "党组书记、局长", "主持局全面工作。"),
            ("刘海峰", "党组成员、副局长", "负责种植业、种业、农业机械化等方面工作。"),
            ("周立新", "党组成员、副局长", "负责畜牧兽医、渔业渔政、农产品质量安全等方面工作。"),
            ("孙晓燕", "党组成员、副局长", "负责乡村发展、农村改革、农业农村法治等方面工作。"),
        ]),
        # last, so that the other columns' article ids stay as they were
        Column("镇村动态", "news", "10429", "news", towns, per_page=2, proxy=True),
    ]
    code = "3209000031"
    conac_id = hex32("yc-nyncj conac")
    return Site(
        key="hanweb", style="hanweb", id="yc-nyncj", name="盐城市农业农村局",
        unit="盐城市农业农村局办公室", short="市农业农村局", domain="nyncj.yancheng.gov.cn",
        site_code=code, icp="苏ICP备12034567", psb="苏公网安备 3209020200123号",
        psb_code="3209020200123", phone="0515-88362104",
        address="江苏省盐城市亭湖区世纪大道669号", postcode="224005",
        sub="各县（市、区）农业农村局，局机关各处室、直属各单位", source="盐城市农业农村局",
        conac=(f'<a href="https://bszs.conac.cn/sitename?method=show&amp;id={conac_id}" '
               'target="_blank"><img src="https://dcs.conac.cn/image/red.png" border="0" '
               'alt="党政机关"></a>'),
        jiucuo="",
        columns=cols,
        nav=["10421", "10428", "10429", ("信息公开", ["10422", "10423", "10424", "10426", "10427"]),
             "10425",
             ("互动交流", "https://www.yancheng.gov.cn/col/col2001/index.html")],
        home_blocks=["10421", "10422", "10423", "10428"],
        links=[("中国政府网", "https://www.gov.cn/"), ("农业农村部", "https://www.moa.gov.cn/"),
               ("江苏省农业农村厅", "https://nynct.jiangsu.gov.cn/"),
               ("盐城市人民政府", "https://www.yancheng.gov.cn/")],
        robots="User-agent: *\nDisallow:\n",
        meta={"sitemap_col": "10401", "contact_col": "10402",
              "dataproxy": {HANWEB_DATAPROXY: HANWEB_PROXY_FOLDER}},
        footer_expected={
            # typography only: the number is the site's; footer.format remarks on the 号
            "icp": {"valid": True, "value": "苏ICP备12034567号", "raw": "苏ICP备12034567",
                    "note": "缺少末尾的「号」", "link": "https://beian.miit.gov.cn"},
            "psb": {"valid": False, "value": "苏公网安备 3209020200123号",
                    "problem": "备案号应为14位数字（实为13位）",
                    "link": "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=3209020200123"},
            "site_code": {"valid": True, "value": code},
            "conac": {"valid": True, "form": "link",
                      "value": f"https://bszs.conac.cn/sitename?method=show&id={conac_id}"},
            "jiucuo": {"valid": False, "problem": "missing"},
            "sponsor": {"valid": True, "value": "盐城市农业农村局"},
            "contact": {"valid": True, "value": "0515-88362104"},
            "sitemap_link": {"valid": True, "value": "/col/col10401/index.html"},
            "contact_link": {"valid": True, "value": "/col/col10402/index.html"},
        },
        expected_extra={
            "charset": {"header": None, "meta": "utf-8", "actual": "utf-8"},
            "trap": [],
            "attachments": [],
            "meta_site_code": code,
            "embedded_records": {"/col/col10421/index.html": {"records": 38, "perpage": 15}},
        },
    )


COUNTY_OVERVIEW = [
    ("地理位置", ["瓜州县位于甘肃省河西走廊西端，东接玉门市，西连敦煌市，南邻肃北蒙古族自治县，"
              "北与新疆哈密市接壤，是古丝绸之路上的重要节点。"]),
    ("自然资源", ["全县风能、太阳能资源富集，是国家重要的新能源基地；境内有锁阳城遗址、榆林窟等文物古迹。"]),
    ("行政区划", ["全县辖10个乡镇、2个民族乡，71个行政村。县人民政府驻渊泉镇。"]),
]


def gbk_site() -> Site:
    news = items([
        ("2026-11-21", "瓜州县召开冬春季森林草原防灭火工作会议"),
        ("2026-11-19", "县长王堃调研冬季供暖保障工作", {"expect": True}),
        ("2026-11-14", "瓜州县召开重点项目建设推进会"),
        ("2026-11-10", "瓜州县开展冬季安全生产大检查"),
        ("2026-11-05", "瓜州县召开巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作推进会"),
        ("2026-10-30", "瓜州县蜜瓜产业发展座谈会召开"),
        ("2026-10-24", "副县长李镕督导秋冬季农田水利基本建设", {"expect": True}),
        ("2026-10-17", "瓜州县召开防沙治沙工作推进会"),
        ("2026-10-11", "瓜州县举办锁阳城文化旅游推介会"),
        ("2026-09-28", "瓜州县召开国庆节前安全生产工作会议"),
        ("2026-09-19", "瓜州县开展全国科普日主题活动"),
        ("2026-09-09", "瓜州县召开教师节庆祝表彰大会"),
        ("2026-08-26", "瓜州县新能源项目建设稳步推进"),
        ("2026-08-12", "瓜州县开展防汛应急演练"),
        ("2026-07-28", "瓜州县召开上半年经济运行分析会"),
        ("2026-07-08", "瓜州县开展“河湖长制”专项巡查"),
        ("2026-06-16", "瓜州县组织开展安全生产月宣传咨询日活动"),
        ("2026-05-20", "瓜州县召开招商引资工作推进会"),
        ("2026-04-15", "瓜州县开展全民国家安全教育日宣传活动"),
        ("2026-03-12", "瓜州县开展春季义务植树活动"),
        ("2026-02-26", "瓜州县召开2026年全县经济工作会议"),
        ("2026-01-15", "政协瓜州县第十届委员会第五次会议开幕", {"expect": True}),
        ("2025-12-30", "瓜州县开展元旦春节前安全生产检查", {"expect": True}),
        ("2025-12-22", "县委书记张喆主持召开县委常委会议", {"expect": True}),
        ("2025-12-05", "瓜州县开展“12·4”国家宪法日宣传活动", {"expect": True}),
    ])
    dept = items([
        ("2026-11-20", "县交通运输局开展冬季道路运输安全检查"),
        ("2026-11-12", "县市场监管局开展冬季食品安全专项检查"),
        ("2026-11-04", "县教育局举办中小学教师信息技术应用能力提升培训"),
        ("2026-10-22", "县卫生健康局开展秋冬季传染病防控督导", {"expect": True}),
        ("2026-10-08", "县文体广电和旅游局开展国庆假期文旅市场检查"),
    ])
    notice = items([
        ("2026-11-18", "瓜州县人民政府关于冬季供暖有关事项的通告"),
        ("2026-11-09", "关于赵珺等同志任职前公示的公告", {"expect": True}),
        ("2026-10-27", "瓜州县人民政府办公室关于做好冬春季森林草原防灭火工作的通知"),
        ("2026-10-10", "关于征集2027年县级民生实事项目建议的公告"),
        ("2026-09-15", "瓜州县人民政府关于禁止焚烧农作物秸秆的通告"),
        ("2026-08-20", "关于公开招聘城镇公益性岗位人员的公告"),
    ])
    policy = items([
        ("2026-10-15", "瓜州县人民政府关于印发瓜州县冬季清洁取暖实施方案的通知",
         {"doc_no": "瓜政发〔2026〕23号", "written": "2026年10月12日", "attach": "doc",
          "expect": True}),
        ("2026-08-28", "瓜州县人民政府办公室关于印发瓜州县防汛抗旱应急预案的通知",
         {"doc_no": "瓜政办发〔2026〕41号", "written": "2026年8月25日"}),
        ("2026-06-10", "瓜州县人民政府关于印发瓜州县促进民营经济发展若干措施的通知",
         {"doc_no": "瓜政发〔2026〕15号", "written": "2026年6月6日"}),
        ("2026-03-20", "瓜州县人民政府关于印发2026年政府工作报告重点工作任务分解方案的通知",
         {"doc_no": "瓜政发〔2026〕6号", "written": "2026年3月17日"}),
        ("2025-12-18", "瓜州县人民政府办公室关于印发瓜州县农村人居环境整治提升行动实施方案的通知",
         {"doc_no": "瓜政办发〔2025〕88号", "written": "2025年12月15日"}),
    ])
    personnel = items([
        ("2026-09-12", "瓜州县2026年事业单位公开招聘工作人员拟聘用人员公示"),
        ("2026-07-03", "瓜州县2026年公开招聘社区工作者公告"),
        ("2026-04-18", "瓜州县人民政府关于刘昇等同志职务任免的通知", {"expect": True}),
        ("2026-01-09", "瓜州县2025年度公务员考核优秀等次人员公示"),
    ])
    report = items([
        ("2026-03-25", "2025年瓜州县人民政府政府信息公开工作年度报告"),
        ("2026-01-28", "瓜州县教育局2025年政府信息公开工作年度报告", {"expect": True}),
        ("2025-03-26", "2024年瓜州县人民政府政府信息公开工作年度报告"),
    ])
    cols = [
        Column("县情概况", "overview", "xqgk", "overview", overview=COUNTY_OVERVIEW),
        Column("瓜州要闻", "news", "gzyw", "news", news, per_page=10, date_fmt="md", group="政务动态"),
        Column("部门动态", "news", "bmdt", "news", dept, date_fmt="md", group="政务动态"),
        Column("通知公告", "notice-policy", "tzgg", "notice", notice, date_fmt="md", group="信息公开"),
        Column("政策文件", "notice-policy", "zcwj", "policy", policy, layout="table", group="信息公开"),
        Column("人事信息", "personnel-planning", "rsxx", "personnel", personnel, date_fmt="slash",
               group="信息公开"),
        Column("政府信息公开年报", "annual-report", "ndbg", "report", report, date_fmt="bracket",
               group="信息公开"),
        Column("专项资金", "other", "zxzj", "empty", group="信息公开"),
        Column("重大项目", "other", "zdxm", "empty", note="本栏目暂无内容", group="信息公开"),
    ]
    code = "6209220038"
    search = ("/search/index.shtml?searchword=&channelid=210532&sortfield=-docreltime&classsql="
              "&prepage=15&page=1&siteid=38&templet=search.jsp&searchscope=&timescope="
              "&timescopecolumn=&orderby=-docreltime&andsen=&total=&orsen=&exclude=")
    return Site(
        key="gbk", style="county", id="jq-guazhou", name="瓜州县人民政府",
        unit="瓜州县人民政府办公室", short="瓜州县", domain="www.guazhou.gov.cn", site_code=code,
        icp="甘ICP备05000123号-1", psb="甘公网安备 62092202000584号", psb_code="62092202000584",
        phone="0937-5521234", address="甘肃省酒泉市瓜州县渊泉镇城内路1号", postcode="736100",
        sub="各乡镇人民政府，县政府各部门，省市驻瓜各单位", source="瓜州县融媒体中心",
        conac=(f'<a href="https://bszs.conac.cn/sitename?method=show&amp;id={hex32("guazhou").upper()}" '
               'target="_blank"><img src="https://dcs.conac.cn/image/red.png" width="60" height="74" '
               'border="0" alt="党政机关" /></a>'),
        jiucuo=(f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}&amp;url='
                'http%3A%2F%2Fwww.guazhou.gov.cn%2F" target="_blank"><img src="https://zfwzgl.www.'
                'gov.cn/exposure/images/jiucuo.png" border="0" alt="我为政府网站找错" /></a>'),
        columns=cols,
        nav=["xqgk", ("政务动态", ["gzyw", "bmdt"]),
             ("信息公开", ["tzgg", "zcwj", "rsxx", "ndbg", "zxzj", "zdxm"]),
             ("互动交流", "https://www.jiuquan.gov.cn/hdjl/")],
        home_blocks=["gzyw", "tzgg", "bmdt", "rsxx"],
        links=[("中国政府网", "https://www.gov.cn/"), ("甘肃省人民政府", "https://www.gansu.gov.cn/"),
               ("酒泉市人民政府", "https://www.jiuquan.gov.cn/")],
        robots="",
        meta={
            "charset": "gbk",
            "headers": {
                "/tzgg/index.shtml": {"Content-Type": "text/html; charset=utf-8"},
                "/rsxx/index.shtml": {"Content-Type": "text/html"},
                "/202610/*": {"Content-Type": "text/html"},
                "/202512/*": {"Content-Type": "text/html"},
            },
            "fallback": {"/wzdt/": "/wzdt/index.shtml"},
            "advanced_search_link": search,
        },
        footer_expected={
            "icp": {"valid": True, "value": "甘ICP备05000123号-1", "link": "https://beian.miit.gov.cn/"},
            "psb": {"valid": True, "value": "甘公网安备 62092202000584号",
                    "link": "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62092202000584"},
            "site_code": {"valid": True, "value": code, "raw": f"网站标识码：{code}"},
            "conac": {"valid": True, "form": "image", "value": "https://dcs.conac.cn/image/red.png"},
            "jiucuo": {"valid": True, "form": "link",
                       "value": f"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}"
                                "&url=http%3A%2F%2Fwww.guazhou.gov.cn%2F"},
            "sponsor": {"valid": True, "value": "瓜州县人民政府"},
            "contact": {"valid": True, "value": "0937-5521234"},
            "sitemap_link": {"valid": True, "value": "/wzdt/index.shtml"},
            "contact_link": {"valid": True, "value": "/lxwm/index.shtml"},
        },
        expected_extra={
            "charset": {"header": "gbk", "meta": "gb2312", "actual": "gbk"},
            "charset_pages": [
                {"url": "/tzgg/index.shtml", "header": "utf-8", "meta": "gb2312", "actual": "gbk"},
                {"url": "/rsxx/index.shtml", "header": None, "meta": "gb2312", "actual": "gbk"},
                {"url": "/202610/*", "header": None, "meta": "gb2312", "actual": "gbk"},
                {"url": "/202512/*", "header": None, "meta": "gb2312", "actual": "gbk"},
            ],
            "gbk_only_characters": ["堃", "镕", "喆", "珺", "昇"],
            "trap": [
                {"kind": "session-id", "example": "/gzyw/index.shtml;jsessionid=…",
                 "note": "home-page 更多 links carry ;jsessionid=; the page is the column itself"},
                {"kind": "repeating-segment", "prefix": "/wzdt/",
                 "example": "/wzdt/wzdt/wzdt/index.shtml",
                 "note": "relative breadcrumb link wzdt/index.shtml; the server answers any "
                         "path under /wzdt/ with the site map"},
                {"kind": "many-query-params", "example": search},
            ],
            "no_robots_txt": True,
            "attachments": [],
            "jsessionid": True,
        },
    )


# -- demo portals --------------------------------------------------------------------------------
def demo_xianyang_jtj() -> Site:
    jtyw = items([
        ("2026-11-21", "咸阳市交通运输局召开全市冬季交通运输安全生产工作会议"),
        ("2026-11-16", "西咸北环线高速公路咸阳段主体工程完工"),
        ("2026-11-09", "咸阳市新开通三条城乡公交线路", {
            "related": "/jtyw/202310/t20231012_884211.html", "related_text": "往期回顾：城乡公交一体化"}),
        ("2026-10-28", "咸阳市交通运输局开展道路运输企业安全生产标准化检查"),
    ])
    gzdt = items([
        ("2026-10-09", "市交通运输局召开国庆假期工作总结会"),
        ("2026-09-14", "市交通运输局开展“路政宣传月”活动"),
        ("2026-08-20", "市交通运输局举办交通运输执法人员业务培训"),
    ])
    tzgg = items([
        ("2026-11-12", "咸阳市交通运输局关于做好冬季道路旅客运输安全工作的通知"),
        ("2026-09-30", "关于公布2026年咸阳市出租汽车经营权服务质量招投标结果的公告"),
        ("2026-07-18", "咸阳市交通运输局关于开展交通运输领域安全隐患大排查的通知"),
    ])
    zcwj = items([
        ("2026-06-30", "咸阳市交通运输局关于印发《咸阳市网络预约出租汽车经营服务管理实施细则》的通知",
         {"doc_no": "咸交发〔2026〕52号"}),
        ("2026-02-26", "咸阳市交通运输局关于印发《2026年全市交通运输工作要点》的通知",
         {"doc_no": "咸交发〔2026〕11号"}),
    ])
    nb = items([("2026-01-23", "2025年咸阳市交通运输局政府信息公开工作年度报告")])
    cols = [
        Column("机构职能", "overview", "jgzn", "overview", overview=[
            ("主要职责", ["负责全市公路、水路交通运输行业管理，拟订交通运输发展规划并组织实施。",
                      "负责城市公共交通、出租汽车、道路运输市场监管和交通运输安全生产监督管理。"]),
            ("内设机构", ["办公室、综合规划科、运输管理科、安全监督科、法规科、财务科。"])]),
        Column("交通要闻", "news", "jtyw", "news", jtyw),
        Column("工作动态", "news", "gzdt", "news", gzdt),
        Column("通知公告", "notice-policy", "tzgg", "notice", tzgg, group="信息公开"),
        Column("政策文件", "notice-policy", "zcwj", "policy", zcwj, group="信息公开"),
        Column("政府信息公开年报", "annual-report", "ndbg", "report", nb, group="信息公开"),
        Column("安全监管", "other", "aqjg", "empty", group="信息公开"),
    ]
    code = "6104000011"
    return Site(
        key="xianyang-jtj", style="trs", id="xy-jtj", name="咸阳市交通运输局",
        unit="咸阳市交通运输局办公室", short="市交通运输局", domain="jtj.xianyang.gov.cn",
        site_code=code, icp="陕ICP备06003471号-1", psb="陕公网安备 61040202000217",
        psb_code="61040202000217", phone="029-33212345",
        address="陕西省咸阳市秦都区人民西路12号", postcode="712000",
        sub="各县市区交通运输局，局属各单位", source="咸阳市交通运输局",
        conac=('<span id="_ideConac"><script type="text/javascript" src="https://dcs.conac.cn/js/27/'
               '000/0000/60452811/CA270000000604528110002.js"></script></span>'),
        jiucuo=(f'<script id="_jiucuo_" sitecode="{code}" '
                'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'),
        columns=cols,
        nav=["jgzn", "jtyw", "gzdt", ("信息公开", ["tzgg", "zcwj", "ndbg", "aqjg"]),
             ("互动交流", "https://www.xianyang.gov.cn/hdjl/")],
        home_blocks=["jtyw", "gzdt", "tzgg", "zcwj"],
        links=[("中国政府网", "https://www.gov.cn/"), ("陕西省交通运输厅", "https://jtyst.shaanxi.gov.cn/"),
               ("咸阳市人民政府", "https://www.xianyang.gov.cn/")],
        service="https://zwfw.shaanxi.gov.cn/",
        meta={"charset": "utf-8", "status": {"/jtyw/202310/t20231012_884211.html": 500},
              "as_of": AS_OF,
              "problems": ["工作动态 not updated since 2026-10-09 (news window 14 days)",
                           "安全监管 is an empty column",
                           "公安备案号 shown without 号 (陕公网安备 61040202000217)",
                           "交通要闻 article links to /jtyw/202310/t20231012_884211.html, which answers 500"]},
    )


def demo_yongshou() -> Site:
    ysyw = items([
        ("2026-11-20", "永寿县召开冬季安全生产暨森林防火工作会议"),
        ("2026-11-13", "永寿县槐花蜜产业发展推进会召开"),
        ("2026-11-02", "县长韩堃调研苹果产业冬季管理工作"),
        ("2025-12-28", "永寿县召开岁末年初安全防范工作会议"),
    ])
    xzdt = items([
        ("2026-11-17", "监军街道开展冬季消防安全宣传"),
        ("2026-11-06", "常宁镇推进高标准农田建设"),
    ])
    tzgg = items([
        ("2026-11-10", "永寿县人民政府关于做好冬季燃煤取暖安全的通告"),
        ("2026-10-12", "关于2026年永寿县城乡居民医疗保险集中参保缴费的通知"),
    ])
    zcwj = items([
        ("2026-05-18", "永寿县人民政府关于印发永寿县苹果产业高质量发展实施方案的通知",
         {"doc_no": "永政发〔2026〕9号", "written": "2026年5月15日", "attach": "doc"}),
        ("2026-01-22", "永寿县人民政府办公室关于印发永寿县突发事件总体应急预案的通知",
         {"doc_no": "永政办发〔2026〕3号", "written": "2026年1月20日"}),
    ])
    rsxx = items([("2025-06-20", "永寿县2025年事业单位公开招聘工作人员拟聘用人员公示")])
    nb = items([("2025-03-28", "2024年永寿县人民政府政府信息公开工作年度报告")])
    cols = [
        Column("县情概况", "overview", "xqgk", "overview", overview=[
            ("基本县情", ["永寿县位于陕西省咸阳市西北部，地处渭北旱塬，素有“秦陇咽喉、彬宁孔道”之称。"]),
            ("特色产业", ["全县以苹果、槐花蜜、中药材为主导产业，是全国优质苹果生产基地县。"])]),
        Column("永寿要闻", "news", "ysyw", "news", ysyw, per_page=3, date_fmt="md", group="政务动态"),
        Column("乡镇动态", "news", "xzdt", "news", xzdt, date_fmt="md", group="政务动态"),
        Column("通知公告", "notice-policy", "tzgg", "notice", tzgg, date_fmt="md", group="信息公开"),
        Column("政策文件", "notice-policy", "zcwj", "policy", zcwj, layout="table", group="信息公开"),
        Column("人事信息", "personnel-planning", "rsxx", "personnel", rsxx, date_fmt="slash",
               group="信息公开"),
        Column("政府信息公开年报", "annual-report", "ndbg", "report", nb, date_fmt="bracket",
               group="信息公开"),
        Column("重点项目", "other", "zdxm", "empty", group="信息公开"),
    ]
    code = "6104260001"
    doc = zcwj[0]
    site = Site(
        key="yongshou-gov", style="county", id="xy-yongshou", name="永寿县人民政府",
        unit="永寿县人民政府办公室", short="永寿县", domain="www.yongshou.gov.cn", site_code=code,
        icp="陕ICP备05004217号-1", psb="陕公网安备 61042602000031号", psb_code="61042602000031",
        phone="029-37612345", address="陕西省咸阳市永寿县监军街道府前路1号", postcode="713400",
        sub="各镇人民政府、街道办事处，县政府各工作部门、直属机构", source="永寿县人民政府办公室",
        conac=(f'<a href="https://bszs.conac.cn/sitename?method=show&amp;id={hex32("yongshou").upper()}" '
               'target="_blank"><img src="https://dcs.conac.cn/image/red.png" width="60" height="74" '
               'border="0" alt="党政机关" /></a>'),
        jiucuo="",
        columns=cols,
        nav=["xqgk", ("政务动态", ["ysyw", "xzdt"]),
             ("信息公开", ["tzgg", "zcwj", "rsxx", "ndbg", "zdxm"]),
             # the county's consultation channel is the city's platform (集约化)
             ("互动交流", "https://www.xianyang.gov.cn/hdjl/")],
        home_blocks=["ysyw", "tzgg", "xzdt", "zcwj"],
        links=[("中国政府网", "https://www.gov.cn/"), ("陕西省人民政府", "https://www.shaanxi.gov.cn/"),
               ("咸阳市人民政府", "https://www.xianyang.gov.cn/")],
        robots="User-agent: *\nDisallow: /search/\n",
        meta={"charset": "gbk", "as_of": AS_OF, "cms_siteid": 12},
        footer_expected={},
    )
    # the attachment link answers 404 (the file was removed from the server)
    CountyBuilder(site)  # assigns urls
    site.meta["status"] = {doc.attachment_url: 404}
    site.meta["problems"] = [
        "政策文件 not updated since 2026-05-18 (6-month window)",
        "人事信息 not updated since 2025-06-20 (12-month window)",
        "政府信息公开年报 has no report for 2025 (due 2026-01-31)",
        "重点项目 is an empty column",
        "no 我为政府网站找错 entry in the footer",
        f"政策文件 attachment {doc.attachment_url} answers 404",
    ]
    site.meta["notes"] = [
        "served as GBK; list dates are [MM-DD] with the year implied (永寿要闻 page 2 is from 2025-12)",
        "政策文件 is a table with 成文日期 and 发布日期 columns",
    ]
    return site


def demo_sthjj() -> Site:
    news = items([
        ("2026-11-19", "市生态环境局召开秋冬季大气污染综合治理攻坚推进会"),
        ("2026-11-12", "市生态环境局开展冬季燃煤锅炉专项执法检查"),
        ("2026-11-04", "咸阳市10月份环境空气质量排名公布"),
        ("2026-10-22", "市生态环境局组织开展突发环境事件应急演练"),
        ("2026-10-15", "市生态环境局深入企业开展环保服务指导"),
    ], pubdate_meta=False)
    notice = items([
        ("2026-04-02", "咸阳市生态环境局关于2026年第一季度重点排污单位监督性监测结果的公告"),
        ("2026-02-10", "关于咸阳市2026年重点排污单位名录的公示"),
        ("2025-11-20", "咸阳市生态环境局关于建设项目环境影响评价文件审批结果的公告"),
    ])
    plan = items([("2026-02-20", "咸阳市生态环境局2026年工作要点")])
    report = items([("2026-02-10", "2025年咸阳市生态环境局政府信息公开工作年度报告")],
                   attach="pdf", attach_only=True)
    cols = [
        Column("环境动态", "news", "2101", "news", news, per_page=15),
        Column("公示公告", "notice-policy", "2102", "notice", notice, per_page=15, group="信息公开"),
        Column("规划计划", "personnel-planning", "2103", "personnel", plan, per_page=15,
               group="信息公开"),
        Column("政府信息公开年报", "annual-report", "2105", "report", report, per_page=15,
               group="信息公开"),
        Column("行政处罚", "other", "2106", "empty", note="暂无信息", per_page=15, group="信息公开"),
        Column("领导信息", "overview", "2104", "overview", leaders=[
            ("张卫东", "党组书记、局长", "主持局全面工作。"),
            ("王丽萍", "党组成员、副局长", "负责大气、水、土壤污染防治工作。"),
            ("李志强", "党组成员、副局长", "负责环境执法、环境监测、应急管理工作。"),
        ]),
    ]
    code = "6104000035"
    return Site(
        key="xianyang-sthjj", style="hanweb", id="xy-sthjj", name="咸阳市生态环境局",
        unit="咸阳市生态环境局办公室", short="市生态环境局", domain="sthjj.xianyang.gov.cn",
        site_code=code, icp="陕ICP备1234567号", psb="陕公网安备 61040202000388号",
        psb_code="61040202000388", phone="029-33567890",
        address="陕西省咸阳市秦都区世纪大道56号", postcode="712000",
        sub="各县市区分局，局机关各科室、直属各单位", source="咸阳市生态环境局",
        conac=(f'<a href="https://bszs.conac.cn/sitename?method=show&amp;id={hex32("xysthjj")}" '
               'target="_blank"><img src="https://dcs.conac.cn/image/red.png" border="0" '
               'alt="党政机关"></a>'),
        jiucuo=(f'<script id="_jiucuo_" sitecode="{code}" '
                'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>'),
        columns=cols,
        nav=["2101", ("信息公开", ["2102", "2103", "2105", "2106"]), "2104"],
        home_blocks=["2101", "2102"],
        links=[("中国政府网", "https://www.gov.cn/"), ("生态环境部", "https://www.mee.gov.cn/"),
               ("咸阳市人民政府", "https://www.xianyang.gov.cn/")],
        meta={"sitemap_col": "2001", "contact_col": "2002", "as_of": AS_OF,
              "problems": ["公示公告 not updated since 2026-04-02 (6-month window)",
                           "2025 annual report published 2026-02-10, after the 31 January deadline",
                           "ICP备案号 has 7 digits (陕ICP备1234567号)",
                           "行政处罚 shows only 暂无信息: an empty column (a bare placeholder "
                           "explains nothing)"],
              "notes": ["环境动态 articles carry no PubDate meta; the date is only in the info line",
                        "column lists are Hanweb datastore records embedded in the page"]},
        footer_expected={},
    )


def test_sites() -> list[Site]:
    return [trs_site(), hanweb_site(), gbk_site()]


def demo_sites() -> list[Site]:
    return [demo_xianyang_jtj(), demo_yongshou(), demo_sthjj()]


def build_all(tests_dir: Path, demo_dir: Path) -> dict[str, int]:
    counts = {}
    for site in test_sites():
        files = BUILDERS[site.style](site).build()
        site.expected_extra["attachments"] = sorted(
            p for p in files if p.rsplit(".", 1)[-1] in ("pdf", "doc", "docx", "xls", "xlsx"))
        counts[f"tests/portals/{site.key}"] = build_site(site, tests_dir / site.key, True)
    for site in demo_sites():
        counts[f"govwatch/demo/portals/{site.key}"] = build_site(site, demo_dir / site.key, False)
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write under this root instead of the repo")
    args = parser.parse_args(argv)
    root = args.out or REPO
    counts = build_all(root / "tests" / "portals", root / "govwatch" / "demo" / "portals")
    for name, n in counts.items():
        print(f"{name}: {n} files (+ _portal.yaml)")


if __name__ == "__main__":
    main()
