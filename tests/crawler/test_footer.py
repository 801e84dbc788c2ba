"""Footer identifiers (页面底部功能区): what footer_facts finds on real-looking pages."""

import lxml.html
import pytest

from govwatch.core.vocabulary import FactKind
from govwatch.crawler.pages.footer import PROVINCES, FooterFact, footer_facts

# A TRS WCM portal page as served: navigation header, article, footer table, badge scripts.
TRS_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="SiteName" content="甘肃省交通运输厅">
<meta name="SiteIDCode" content="6200000038">
<title>甘肃省交通运输厅</title></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/col/zwgk/">政务公开</a></div>
<div class="main"><ul>
  <li><a href="./202505/t20250518_123.html">工作动态</a> 2025-05-18</li>
</ul></div>
<div class="footer">
  <div class="footer-links"><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></div>
  <table><tr>
    <td><span id="_ideConac"><script type="text/javascript"
      src="https://dcs.conac.cn/js/29/000/0000/60429971/CA290000000604299710004.js"></script></span></td>
    <td>
      <p>主办单位：甘肃省交通运输厅&nbsp;&nbsp;&nbsp;地址：兰州市城关区南昌路1716号&nbsp;&nbsp;邮编：730030</p>
      <p><a href="https://beian.miit.gov.cn/" target="_blank">陇ICP备2021003158号-1</a>
         &nbsp;<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62090202000584"
         target="_blank"><img src="/images/ga.png">甘公网安备 62090202000584号</a>
         &nbsp;网站标识码：6200000038</p>
    </td>
    <td><script id="_jiucuo_" sitecode="6200000038"
      src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></td>
  </tr></table>
