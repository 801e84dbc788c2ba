"""Publication dates on real government article pages, against dates read by hand.

The pages and their truth live in ``tests/crawler/fixtures/real/articles`` (see its README):
saved HTML pages, and text captures (the readable text of a page, without markup or metas)
which are read here one line per paragraph. Besides the whole set, each rule of
:func:`~govwatch.crawler.pages.dates.article_date` is checked on the real page that shows it,
or on a copy of that page with one named thing taken out or put in, so that only the rule
under test decides the outcome.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from govwatch.crawler.pages.dates import article_date
from govwatch.crawler.pages.reading import Visit, read_page
from govwatch.crawler.records import ListPageRecord, PageRecord

REAL = Path(__file__).parent / "fixtures" / "real" / "articles"
# Pages whose date is read wrongly today, by file; the accuracy test fails on any other miss.
KNOWN_MISSES: frozenset[str] = frozenset()
MIN_ACCURACY = 0.95


@dataclass(frozen=True)
class Labelled:
    """One page of the set and the date an inspector reads on it."""

    file: str
    url: str
    date: date
    reading: str


def labelled_pages() -> list[Labelled]:
    """The hand-labelled truth, in the order of ``truth.tsv``."""
    rows = []
    for line in (REAL / "truth.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        file, url, day, reading = line.split("\t")
        rows.append(Labelled(file, url, date.fromisoformat(day), reading))
    return rows


def source(file: str) -> str:
    """The page's HTML; a text capture becomes one paragraph per line."""
    text = (REAL / file).read_text(encoding="utf-8")
    if file.startswith("text/"):
        body = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
        return f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return text


