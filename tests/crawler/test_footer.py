"""Footer identifiers (页面底部功能区): what footer_facts finds on real-looking pages."""

import lxml.html
import pytest

from govwatch.core.regions import PROVINCES, by_abbreviation, by_code
from govwatch.core.vocabulary import FactKind
from govwatch.crawler.pages.footer import FooterFact, footer_facts

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


def ok(kind: FactKind, raw: str, value: str, link: str | None = None,
       note: str | None = None) -> FooterFact:
    return FooterFact(kind, raw, value, True, None, link, note)


def test_trs_footer_all_valid():
    jiucuo_tag = (
        '<script id="_jiucuo_" sitecode="6200000038" '
        'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">'
    )
    assert footer_facts(lxml.html.fromstring(TRS_PAGE)) == [
        ok(FactKind.ICP, "陇ICP备2021003158号-1", "陇ICP备2021003158号-1",
           "https://beian.miit.gov.cn/"),
        ok(FactKind.PSB, "甘公网安备 62090202000584号", "甘公网安备62090202000584号",
           "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=62090202000584"),
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


def test_messy_footer_is_read_tolerantly_and_its_typography_only_noted():
    found = facts(
        """<html><body><div id="bottom">
        <p>网站主办单位 ： 昆明市人民政府办公室<br>联系电话：0871-63196114</p>
        <p>滇ICP备 0500 2117号 - 3&nbsp;&nbsp;滇公网安备53010202002026
           &nbsp;政府网站标识码 ： 5301000001</p>
        </div></body></html>"""
    )
    assert found[FactKind.ICP] == ok(FactKind.ICP, "滇ICP备 0500 2117号 - 3", "滇ICP备05002117号-3",
                                     link="", note="数字中间有空格")
    assert found[FactKind.PSB] == ok(
        FactKind.PSB, "滇公网安备53010202002026", "滇公网安备53010202002026号",
        link="", note="缺少末尾的「号」",
    )
    assert found[FactKind.SITE_CODE] == ok(
        FactKind.SITE_CODE, "网站标识码 ： 5301000001", "5301000001"
    )
    assert found[FactKind.SPONSOR] == ok(
        FactKind.SPONSOR, "网站主办单位 ： 昆明市人民政府办公室", "昆明市人民政府办公室"
    )


@pytest.mark.parametrize(
    ("text", "value", "problem", "note"),
    [
        ("京ICP备05070218号", "京ICP备05070218号", None, None),
        ("蜀ICP备2021003158号-12", "蜀ICP备2021003158号-12", None, None),
        ("京ICP备０５０７０２１８号", "京ICP备05070218号", None, None),
        # typography: the number is the site's all the same, written in the standard form
        ("京ICP备05070218-5号", "京ICP备05070218号-5", None, "「-5」写在「号」之前"),
        ("京ICP备05070218", "京ICP备05070218号", None, "缺少末尾的「号」"),
        ("京ICP备0507 0218号", "京ICP备05070218号", None, "数字中间有空格"),
        ("陇 ICP备05000123号", "陇ICP备05000123号", None, "省份简称后有空格"),
        # identity: no register holds such a number
        ("海ICP备05070218号", "海ICP备05070218号", "「海」不是省份简称", None),
        ("京ICP备0507021号", "京ICP备0507021号", "备案号应为8位或10位数字（实为7位）", None),
        ("ICP备案号：05070218号", "ICP备05070218号", "缺少省份简称", None),
        ("网站ICP备案号：05070218号", "ICP备05070218号", "缺少省份简称", None),
        ("ICP备05070218号", "ICP备05070218号", "缺少省份简称", None),
    ],
)
def test_icp_validation(text, value, problem, note):
    fact = facts(f"<footer><p>{text}</p></footer>")[FactKind.ICP]
    assert (fact.value, fact.valid, fact.problem, fact.note) == (
        value, problem is None, problem, note)


@pytest.mark.parametrize(
    ("text", "value", "problem", "note"),
    [
        # the space after 公网安备 is how the register itself prints the number
        ("京公网安备 11010502030143号", "京公网安备11010502030143号", None, None),
        ("京公网安备11010502030143", "京公网安备11010502030143号", None, "缺少末尾的「号」"),
        ("蒙公网安备：15010502001204", "蒙公网安备15010502001204号", None, "缺少末尾的「号」"),
        ("公安备案号 36090202000071", "赣公网安备36090202000071号", None,
         "未写「赣公网安备」字样，缺少末尾的「号」"),
        ("公安机关备案号：43010302000524号", "湘公网安备43010302000524号", None,
         "未写「湘公网安备」字样"),
        ("公网安备11010502030143号", "京公网安备11010502030143号", None, "缺少省份简称"),
        ("京公网安备 1101050203014号", "京公网安备1101050203014号",
         "备案号应为14位数字（实为13位）", None),
        ("京公网安备99010502030143号", "京公网安备99010502030143号",
         "前两位「99」不是省级行政区划代码", None),
        ("京公网安备62090202000584号", "京公网安备62090202000584号",
         "省份简称「京」与备案号前两位「62」（甘肃）不符", None),
    ],
)
def test_psb_validation(text, value, problem, note):
    fact = facts(f"<footer><p>{text}</p></footer>")[FactKind.PSB]
    assert (fact.value, fact.valid, fact.problem, fact.note) == (
        value, problem is None, problem, note)


@pytest.mark.parametrize(
    ("text", "value", "problem", "note"),
    [
        ("网站标识码：bm07000001", "bm07000001", None, None),
        ("网站标识码 1304000009", "1304000009", None, None),
        ("网站标识号：1500000007", "1500000007", None, "标签写作「网站标识号」，应为「网站标识码」"),
        ("网站识别码：3501000010", "3501000010", None, "标签写作「网站识别码」，应为「网站标识码」"),
        ("网站标识码：62000 00038", "6200000038", None, "标识码中间有空格"),
        ("网站标识码：620000003", "620000003", "标识码应为10位数字或bm加8位数字", None),
        ("网站标识码：9900000038", "9900000038", "前两位「99」不是省级行政区划代码", None),
        ("网站标识码：", None, "「网站标识码」后没有标识码", None),
    ],
)
def test_site_code_validation(text, value, problem, note):
    fact = facts(f"<div class='copyright'>{text}</div>")[FactKind.SITE_CODE]
    assert (fact.value, fact.valid, fact.problem, fact.note) == (
        value, problem is None, problem, note)


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
            "无法识别的党政机关网站标识引用",
        ),
        ('<span id="_ideConac"></span>', None, "标识位置为空，未见党政机关网站标识"),
        # a mirror keeps the script under its own folder; a saved page beside the page
        (
            '<script src="../../../dcs.conac.cn/js/33/000/0000/60497944/'
            'CA330000000604979440004.js"></script>',
            "CA330000000604979440004",
            None,
        ),
        (
            '<script src="./邯郸_files/CA051070000414687680001.js.下载"></script>',
            "CA051070000414687680001",
            None,
        ),
        ('<img src="//dcs.conac.cn/image/red_error.png">', "red", None),
        # a copy of the badge image that links nowhere is no working badge
        ('<img src="/images/2019/blue.png">', None, "标识图片未链接至党政机关网站标识核查页"),
        ('<img src="/images/btn_red.png">', None, "missing"),  # a red button is no badge
        ('<a href="/about/"><img src="/images/gov.png" alt="党政机关"></a>', None,
         "标识图片未链接至党政机关网站标识核查页"),
        (
            '<a href="http://bszs.conac.cn/sitename?method=show&amp;id=97AAC5543B920562E05310291AACE801">'
            '<img src="/jr/image/conace.png"></a>',
            "97AAC5543B920562E05310291AACE801",
            None,
        ),
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
            "标识码应为10位数字或bm加8位数字",
        ),
        (
            '<script id="_jiucuo_" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
            None,
            "找错脚本未带网站标识码",
        ),
        # copies served from the site's own folder, or saved beside the page, work the same
        (
            '<SCRIPT id="_jiucuo_" src="/ProvidentFund/resources/gjjre_files/jiucuo.js" '
            'sitecode="1100000241"></SCRIPT>',
            "1100000241",
            None,
        ),
        (
            '<script id="_jiucuo_" sitecode="1304000009" src="./邯郸_files/jiucuo.js.下载"></script>',
            "1304000009",
            None,
        ),
        (
            "<script id='_jiucuo_' sitecode='3302000071' "
            "src='http://pucha.kaipuyun.cn/exposure/jiucuo.js '></script>",
            "3302000071",
            None,
        ),
        (
            '<script id="_jiucuo_" sitecode="1100000159" src="/js/common.js"></script>',
            "1100000159",
            "找错脚本地址「/js/common.js」不是找错平台的脚本文件",
        ),
        (
            '<a href="http://121.43.68.40/exposure/jiucuo.html?site_code=bm36000002">'
            '<img src="/images/err.png"></a>',
            "bm36000002",
            None,
        ),
        # the entry jiucuo.js draws, as a saved page keeps it
        (
            '<span id="_span_jiucuo"><img onclick="Link(\'1100000159\')" src="jiucuo.png"></span>',
            "1100000159",
            None,
        ),
    ],
)
def test_jiucuo_entry(markup, value, problem):
    fact = facts(f"<html><body><div class='foot'>{markup}</div></body></html>")[FactKind.JIUCUO]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


