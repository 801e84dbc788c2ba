"""Pairing a 政策解读 with its policy (rules/checks/interpretation.py), on pages written here:
each way of pairing, their order, and what never pairs."""

from __future__ import annotations

from datetime import date

from govwatch.rules.checks.interpretation import Page, find_policy, numbers

POLICY = Page("p1", "s", "县人民政府关于印发《县燃气安全管理办法》的通知_县政府", date(2026, 9, 14),
              numbers={"政发〔2026〕18号"})
OTHER = Page("p2", "s", "县人民政府办公室关于印发《县稳岗就业措施》的通知_县政府", date(2026, 9, 1),
             numbers={"办发〔2026〕18号"})


def reading(text: str, links: set[str] = frozenset(), originals: set[str] = frozenset()) -> Page:
    return Page("r", "s", "解读", date(2026, 9, 16), text=text, links=set(links),
                originals=set(originals))


def test_document_numbers_keep_their_issuer():
    assert numbers("根据县政发〔2026〕18号和县政办发[2026]18 号文件") == {
        "政发〔2026〕18号", "办发〔2026〕18号"}
    # spaced out, and numbers without two characters of an issuer before them
    assert numbers("县政发 〔 2026 〕 7 号，见〔2025〕3号与 x〔2024〕1号") == {"政发〔2026〕7号"}


def test_each_way_of_pairing_finds_the_policy():
    pages = [POLICY, OTHER]
    assert find_policy(reading("一图读懂《县燃气安全管理办法》"), pages) is POLICY
    assert find_policy(reading("县政府印发的县政发〔2026〕18号文件"), pages) is POLICY
    assert find_policy(reading("解读如下。", originals={"p1"}), pages) is POLICY
    # a link to the page the 解读 also cites comes before a title quoted elsewhere
    assert find_policy(reading("《县燃气安全管理办法》与县政办发〔2026〕18号", links={"p2"}),
                       pages) is OTHER


def test_a_plain_link_or_a_number_no_page_prints_never_pairs():
    """A 解读's menu links to pages it neither quotes nor cites; a number of a document the
    site does not publish."""
    assert find_policy(reading("解读如下。", links={"p1", "p2"}), [POLICY, OTHER]) is None
    assert find_policy(reading("根据市政发〔2026〕7号"), [POLICY, OTHER]) is None
