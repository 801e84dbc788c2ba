"""What a unit or an auditor reads is Chinese: the demo's bulletin, scorecard and workbooks
hold no English words outside URLs, rule ids and identifiers."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from lxml import html
from support.cli import run

# Names that are not English prose: the product, protocol and identifier words that are
# written in Latin letters in Chinese text too (陕ICP备…, HTTP 404).
ALLOWED = {"govwatch", "ICP", "HTTP", "HTTPS"}
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+(?:/\S*)?")
RULE_ID = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b")
WORD = re.compile(r"[A-Za-z]{2,}")


def page_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    if path.suffix == ".html":
        tree = html.fromstring(path.read_text(encoding="utf-8"))
        for hidden in tree.xpath("//script | //style | //head"):
            hidden.drop_tree()
        return tree.text_content()
    return path.read_text(encoding="utf-8")


def english_words(text: str) -> set[str]:
    """Latin-letter words left once URLs, rule ids and allowed names are taken out."""
    text = RULE_ID.sub(" ", URL.sub(" ", text))
    return {word for word in WORD.findall(text) if word not in ALLOWED}


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("demo")
    code, _, err = run("demo", "--dir", str(folder), "--quiet")
    assert code == 0, err
    files = sorted(p for p in (folder / "out").iterdir() if p.suffix in (".html", ".md", ".xlsx"))
    assert {p.name.split("-")[0] for p in files} == {"bulletin", "scorecard"}
    return files


def test_every_bulletin_and_scorecard_file_of_the_demo_reads_in_chinese(demo_files) -> None:
    found = {path.name: english_words(page_text(path)) for path in demo_files}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_check_itself_sees_english_where_there_is_some() -> None:
    """The filter keeps prose: a finding detail in English would fail the test above."""
    text = ("链接 http://a.gov.cn/x.html 无法访问 column.stale 陕ICP备05001234号 HTTP 404 "
            "(missing 号) newest=2026-11-21")
    assert english_words(text) == {"missing", "newest"}
