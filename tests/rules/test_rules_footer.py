"""The footer rules judge identity and link target, remark on typography, and cross-check
the identifiers (footer.icp … footer.jiucuo, footer.format, footer.mismatch)."""

from __future__ import annotations

import pytest
from support.scanbuilder import ScanBuilder, days_ago, home_url

from govwatch.rules.catalogue import SiteRules, load_catalogue
from govwatch.rules.model import RuleError

PSB_RECORD = "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode="


def site_with(tmp_path, **footer) -> ScanBuilder:
    """One site 'a' whose home page has the good footer but for *footer*."""
    scan = ScanBuilder(tmp_path / "g.db", ("a",), healthy_home=False)
    scan.home("a", items=[("要闻", days_ago(1))], footer=footer)
    return scan


def details(scan: ScanBuilder, rule_id: str, **kwargs) -> list[str]:
    return [f.detail for f in scan.findings(rule_id, **kwargs)]


# -- link targets -----------------------------------------------------------------------------
def test_an_icp_number_linked_to_another_register_is_a_finding(tmp_path):
    scan = site_with(tmp_path, icp={"raw": "陇ICP备05000123号",
                                    "link": PSB_RECORD + "62090202000584"})
    assert details(scan, "footer.icp") == [
        "不规范：ICP备案编号「陇ICP备05000123号」链接至 www.beian.gov.cn，"
        "应链接至工信部备案管理系统（beian.miit.gov.cn）"]


def test_a_psb_number_linked_to_the_icp_register_is_a_finding(tmp_path):
    scan = site_with(tmp_path, psb={"raw": "甘公网安备62090202000584号",
                                    "link": "https://beian.miit.gov.cn/"})
    assert details(scan, "footer.psb") == [
        "不规范：公安机关备案号「甘公网安备62090202000584号」链接至 beian.miit.gov.cn，"
        "应链接至公安机关备案系统（www.beian.gov.cn）"]


@pytest.mark.parametrize("link", ["https://beian.mps.gov.cn/#/query/webSearch?code=62090202000584",
                                  PSB_RECORD + "62090202000584", ""])
def test_a_psb_number_on_its_register_or_unlinked_is_no_deduction(tmp_path, link):
    scan = site_with(tmp_path, psb={"raw": "甘公网安备62090202000584号", "link": link})
    assert scan.findings("footer.psb") == []


def test_an_icp_number_linked_to_the_registers_old_address_is_only_remarked_on(tmp_path):
    scan = site_with(tmp_path, icp={"raw": "京ICP备05070602号",
                                    "link": "http://www.miitbeian.gov.cn"})
    assert scan.findings("footer.icp") == []
    assert details(scan, "footer.format") == [
        "提示：ICP备案编号「京ICP备05070602号」链接至 www.miitbeian.gov.cn，"
        "不是工信部备案管理系统（beian.miit.gov.cn）的现行地址"]


# -- footer.format ----------------------------------------------------------------------------
def test_typography_and_missing_links_are_remarks_not_deductions(tmp_path):
    scan = site_with(
        tmp_path,
        psb={"raw": "甘公网安备62090202000584", "value": "甘公网安备62090202000584号",
             "note": "缺少末尾的「号」", "link": ""},
        site_code={"raw": "网站识别码：6209000038", "value": "6209000038",
                   "note": "标签写作「网站识别码」，应为「网站标识码」"},
    )
    deductions = [f for f in scan.findings() if f.rule_id.startswith("footer.")
                  and f.rule_id != "footer.format"]
    assert deductions == []
    [remark] = scan.findings("footer.format")
    assert str(remark.severity) == "advisory" and remark.points == 0
    assert remark.detail == (
        "提示：公安机关备案号「甘公网安备62090202000584」缺少末尾的「号」；"
        "公安机关备案号「甘公网安备62090202000584」未链接至公安机关备案系统（www.beian.gov.cn）；"
        "政府网站标识码「网站识别码：6209000038」标签写作「网站识别码」，应为「网站标识码」")
    assert remark.evidence == "甘公网安备62090202000584 网站识别码：6209000038"


def test_a_well_written_linked_footer_gets_no_remark(tmp_path):
    assert site_with(tmp_path).findings("footer.format") == []


def test_a_scan_that_recorded_no_links_gets_no_remark_about_them(tmp_path):
    """Scans written before links were recorded hold None: unknown, not unlinked."""
    scan = site_with(tmp_path, icp={"raw": "陇ICP备05000123号", "link": None})
    assert scan.findings("footer.format") == []


# -- footer.mismatch --------------------------------------------------------------------------
GOOD = {"site_code": "6209000038", "site_code_meta": "6209000038", "jiucuo": "6209000038",
        "icp": "陇ICP备05000123号", "psb": "甘公网安备62090202000584号"}


def mismatch(tmp_path, overrides: dict | None = None, **changes) -> list[str]:
    footer = {}
    for kind, value in changes.items():
        footer[kind] = None if value is None else {"raw": value, "value": value}
    scan = site_with(tmp_path, **footer)
    return details(scan, "footer.mismatch", overrides=overrides)


def test_the_good_footer_agrees_with_itself(tmp_path):
    assert mismatch(tmp_path) == []


