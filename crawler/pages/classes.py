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
    """The 暂无信息-style note in *text*, if the page says it has nothing to publish."""
    match = _vocabulary()[1].search(text)
    return match.group(0) if match else None