def test_a_jiucuo_script_added_by_a_loader_is_read():
    script = """<script>loadScripts({url:'https://zfwzgl.www.gov.cn/exposure/jiucuo.js',
        id:'_jiucuo_', attr:{ sitecode:'3505240010' }, callback:function(){}});</script>"""
    fact = facts(f"<html><body>{script}</body></html>")[FactKind.JIUCUO]
    assert (fact.value, fact.valid) == ("3505240010", True)


def test_commented_out_badges_in_scripts_are_not_read():
    page = r"""<html><body><div class="bottom"><script>
       // document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='http://dcs.conac.cn/js/05/113/0000/60050731/CA051130000600507310002.js'%3E%3C/script%3E"));
       /* document.writeln("<script id='_jiucuo_' sitecode='1200000052' src='../js/jiucuo.js'><\/script>"); */
       document.writeln("<!-- <script id='_jiucuo_' sitecode='bm07000001' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'><\/script> -->");
       </script></div></body></html>"""
    found = facts(page)
    assert found[FactKind.CONAC].problem == found[FactKind.JIUCUO].problem == "missing"


def test_the_link_an_identifier_is_printed_in_is_kept():
    found = facts("""<html><body><div class="footer">
        <p><a href="http://www.miibeian.gov.cn/" title="备案编号">备案编号：京ICP备17053655号</a></p>
        <p><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=15010502001204">
        <img src="/guohui.png"></a> 蒙公网安备：15010502001204</p></div></body></html>""")
    assert found[FactKind.ICP].link == "http://www.miibeian.gov.cn/"
    # the 公安 number's record page is linked from the emblem beside it
    assert found[FactKind.PSB].link == (
        "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=15010502001204")