@pytest.mark.parametrize(("changes", "detail"), [
    ({"site_code_meta": "6209000039"},
     "页面底部的网站标识码「6209000038」与SiteIDCode 元数据「6209000039」不同"),
    ({"jiucuo": "6201000001"},
     "页面底部的网站标识码「6209000038」与「我为政府网站找错」入口的网站标识码「6201000001」不同"),
    ({"site_code": None, "jiucuo": "bm07000001"},
     "SiteIDCode 元数据「6209000038」与「我为政府网站找错」入口的网站标识码「bm07000001」不同"),
    ({"icp": "京ICP备05000123号"},
     "ICP备案编号「京ICP备05000123号」的省份简称「京」（北京）"
     "与页面底部的网站标识码「6209000038」所属省份（甘肃，62）不一致"),
    ({"psb": "京公网安备11010502030143号"},
     "公安机关备案号「京公网安备11010502030143号」的前两位「11」（北京）"
     "与页面底部的网站标识码「6209000038」所属省份（甘肃，62）不一致"),
])
def test_each_pairing_says_which_two_disagree_and_how(tmp_path, changes, detail):
    assert mismatch(tmp_path, **changes) == [f"不一致：{detail}"]


def test_without_a_footer_code_the_others_stand_for_the_site(tmp_path):
    found = mismatch(tmp_path, site_code=None, site_code_meta=None,
                     icp="苏ICP备05003616号")
    assert found == ["不一致：ICP备案编号「苏ICP备05003616号」的省份简称「苏」（江苏）"
                     "与「我为政府网站找错」入口的网站标识码「6209000038」所属省份（甘肃，62）不一致"]


def test_meta_and_jiucuo_codes_are_compared_with_the_footers_only(tmp_path):
    found = mismatch(tmp_path, site_code_meta="6209000039", jiucuo="6209000039")
    assert found == ["不一致：页面底部的网站标识码「6209000038」与SiteIDCode 元数据「6209000039」不同；"
                     "页面底部的网站标识码「6209000038」与「我为政府网站找错」入口的网站标识码"
                     "「6209000039」不同"]


def test_several_disagreements_make_one_finding(tmp_path):
    [found] = mismatch(tmp_path, jiucuo="6201000001", icp="京ICP备05000123号")
    assert found.startswith("不一致：") and found.count("；") == 1


def test_departments_of_the_state_council_belong_to_no_province(tmp_path):
    bm = "bm17000009"
    assert mismatch(tmp_path, site_code=bm, site_code_meta=bm, jiucuo=bm,
                    icp="京ICP备05009132号", psb="京公网安备11040102700072号") == []


def test_malformed_identifiers_are_not_compared(tmp_path):
    scan = site_with(tmp_path, site_code_meta={"raw": "620900003", "value": "620900003",
                                               "problem": "标识码应为10位数字或bm加8位数字"},
                     icp={"raw": "京ICP备0500012号", "value": "京ICP备0500012号",
                          "problem": "备案号应为8位或10位数字（实为7位）"})
    assert scan.findings("footer.mismatch") == []


def test_the_sites_region_is_compared_when_set_for_the_site(tmp_path):
    region = {"a": SiteRules(params={"footer.mismatch": {"region": "610400"}})}
    found = mismatch(tmp_path, region)
    assert found == ["不一致：页面底部的网站标识码「6209000038」不属于本站所在地区（610400）；"
                     "ICP备案编号「陇ICP备05000123号」的省份简称「陇」（甘肃）"
                     "与本站所在地区（陕西，61）不一致；"
                     "公安机关备案号「甘公网安备62090202000584号」的前两位「62」（甘肃）"
                     "与本站所在地区（陕西，61）不一致"]
    (tmp_path / "same").mkdir()
    assert mismatch(tmp_path / "same", {"a": SiteRules(
        params={"footer.mismatch": {"region": "6209"}})}) == []


def test_the_region_the_sites_file_gives_a_site_is_compared(tmp_path):
    """A site's ``region:`` in the sites file reaches the rule through the scan's sites."""
    scan = ScanBuilder(tmp_path / "g.db", ("a", "b"), healthy_home=False,
                       regions={"a": "61", "b": "6209"})
    for site in ("a", "b"):
        scan.home(site, items=[("要闻", days_ago(1))])
    found = {f.site_id: f.detail for f in scan.findings("footer.mismatch")}
    assert list(found) == ["a"]  # b's identifiers are of its own region
    assert found["a"].startswith("不一致：页面底部的网站标识码「6209000038」不属于本站所在地区（61）；")


def test_each_pairing_can_be_switched_off(tmp_path):
    only_codes = {"a": SiteRules(params={"footer.mismatch": {
        "pairs": ["site_code/site_code_meta", "site_code/jiucuo"]}})}
    assert mismatch(tmp_path, only_codes, icp="京ICP备05000123号",
                    psb="京公网安备11010502030143号") == []


def test_a_region_that_is_no_division_code_is_a_pack_error():
    catalogue = load_catalogue()
    with pytest.raises(RuleError, match="region"):
        catalogue.variants(["a"], {"a": SiteRules(params={"footer.mismatch": {"region": "99"}})})


def test_mismatch_evidence_lists_the_values_compared(tmp_path):
    scan = site_with(tmp_path, jiucuo={"raw": '<script id="_jiucuo_" sitecode="6201000001">',
                                       "value": "6201000001"})
    [found] = scan.findings("footer.mismatch")
    assert found.subject_url == home_url("a")
    assert found.evidence == ("陇ICP备05000123号 甘公网安备62090202000584号 6209000038 "
                              "6209000038 6201000001")