def tree(markup: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(markup)


def edited(file: str, old: str, new: str) -> str:
    """*file*'s HTML with the one occurrence of *old* replaced by *new*."""
    markup = source(file)
    assert markup.count(old) == 1, f"{old!r} must occur once in {file}"
    return markup.replace(old, new)


def truth(file: str) -> Labelled:
    return next(row for row in labelled_pages() if row.file == file)


# --- the whole set -----------------------------------------------------------------------


def test_the_set_spans_real_sites() -> None:
    rows = labelled_pages()
    sites = {row.file.split("/")[1].split("-")[0] for row in rows}
    assert len(rows) >= 25 and len(sites) >= 20
    assert all((REAL / row.file).is_file() for row in rows)


def test_dates_of_real_article_pages_match_an_inspectors_reading() -> None:
    rows = labelled_pages()
    misses = []
    for row in rows:
        found = article_date(tree(source(row.file)), row.url)
        if found != row.date:
            misses.append(f"{row.file}: read {found}, inspector reads {row.date} ({row.reading})")
    accuracy = 1 - len(misses) / len(rows)
    unexpected = [m for m in misses if m.split(":")[0] not in KNOWN_MISSES]
    assert not unexpected and accuracy >= MIN_ACCURACY, (
        f"accuracy {accuracy:.0%} on {len(rows)} pages; misses:\n" + "\n".join(misses)
    )


# --- one rule at a time, on real pages -----------------------------------------------------

YICHUN = "html/www.yichun.gov.cn-tjgb-202304.html"
YICHUN_OTHERS = '<meta name="others" content="页面生成时间 2023-05-16 12:34:10">'
WANZAI = "html/www.wanzai.gov.cn-tjgb-201705.html"
WANZAI_OTHERS = '<meta name="others" content="页面生成时间 2022-04-24 10:00:43">'


def test_a_pubdate_equal_to_the_page_generation_time_is_no_publication_date() -> None:
    # Only 发文日期 is shown; PubDate 2023-05-16 12:34:10 is the 页面生成时间 of the rebuild.
    row = truth(YICHUN)
    assert article_date(tree(source(YICHUN)), row.url) == date(2023, 3, 31)
    # Without the build meta nothing marks that PubDate as a rebuild, and it is believed.
    without_build = edited(YICHUN, YICHUN_OTHERS, "")
    assert article_date(tree(without_build), row.url) == date(2023, 5, 16)


def test_a_pubdate_equal_to_a_hanweb_maketime_is_no_publication_date() -> None:
    # The same rule for Hanweb's Maketime: make this page's PubDate equal to it.
    page = "html/fgw.zj.gov.cn-art_1621004_30332664.html"
    rebuilt = edited(page, '<meta name="PubDate" content="2016-11-22 09:53">',
                     '<meta name="PubDate" content="2019-03-22 12:28:37">')
    rebuilt = rebuilt.replace("<span>发布日期：2016-11-22</span>", "<span></span>")
    assert article_date(tree(rebuilt), "") is None
    assert article_date(tree(rebuilt), truth(page).url) == date(2016, 11, 22)  # the URL's


def test_the_visible_labelled_date_beats_a_meta_that_disagrees() -> None:
    # The 2015 statistics bulletin shows 发布日期：2017-05-15; PubDate says 2022-04-24.
    row = truth(WANZAI)
    assert article_date(tree(source(WANZAI)), row.url) == date(2017, 5, 15)
    # Even with the build meta gone, so that the PubDate looks like a real claim.
    credible_meta = edited(WANZAI, WANZAI_OTHERS, "")
    assert article_date(tree(credible_meta), row.url) == date(2017, 5, 15)


def test_a_pubdate_with_a_time_and_a_visible_date_gives_the_article_a_date() -> None:
    # A weekly digest (一周要闻) lists dated links in its body; it is still an article.
    row = truth("html/www.mee.gov.cn-t20220417_974894.html")
    visit = Visit(
        site_id="mee", site_url="http://www.mee.gov.cn/", url=row.url, status=200,
        content_type="text/html", encoding="utf-8", declared_encoding="utf-8",
        body=(REAL / row.file).read_bytes(), meta={"hops": 3, "link_text": ""},
        fetched_at="2022-05-01T00:00:00",
    )
    reading = read_page(visit, today=date(2022, 5, 1), max_list_pages=3, sample_footer=False)
    [page] = [r for r in reading.records if isinstance(r, PageRecord)]
    assert page.pub_date == "2022-04-17"
    assert not [r for r in reading.records if isinstance(r, ListPageRecord)]


CCGP = "html/www.ccgp.gov.cn-zbgg-qingzhen-202506.html"
CCGP_PUBDATE = '<meta name="PubDate" content="2025-06-27 17:52" />'
CCGP_HEADER_TIME = '<span id="pubTime">2025年06月27日 17:52</span>'
CCGP_SUMMARY_TIME = ("<td class='title' width='128'>公告时间</td>"
                     "<td width='168'>2025年06月27日  17:52</td>")
CCGP_BODY_OTHER = (
    '<span class="bookmark-item uuid-1592539159169 code-81205 addWord '
    'multi-line-text-input-box-cls">/</span>'
)
CCGP_BODY_TENDER = CCGP_BODY_OTHER.replace(">/<", ">招标公告日期：2025年06月10日<")


def ccgp_without_meta_and_header_time() -> str:
    """The notice with only its summary table's 公告时间 and the body's 招标公告日期 left."""
    markup = edited(CCGP, CCGP_PUBDATE, "").replace(CCGP_HEADER_TIME, '<span id="pubTime"></span>')
    assert markup.count(CCGP_BODY_OTHER) == 1
    return markup.replace(CCGP_BODY_OTHER, CCGP_BODY_TENDER)


def test_a_notices_gonggao_time_beats_an_earlier_date_in_its_body() -> None:
    assert article_date(tree(source(CCGP)), "") == date(2025, 6, 27)
    # 公告时间 sits in a table cell before its value, with no colon: still the notice's date.
    markup = ccgp_without_meta_and_header_time()
    assert article_date(tree(markup), "") == date(2025, 6, 27)
    # The 招标公告日期 in the body is the tender's date, never this notice's.
    assert CCGP_SUMMARY_TIME in markup
    without_summary = markup.replace(CCGP_SUMMARY_TIME, "<td></td><td></td>")
    assert article_date(tree(without_summary), "") is None


def test_the_url_date_is_the_fallback_when_the_page_shows_none() -> None:
    page = "text/www.kailu.gov.cn-t20250522_947807.txt"
    row = truth(page)
    undated = source(page).replace("2025-05-22 10:03", "")
    assert article_date(tree(undated), row.url) == date(2025, 5, 22)
    assert article_date(tree(undated), "") is None


@pytest.mark.parametrize(
    ("page", "url_says"),
    [
        ("text/zzctp.gov.cn-t20211026_1318669.txt", date(2021, 10, 26)),  # TRS t-date
        ("text/www.yanzhou.gov.cn-art_2201_123.txt", date(2018, 2, 7)),  # Hanweb, moved
    ],
)
def test_the_url_date_loses_to_the_date_the_page_shows(page: str, url_says: date) -> None:
    row = truth(page)
    assert article_date(tree("<html><body><p>正文。</p></body></html>"), row.url) == url_says
    assert article_date(tree(source(page)), row.url) == row.date != url_says


def test_an_archiving_time_is_not_the_publication_date() -> None:
    # 归档时间:2018-11-21 comes first on the page; the article's 日期 is 2017-01-12.
    row = truth("text/pingjiang.gov.cn-content_1202379.txt")
    assert article_date(tree(source(row.file)), row.url) == date(2017, 1, 12)


def test_labels_spaced_out_are_read_and_upload_beats_the_document_date() -> None:
    # 上 载 日 期 (when it went online) and 发 文 日 期 (the document's date), spaced out.
    row = truth("text/qqhr.gov.cn-gkml-189769.txt")
    assert article_date(tree(source(row.file)), row.url) == date(2019, 12, 2)
    only_document = source(row.file).replace("上 载 日 期 2019-12-02", "")
    assert article_date(tree(only_document), row.url) == date(2019, 11, 29)