def test_an_icp_number_beside_a_link_to_its_register_is_linked():
    found = facts("""<html><body><div class="footer"><p>冀ICP备05029117号-1</p>
        <p><a href="http://beian.miit.gov.cn"><img src="/icp.gif" alt="经营性备案信息"></a></p>
        </div></body></html>""")
    assert found[FactKind.ICP].link == "http://beian.miit.gov.cn"


def test_a_number_printed_without_a_link_says_so():
    found = facts("<footer><p>赣ICP备11002306号 <a href='/lxwm/'>联系我们</a></p>"
                  "<p><a href='javascript:;'>赣公网安备36092502000005号</a></p></footer>")
    assert found[FactKind.ICP].link == ""
    assert found[FactKind.PSB].link == ""  # a link that goes nowhere is none
    assert found[FactKind.SITE_CODE].link is None  # not a number that links


@pytest.mark.parametrize(
    ("meta", "value", "problem"),
    [
        ('<meta name="siteidcode" content=" 6200000038 ">', "6200000038", None),
        (
            '<meta name="SiteIDCode" content="62000000">',
            "62000000",
            "标识码应为10位数字或bm加8位数字",
        ),
        ('<meta name="SiteIDCode" content="">', None, "SiteIDCode 元数据内容为空"),
    ],
)
def test_site_code_meta(meta, value, problem):
    fact = facts(f"<html><head>{meta}</head><body></body></html>")[FactKind.SITE_CODE_META]
    assert (fact.value, fact.valid, fact.problem) == (value, problem is None, problem)


