"""Column classes (栏目分类) by name, from the keyword lists in ``columns.yaml``.

The class decides which update window applies to a column (news 14 days, notice/policy six
months…; the windows themselves are rule-pack parameters). Keywords live in the data file so
an office can teach govwatch its own column names without touching Python.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

from govwatch.core.vocabulary import ColumnClass

VOCABULARY_FILE = Path(__file__).with_name("columns.yaml")
_SENTENCE_ENDS = ("。", "！", "!", "；", ";")
_NOTE_CHARS = 120  # a note is a sentence; more is the page's text, not its note


@cache
def _vocabulary() -> tuple[list[tuple[ColumnClass, tuple[str, ...]]], re.Pattern[str]]:
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    classes = [(ColumnClass(name), tuple(words)) for name, words in data["classes"].items()]
    notes = re.compile("|".join(re.escape(n) for n in data["empty_notes"]))
    return classes, notes


def classify_column(name: str) -> ColumnClass:
    """The class of a column called *name* (``other`` when no keyword matches)."""
    for column_class, words in _vocabulary()[0]:
        if any(word in name for word in words):
            return column_class
    return ColumnClass.OTHER


def find_empty_note(text: str) -> str | None:
    """The sentence of *text* by which a page says it has nothing to publish, as printed
    (暂无信息, or 本机关本年度未制定规范性文件), or None. Whether the note exempts the column
    from 空白栏目 is the rule pack's to judge, not the crawler's."""
    for line in text.splitlines():
        match = _vocabulary()[1].search(line)
        if match:
            start = max((line.rfind(p, 0, match.start()) for p in _SENTENCE_ENDS), default=-1)
            ends = [i for i in (line.find(p, match.end()) for p in _SENTENCE_ENDS) if i >= 0]
            end = min(ends) + 1 if ends else len(line)
            return line[start + 1:end].strip()[:_NOTE_CHARS]
    return None
