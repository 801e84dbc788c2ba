"""Pairing a 政策解读 with its policy (rules/checks/interpretation.py), on pages written here:
each way of pairing, their order, and what never pairs."""

from __future__ import annotations

from datetime import date

from govwatch.rules.checks.interpretation import Candidates, Page, find_policy, numbers

POLICY = Page("p1", "s", "县人民政府关于印发《县燃气安全管理办法》的通知_县政府", date(2026, 9, 14),
              numbers={"政发〔2026〕18号"})
OTHER = Page("p2", "s", "县人民政府办公室关于印发《县稳岗就业措施》的通知_县政府", date(2026, 9, 1),
             numbers={"办发〔2026〕18号"})


def reading(text: str, links: set[str] = frozenset(), originals: set[str] = frozenset(),
            anchors: set[str] = frozenset()) -> Page:
    return Page("r", "s", "解读", date(2026, 9, 16), text=text, links=set(links),
                originals=set(originals), anchors=set(anchors))


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


def test_a_title_printed_only_as_a_link_is_navigation_not_a_quote():
    """上一篇/下一篇 and related-items boxes print other pages' titles on every article: a
    解读 pairs with what it quotes or cites in its own text, never with its neighbours."""
    neighbour = "《县燃气安全管理办法》政策解读"
    text = f"本次解读如下。上一篇： {neighbour} 下一篇： 县政发〔2026〕18号文件的通知"
    anchors = {neighbour, "县政发〔2026〕18号文件的通知"}
    assert find_policy(reading(text, links={"p1"}), [POLICY, OTHER]) is POLICY  # as before
    assert find_policy(reading(text, links={"p1"}, anchors=anchors), [POLICY, OTHER]) is None
    # quoted in its own words too: the link stands
    own = f"近日，县政府印发了《县燃气安全管理办法》。{text}"
    assert find_policy(reading(own, links={"p1"}, anchors=anchors), [POLICY, OTHER]) is POLICY


def test_of_two_policies_of_one_title_the_newest_out_by_the_interpretation_pairs():
    """A site reissues 关于进一步加强…的意见 every year: the 解读 of 2026-09-16 explains the
    one out before it, not the first ever, nor one published after it."""
    old = Page("p0", "s", "关于进一步加强燃气安全工作的意见", date(2023, 3, 1))
    this = Page("p1", "s", "关于进一步加强燃气安全工作的意见", date(2026, 9, 10))
    later = Page("p2", "s", "关于进一步加强燃气安全工作的意见", date(2026, 10, 1))
    text = "《关于进一步加强燃气安全工作的意见》解读"
    assert find_policy(reading(text), [later, old, this]) is this
    assert find_policy(reading(text), [later]) is later


def test_candidates_are_looked_up_by_the_titles_they_hold_and_the_numbers_they_print():
    """The index a site's pages are looked up in finds what testing each page would: every
    page whose title holds a quote (the first and the last title too, one title holding two
    quotes once) and every page printing a cited number; never a quote across two titles."""
    first = Page("a", "s", "县燃气安全管理办法", None)
    middle = Page("b", "s", "关于印发《县燃气安全管理办法》和《县稳岗就业措施》的通知", None,
                  numbers={"政发〔2026〕18号"})
    last = Page("c", "s", "县稳岗就业措施", None)
    index = Candidates([first, middle, last])
    assert {p.url for p in index.titled({"县燃气安全管理办法"})} == {"a", "b"}
    assert {p.url for p in index.titled({"县燃气安全管理办法", "县稳岗就业措施"})} == {
        "a", "b", "c"}
    assert index.titled({"的通知县稳岗"}) == []  # the end of one title and the next
    assert [p.url for p in index.citing({"政发〔2026〕18号"})] == ["b"]
    assert index.linked({"c", "z"}) == [last]