@pytest.mark.parametrize(
    ("text", "value", "problem", "note"),
    [
        ("主办：甘肃省人民政府办公厅 承办：甘肃省大数据中心", "甘肃省人民政府办公厅", None, None),
        ("主办单位：定西市人民政府 陇ICP备05000123号", "定西市人民政府", None, None),
        ("主办单位：临夏州人民政府  技术支持：某某公司", "临夏州人民政府", None, None),
        ("主办单位：武威市人民政府&nbsp;&nbsp;2025年版", "武威市人民政府", None, None),
        ("主办单位：张掖市人民政府<br>甘肃省张掖市", "张掖市人民政府", None, None),
        ("<p>主办单位：酒泉市人民政府</p><p>甘肃省酒泉市</p>", "酒泉市人民政府", None, None),
        ("<b>主办单位：</b>平凉市\n            人民政府", "平凉市人民政府", None, None),  # wrapped
        ("主办单位 白银市人民政府", "白银市人民政府", None, "「主办单位」后缺少冒号"),
        ("主办单位：<br>地址：兰州市", None, "主办单位名称为空", None),
    ],
)
def test_sponsor(text, value, problem, note):
    fact = facts(f"<footer>{text}</footer>")[FactKind.SPONSOR]
    assert (fact.value, fact.valid, fact.problem, fact.note) == (
        value, problem is None, problem, note)


def test_sponsor_mentioned_in_prose_is_not_a_sponsor_label():
    fact = facts("<footer>本网站由庆阳市人民政府主办，欢迎访问</footer>")[FactKind.SPONSOR]
    assert fact == FooterFact(FactKind.SPONSOR, None, None, False, "missing")


def test_a_sponsor_label_after_prose_mentioning_the_sponsor_is_read():
    fact = facts("<footer>本网站由庆阳市人民政府主办 主办单位：庆阳市人民政府办公室</footer>")
    assert fact[FactKind.SPONSOR] == ok(
        FactKind.SPONSOR, "主办单位：庆阳市人民政府办公室", "庆阳市人民政府办公室")


def test_provinces_map_region_codes_to_abbreviations():
    assert len(PROVINCES) == 31
    assert [PROVINCES[c].abbreviations for c in ("11", "51", "62")] == ["京", "川蜀", "甘陇"]
    assert by_abbreviation("陇") == by_abbreviation("甘") == by_code("6209020001")
    assert by_code("99") is None and by_abbreviation("海") is None


def test_a_commented_out_old_icp_number_is_not_read_beside_a_malformed_visible_one():
    found = facts(
        """<html><body><div id="footer"><!-- <p>陇ICP备05000123号</p> -->
        <p>陇ICP备0500012号</p></div></body></html>"""
    )
    assert found[FactKind.ICP] == FooterFact(
        FactKind.ICP, "陇ICP备0500012号", "陇ICP备0500012号", False,
        "备案号应为8位或10位数字（实为7位）", "",
    )


OTHER_HOST = "https://cms.example.com/js/exposure/jiucuo.js"


def test_a_jiucuo_script_from_any_host_counts_by_the_code_it_carries():
    tag = f'<script id="_jiucuo_" sitecode="6200000038" src="{OTHER_HOST}"></script>'
    fact = facts(f"<html><body><div class='foot'>{tag}</div></body></html>")[FactKind.JIUCUO]
    assert (fact.value, fact.valid, fact.problem) == ("6200000038", True, None)


def test_a_jiucuo_script_written_by_document_write_is_read():
    script = (
        "<script>document.write(unescape(\"%3Cscript id='_jiucuo_' sitecode='6200000038' "
        f"src='{OTHER_HOST}'%3E%3C/script%3E\"));</script>"
    )
    fact = facts(f"<html><body><footer>{script}</footer></body></html>")[FactKind.JIUCUO]
    assert fact == FooterFact(
        FactKind.JIUCUO,
        f'<script id="_jiucuo_" sitecode="6200000038" src="{OTHER_HOST}">',
        "6200000038", True, None,
    )