</div>
</body></html>"""


def facts(html: str) -> dict[FactKind, FooterFact]:
    return {fact.kind: fact for fact in footer_facts(lxml.html.fromstring(html))}


def ok(kind: FactKind, raw: str, value: str) -> FooterFact:
    return FooterFact(kind, raw, value, True, None)


def test_trs_footer_all_valid():
    jiucuo_tag = (
        '<script id="_jiucuo_" sitecode="6200000038" '
        'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">'
    )
    assert footer_facts(lxml.html.fromstring(TRS_PAGE)) == [
        ok(FactKind.ICP, "陇ICP备2021003158号-1", "陇ICP备2021003158号-1"),
        ok(FactKind.PSB, "甘公网安备 62090202000584号", "甘公网安备62090202000584号"),
        ok(FactKind.SITE_CODE, "网站标识码：6200000038", "6200000038"),
        ok(FactKind.SITE_CODE_META, "6200000038", "6200000038"),
        ok(
            FactKind.CONAC,
            "https://dcs.conac.cn/js/29/000/0000/60429971/CA290000000604299710004.js",
            "CA290000000604299710004",
        ),
        ok(FactKind.JIUCUO, jiucuo_tag, "6200000038"),
        ok(FactKind.SPONSOR, "主办单位：甘肃省交通运输厅", "甘肃省交通运输厅"),
    ]


def test_messy_footer_is_read_tolerantly_and_judged_strictly():
    found = facts(
        """<html><body><div id="bottom">
        <p>网站主办单位 ： 昆明市人民政府办公室<br>联系电话：0871-63196114</p>
        <p>滇ICP备 0500 2117号 - 3&nbsp;&nbsp;滇公网安备53010202002026
           &nbsp;政府网站标识码 ： 5301000001</p>
        </div></body></html>"""
    )
    assert found[FactKind.ICP] == ok(FactKind.ICP, "滇ICP备 0500 2117号 - 3", "滇ICP备05002117号-3")
    assert found[FactKind.PSB] == FooterFact(
        FactKind.PSB, "滇公网安备53010202002026", "滇公网安备53010202002026", False, "missing 号"
    )
    assert found[FactKind.SITE_CODE] == ok(
        FactKind.SITE_CODE, "网站标识码 ： 5301000001", "5301000001"
    )
    assert found[FactKind.SPONSOR] == ok(
        FactKind.SPONSOR, "网站主办单位 ： 昆明市人民政府办公室", "昆明市人民政府办公室"
    )


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("京ICP备05070218号", "京ICP备05070218号", None),
        ("蜀ICP备2021003158号-12", "蜀ICP备2021003158号-12", None),
        ("京ICP备０５０７０２１８号", "京ICP备05070218号", None),
        ("京ICP备05070218-5号", "京ICP备05070218-5号", "-N suffix before 号"),
        ("京ICP备05070218", "京ICP备05070218", "missing 号"),
        ("海ICP备05070218号", "海ICP备05070218号", "unknown province abbreviation 海"),
        ("京ICP备0507021号", "京ICP备0507021号", "ICP number must be 8 or 10 digits"),
        ("ICP备案号：05070218号", "ICP备05070218号", "missing province abbreviation"),
        ("网站ICP备案号：05070218号", "ICP备05070218号", "missing province abbreviation"),
        ("ICP备05070218号", "ICP备05070218号", "missing province abbreviation"),
    ],
)
def test_icp_validation(text, value, problem):
    fact = facts(f"<footer><p>{text}</p></footer>")[FactKind.ICP]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("京公网安备 11010502030143号", "京公网安备11010502030143号", None),
        ("京公网安备 1101050203014号", "京公网安备1101050203014号", "PSB number must be 14 digits"),
        (
            "京公网安备99010502030143号",
            "京公网安备99010502030143号",
            "region code 99 is not a province",
        ),
    ],
)
def test_psb_validation(text, value, problem):
    fact = facts(f"<footer><p>{text}</p></footer>")[FactKind.PSB]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("网站标识码：bm07000001", "bm07000001", None),
        ("网站标识码：620000003", "620000003", "site code must be 10 digits or bm+8 digits"),
        ("网站标识码：9900000038", "9900000038", "region code 99 is not a province"),
        ("网站标识码：", None, "no code after 网站标识码"),
    ],
)
def test_site_code_validation(text, value, problem):
    fact = facts(f"<div class='copyright'>{text}</div>")[FactKind.SITE_CODE]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


def test_an_empty_site_code_label_does_not_hide_a_later_code():
    found = facts("<div class='copyright'>网站标识码：<br>网站标识码：6200000038</div>")
    assert found[FactKind.SITE_CODE].value == "6200000038"


def test_missing_identifiers_are_reported_as_missing():
    assert footer_facts(lxml.html.fromstring("<html><body><p>欢迎访问</p></body></html>")) == [
        FooterFact(kind, None, None, False, "missing") for kind in FactKind
    ]


def test_site_code_in_header_is_found_when_footer_lacks_it():
    found = facts(
        """<html><body><div class="top">政府网站标识码：6201000001</div>
        <div class="footer">主办单位：兰州市人民政府办公室</div></body></html>"""
    )
    assert found[FactKind.SITE_CODE] == ok(
        FactKind.SITE_CODE, "网站标识码：6201000001", "6201000001"
    )


def test_footer_is_preferred_to_the_rest_of_the_page():
    found = facts(
        """<html><body><div class="top">网站标识码：6201000001</div>
        <div class="wrap"><div class="bq">网站标识码：6200000038</div></div></body></html>"""
    )
    assert found[FactKind.SITE_CODE].value == "6200000038"


@pytest.mark.parametrize(
    ("markup", "value", "problem"),
    [
        (
            '<span id="_ideConac"><script '
            'src="//dcs.conac.cn/js/29/000/0000/60429971/CA290000000604299710004.js"></script></span>',
            "CA290000000604299710004",
            None,
        ),
        (
            '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D4E5F60718293A4B5C6D7E8F9">'
            "党政机关</a>",
            "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
            None,
        ),
        ('<img src="https://dcs.conac.cn/image/red.png">', "red", None),
        ('<img src="https://dcs.conac.cn/image/blue.png">', "blue", None),
        (
            '<img src="https://dcs.conac.cn/image/green.png">',
            "https://dcs.conac.cn/image/green.png",
            "unrecognised conac reference",
        ),
        ('<span id="_ideConac"></span>', None, "conac span without badge"),
    ],
)
def test_conac_badge_forms(markup, value, problem):
    # The badge is often at the top of the page, not in the footer.
    fact = facts(f"<html><body><div class='logo'>{markup}</div></body></html>")[FactKind.CONAC]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


def test_valid_conac_badge_wins_over_an_earlier_plain_conac_link():
    found = facts(
        """<html><body><div class="links"><a href="https://www.conac.cn/">中央编办</a></div>
        <div class="footer"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D4E5F60718293A4B5C6D7E8F9">
        <img src="https://dcs.conac.cn/image/red.png"></a></div></body></html>"""
    )
    assert found[FactKind.CONAC] == ok(
        FactKind.CONAC,
        "https://bszs.conac.cn/sitename?method=show&id=0A1B2C3D4E5F60718293A4B5C6D7E8F9",
        "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
    )


def test_conac_badge_written_by_document_write():
    script = (
        "<script>document.write(unescape(\"%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript "
        "src='https://dcs.conac.cn/js/29/000/0000/60429971/CA290000000604299710004.js' "
        "type='text/javascript'%3E%3C/script%3E\"));</script>"
    )
    fact = facts(f"<html><body><footer>{script}</footer></body></html>")[FactKind.CONAC]
    assert (fact.value, fact.valid) == ("CA290000000604299710004", True)


@pytest.mark.parametrize(
    ("markup", "value", "problem"),
    [
        (
            '<script id="_jiucuo_" sitecode="bm07000001" '
            'src="https://pucha.kaipuyun.cn/exposure/jiucuo.js"></script>',
            "bm07000001",
            None,
        ),
        (
            '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=6200000038'
            '&amp;url=https%3A%2F%2Fjtys.gansu.gov.cn%2F"><img src="/jiucuo.png"></a>',
            "6200000038",
            None,
        ),
        (
            '<script id="_jiucuo_" sitecode="620000038" '
            'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
            "620000038",
            "site code must be 10 digits or bm+8 digits",
        ),
        (
            '<script id="_jiucuo_" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
            "https://zfwzgl.www.gov.cn/exposure/jiucuo.js",
            "jiucuo script without sitecode",
        ),
    ],
)
def test_jiucuo_entry(markup, value, problem):
    fact = facts(f"<html><body><div class='foot'>{markup}</div></body></html>")[FactKind.JIUCUO]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


@pytest.mark.parametrize(
    ("meta", "value", "problem"),
    [
        ('<meta name="siteidcode" content=" 6200000038 ">', "6200000038", None),
        (
            '<meta name="SiteIDCode" content="62000000">',
            "62000000",
            "site code must be 10 digits or bm+8 digits",
        ),
        ('<meta name="SiteIDCode" content="">', None, "empty SiteIDCode content"),
    ],
)
def test_site_code_meta(meta, value, problem):
    fact = facts(f"<html><head>{meta}</head><body></body></html>")[FactKind.SITE_CODE_META]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


@pytest.mark.parametrize(
    ("text", "value", "problem"),
    [
        ("主办：甘肃省人民政府办公厅 承办：甘肃省大数据中心", "甘肃省人民政府办公厅", None),
        ("主办单位：定西市人民政府 陇ICP备05000123号", "定西市人民政府", None),
        ("主办单位：临夏州人民政府  技术支持：某某公司", "临夏州人民政府", None),
        ("主办单位：武威市人民政府&nbsp;&nbsp;2025年版", "武威市人民政府", None),
        ("主办单位：张掖市人民政府<br>甘肃省张掖市", "张掖市人民政府", None),
        ("<p>主办单位：酒泉市人民政府</p><p>甘肃省酒泉市</p>", "酒泉市人民政府", None),
        ("<b>主办单位：</b>平凉市\n            人民政府", "平凉市人民政府", None),  # wrapped source
        ("主办单位 白银市人民政府", "白银市人民政府", "no colon after 主办单位"),
        ("主办单位：<br>地址：兰州市", None, "empty unit name"),
    ],
)
def test_sponsor(text, value, problem):
    fact = facts(f"<footer>{text}</footer>")[FactKind.SPONSOR]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


def test_sponsor_mentioned_in_prose_is_not_a_sponsor_label():
    fact = facts("<footer>本网站由庆阳市人民政府主办，欢迎访问</footer>")[FactKind.SPONSOR]
    assert fact == FooterFact(FactKind.SPONSOR, None, None, False, "missing")


def test_a_sponsor_label_after_prose_mentioning_the_sponsor_is_read():
    fact = facts("<footer>本网站由庆阳市人民政府主办 主办单位：庆阳市人民政府办公室</footer>")
    assert fact[FactKind.SPONSOR] == ok(
        FactKind.SPONSOR, "主办单位：庆阳市人民政府办公室", "庆阳市人民政府办公室")


def test_provinces_map_region_codes_to_abbreviations():
    assert len(PROVINCES) == 31
    assert (PROVINCES["11"], PROVINCES["51"], PROVINCES["62"]) == ("京", "川蜀", "甘陇")


def test_a_commented_out_old_icp_number_is_not_read_beside_a_malformed_visible_one():
    found = facts(
        """<html><body><div id="footer"><!-- <p>陇ICP备05000123号</p> -->
        <p>陇ICP备0500012号</p></div></body></html>"""
    )
    assert found[FactKind.ICP] == FooterFact(
        FactKind.ICP, "陇ICP备0500012号", "陇ICP备0500012号", False,
        "ICP number must be 8 or 10 digits",
    )


FOREIGN_JIUCUO = "https://jiucuo.example.com/exposure/jiucuo.js"


def test_a_jiucuo_script_from_a_foreign_host_is_malformed():
    tag = f'<script id="_jiucuo_" sitecode="6200000038" src="{FOREIGN_JIUCUO}"></script>'
    fact = facts(f"<html><body><div class='foot'>{tag}</div></body></html>")[FactKind.JIUCUO]
    assert (fact.value, fact.valid, fact.problem) == (
        "6200000038", False, "unknown jiucuo host jiucuo.example.com")


def test_a_jiucuo_script_from_a_foreign_host_written_by_document_write_is_malformed():
    script = (
        "<script>document.write(unescape(\"%3Cscript id='_jiucuo_' sitecode='6200000038' "
        f"src='{FOREIGN_JIUCUO}'%3E%3C/script%3E\"));</script>"
    )
    fact = facts(f"<html><body><footer>{script}</footer></body></html>")[FactKind.JIUCUO]
    assert fact == FooterFact(
        FactKind.JIUCUO,
        f'<script id="_jiucuo_" sitecode="6200000038" src="{FOREIGN_JIUCUO}">',
        "6200000038", False, "unknown jiucuo host jiucuo.example.com",
    )
