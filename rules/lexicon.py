"""Lexicons of wrong words and the matcher that finds them in page text.

A lexicon file (the built-in ones are ``rules/lexicons/*.yaml``; an office adds its own)::

    lexicon: agencies-2018          # name, [a-z0-9][a-z0-9_-]*
    source: 《国务院机构改革方案》    # where the list comes from (printed in listings)
    defaults:                       # optional: category, since, homophones, exceptions
      category: outdated_name
      since: 2018-03-17
      exceptions: {before: [原], quoted: true}
    entries:
      - wrong: 国家旅游局            # a string or a list of strings
        right: 文化和旅游部          # the suggestion printed as 应为：…
        category: outdated_name     # [a-z][a-z_]*; a rule reports the categories it names
        note: 2018年组建文化和旅游部，不再保留国家旅游局
        since: 2018-03-17           # a date or a year: older pages and items are not judged
        homophones: false           # true: also the same-sound misspellings of `right`
        exceptions:                 # where the wrong form is not wrong
          before: [原, 前]           # directly before it (原国家旅游局)
          after: [门]               # directly after it (农业部门)
          contexts: [农业部门]       # a phrase holding it
          sentence: [前身, 更名为]    # a word anywhere in its sentence
          quoted: true              # inside 《》“”「」『』‘’ (titles of old documents, quotations)

Exceptions add up from three levels: the rule's ``exceptions`` param, the file's
``defaults``, the entry; ``quoted`` is the nearest one written. The right form is always an
exception: a wrong form found inside an occurrence of its own right form is not reported.

Homophones (``homophones: true``, ``wrong`` may then be left out) are the forms of ``right``
with exactly one character replaced by another with the same toned reading (the reading
pypinyin gives the character in the word), taken only from the 3 755 common characters of
GB 2312 level 1, at most :data:`HOMOPHONES_PER_CHARACTER` per position: a name of n
characters gives at most n × 24 variants, never the right form itself nor any entry's right
form.

:class:`Matcher` puts every wrong form of every entry in one Aho-Corasick automaton
(ahocorasick-rs), so a page costs one pass whatever the number of entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick_rs

from govwatch.rules.model import RuleError
from govwatch.rules.packfile import read_yaml

LEXICONS_DIR = Path(__file__).with_name("lexicons")
HOMOPHONES_PER_CHARACTER = 24
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_CATEGORY = re.compile(r"[a-z][a-z_]*")
_FILE_KEYS = ("lexicon", "source", "defaults", "entries")
_ENTRY_KEYS = ("wrong", "right", "category", "note", "since", "homophones", "exceptions")
_DEFAULT_KEYS = ("category", "since", "homophones", "exceptions")
_EXCEPTION_KEYS = ("before", "after", "contexts", "sentence", "quoted")
# Quotation pairs: an old document's title in 《》, quoted words in “” 「」 『』 ‘’.
_QUOTES = (("《", "》"), ("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"))
_QUOTE_REACH = 200  # characters looked at on each side for the quotation marks
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_SENTENCE_REACH = 120
# A place name between a `before` word and the wrong form: up to 8 characters, then the
# character of an administrative level (原【宁远县】环保局).
_PLACE = re.compile(r"[\u4e00-\u9fff]{0,8}[省市县区州盟旗镇乡]")
_PLACE_LONGEST = 9


class LexiconError(RuleError):
    """A problem in a lexicon file: ``FILE:LINE: rule ID: message``."""


@dataclass(frozen=True)
class Exceptions:
    """Where a wrong form is not wrong (see the module docstring)."""

    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    sentence: tuple[str, ...] = ()
    quoted: bool | None = None

    def under(self, base: Exceptions) -> Exceptions:
        """These exceptions added to *base*'s; ``quoted`` from here when written here."""
        return Exceptions(
            *(tuple(dict.fromkeys((*getattr(base, k), *getattr(self, k))))
              for k in ("before", "after", "contexts", "sentence")),
            quoted=self.quoted if self.quoted is not None else base.quoted)


@dataclass(frozen=True)
class Entry:
    """One entry of a lexicon: the wrong forms, the right one and when it applies."""

    wrong: tuple[str, ...]
    right: str
    category: str
    note: str = ""
    since: date | None = None
    homophones: bool = False
    exceptions: Exceptions = Exceptions()
    lexicon: str = ""
    path: Path | None = field(default=None, compare=False)
    line: int = 0


@dataclass(frozen=True)
class Lexicon:
    """A loaded lexicon file."""

    name: str
    source: str
    path: Path
    entries: tuple[Entry, ...]

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(e.category for e in self.entries)


def builtin_lexicon_paths() -> list[Path]:
    """The lexicons shipped with govwatch (``rules/lexicons/*.yaml``)."""
    return sorted(LEXICONS_DIR.glob("*.yaml"))


def load_lexicon(path: str | Path) -> Lexicon:
    """Read and validate one lexicon file; LexiconError naming file and line on the first
    problem. Read once per version of the file (cached on its size and time)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise LexiconError("lexicon file not found", path) from None
    return _load(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load(path: Path, _mtime: int, _size: int) -> Lexicon:
    try:
        data = read_yaml(path, fast=True)
    except RuleError as error:
        raise LexiconError(error.message, error.path, error.line) from None
    return _Reader(path).lexicon(data)


class _Reader:
    """Validates one lexicon's data, naming the line of each problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, message: str, where: Any, key: str | None = None) -> LexiconError:
        line = getattr(where, "line", None)
        if key is not None and hasattr(where, "key_lines"):
            line = where.key_lines.get(key, line)
        return LexiconError(message, self.path, line)

    def keys(self, data: dict, allowed: Sequence[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.error(f"{what}: unknown key {key!r} (known: {', '.join(allowed)})",
                                 data, key)

    def lexicon(self, data: Any) -> Lexicon:
        if not isinstance(data, dict):
            raise self.error("a lexicon must be a mapping with lexicon and entries", data)
        self.keys(data, _FILE_KEYS, "lexicon")
        name = data.get("lexicon")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise self.error(f"lexicon name must match {_NAME.pattern}: {name!r}", data,
                             "lexicon")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise self.error("defaults must be a mapping", data, "defaults")
        self.keys(defaults, _DEFAULT_KEYS, "defaults")
        entries = data.get("entries")
        if not isinstance(entries, list) or not entries:
            raise self.error("entries must be a non-empty list", data, "entries")
        base = self.exceptions(defaults.get("exceptions"), defaults)
        built = tuple(self.entry(item, line, defaults, base, name)
                      for item, line in zip(entries, entries.item_lines, strict=True))
        return Lexicon(name, str(data.get("source", "")), self.path, built)

    def entry(self, data: Any, line: int, defaults: dict, base: Exceptions,
              lexicon: str) -> Entry:
        if not isinstance(data, dict):
            raise LexiconError("each entry must be a mapping (wrong: …, right: …)", self.path,
                               line)
        self.keys(data, _ENTRY_KEYS, "entry")
        right = data.get("right")
        if not isinstance(right, str) or not right.strip():
            raise self.error(f"entry: 'right' must be a non-empty string, not {right!r}", data,
                             "right" if "right" in data else None)
        homophones = data.get("homophones", defaults.get("homophones", False))
        if not isinstance(homophones, bool):
            raise self.error(f"homophones must be true or false, not {homophones!r}", data,
                             "homophones")
        wrong = data.get("wrong", [])
        wrong = [wrong] if isinstance(wrong, str) else wrong
        if not isinstance(wrong, list) or not all(isinstance(w, str) and w.strip()
                                                  for w in wrong):
            raise self.error(f"entry: 'wrong' must be a string or a list of strings, not "
                             f"{data.get('wrong')!r}", data, "wrong")
        if not wrong and not homophones:
            raise self.error("entry: missing 'wrong' (it may be left out only with "
                             "homophones: true)", data)
        if right.strip() in wrong:
            raise self.error(f"entry: the wrong form {right!r} is its own right form", data,
                             "wrong")
        category = data.get("category", defaults.get("category"))
        if not isinstance(category, str) or not _CATEGORY.fullmatch(category):
            raise self.error(f"entry: category must match {_CATEGORY.pattern}, not "
                             f"{category!r}", data, "category" if "category" in data else None)
        since = self.since(data.get("since", defaults.get("since")), data)
        exceptions = self.exceptions(data.get("exceptions"), data).under(base)
        return Entry(tuple(w.strip() for w in wrong), right.strip(), category,
                     str(data.get("note", "")), since, homophones, exceptions, lexicon,
                     self.path, line)

    def since(self, value: Any, data: dict) -> date | None:
        if value is None or isinstance(value, date):
            return value
        if isinstance(value, int) and not isinstance(value, bool) and 1949 <= value <= 2100:
            return date(value, 1, 1)
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.error(f"since must be a date YYYY-MM-DD or a year, not {value!r}", data,
                             "since") from None

    def exceptions(self, value: Any, parent: dict) -> Exceptions:
        if value is None:
            return Exceptions()
        try:
            return exceptions_from(value)
        except ValueError as error:
            raise self.error(str(error), value if hasattr(value, "line") else parent,
                             None if hasattr(value, "line") else "exceptions") from None


def exceptions_from(value: Any) -> Exceptions:
    """An :class:`Exceptions` from its YAML mapping; ValueError saying what is wrong."""
    if not isinstance(value, dict):
        raise ValueError(f"exceptions must be a mapping ({', '.join(_EXCEPTION_KEYS)}), "
                         f"not {value!r}")
    unknown = [k for k in value if k not in _EXCEPTION_KEYS]
    if unknown:
        raise ValueError(f"exceptions: unknown key {unknown[0]!r} (known: "
                         f"{', '.join(_EXCEPTION_KEYS)})")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("before", "after", "contexts", "sentence"):
        items = value.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise ValueError(f"exceptions.{key} must be a list of strings, not {items!r}")
        lists[key] = tuple(items)
    quoted = value.get("quoted")
    if quoted is not None and not isinstance(quoted, bool):
        raise ValueError(f"exceptions.quoted must be true or false, not {quoted!r}")
    return Exceptions(**lists, quoted=quoted)


# Homophones -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _common_by_reading() -> dict[str, tuple[str, ...]]:
    """The GB 2312 level-1 characters (rows 16-55, the 3 755 common ones) by their first
    toned reading in pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    by_reading: dict[str, list[str]] = {}
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                char = bytes((row, cell)).decode("gb2312")
            except UnicodeDecodeError:  # the last row ends early
                continue
            readings = pinyin_dict.get(ord(char))
            if readings:
                by_reading.setdefault(readings.split(",")[0], []).append(char)
    return {reading: tuple(chars) for reading, chars in by_reading.items()}


def homophone_variants(word: str) -> list[str]:
    """The forms of *word* with one character replaced by a common character read the same
    (the toned reading pypinyin gives it in *word*, so 和 of 共和国 is hé, not huò), at most
    :data:`HOMOPHONES_PER_CHARACTER` per position."""
    from pypinyin import Style, pinyin

    common = _common_by_reading()
    readings = [r[0] for r in pinyin(word, style=Style.TONE, errors=lambda s: [""] * len(s))]
    out: list[str] = []
    for i, (char, reading) in enumerate(zip(word, readings, strict=True)):
        same = [c for c in common.get(reading, ()) if c != char]
        out += [word[:i] + c + word[i + 1:] for c in same[:HOMOPHONES_PER_CHARACTER]]
    return out


# Matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """One wrong form found in a text."""

    entry: Entry
    term: str
    start: int
    end: int
    homophone: bool = False


class Matcher:
    """Every wrong form of *entries* (and their homophones) in one automaton."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        entries = list(entries)
        rights = {e.right for e in entries}
        found: dict[str, list[tuple[Entry, bool]]] = {}
        for entry in entries:
            for term in entry.wrong:
                found.setdefault(term, []).append((entry, False))
            if entry.homophones:
                for term in homophone_variants(entry.right):
                    if term not in rights:  # never a form some entry calls right
                        found.setdefault(term, []).append((entry, True))
        self.terms = list(found)
        self._owners = [found[t] for t in self.terms]
        self._automaton = (ahocorasick_rs.AhoCorasick(self.terms) if self.terms else None)

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> list[Match]:
        """Every match in *text*, before exceptions; a match inside a longer one is dropped
        (国家卫生和计划生育委员会 is reported once, not also as 卫生和计划生育委员会)."""
        if self._automaton is None or not text:
            return []
        spans = self._automaton.find_matches_as_indexes(text, overlapping=True)
        if not spans:
            return []
        spans.sort(key=lambda s: (s[1], -s[2]))
        out: list[Match] = []
        reach = -1
        for index, start, end in spans:
            if end <= reach:  # inside the longer match before it
                continue
            reach = max(reach, end)
            term = self.terms[index]
            out += [Match(entry, term, start, end, homophone)
                    for entry, homophone in self._owners[index]]
        return out


def excused(text: str, match: Match, exceptions: Exceptions) -> bool:
    """Whether *match* stands in a place where it is not wrong (its right form, a listed
    context, a word before or after it, a word of its sentence, a quotation)."""
    start, end, term = match.start, match.end, match.term
    for phrase in (match.entry.right, *exceptions.contexts):
        offset = phrase.find(term)
        while offset >= 0:
            if start >= offset and text.startswith(phrase, start - offset):
                return True
            offset = phrase.find(term, offset + 1)
    if exceptions.before and _preceded(text, start, exceptions.before):
        return True
    if any(text.startswith(word, end) for word in exceptions.after):
        return True
    if exceptions.sentence:
        lo, hi = sentence_bounds(text, start, end)
        if any(word in text[lo:hi] for word in exceptions.sentence):
            return True
    return bool(exceptions.quoted) and quoted(text, start, end)


def _preceded(text: str, start: int, words: Sequence[str]) -> bool:
    """Whether one of *words* stands right before *start*, or before a place name that
    stands there (原县安监局, 原宁远县环保局)."""
    for gap in range(_PLACE_LONGEST + 1):
        at = start - gap
        if at < 0:
            break
        if gap and not _PLACE.fullmatch(text, at, start):
            continue
        if any(text.startswith(word, at - len(word)) for word in words if at >= len(word)):
            return True
    return False


def quoted(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands inside a pair of quotation marks or title marks."""
    for left, right in _QUOTES:
        opened = text.rfind(left, max(0, start - _QUOTE_REACH), start)
        if opened < 0 or text.find(right, opened, start) >= 0:
            continue
        if text.find(right, end, end + _QUOTE_REACH) >= 0:
            return True
    return False


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding text[start:end] (at most a reach on each side)."""
    lo = max(0, start - _SENTENCE_REACH)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, start)]
    lo = ends[-1] if ends else lo
    after = _SENTENCE_END.search(text, end, end + _SENTENCE_REACH)
    return lo, after.end() if after else min(len(text), end + _SENTENCE_REACH)


def marked_sentence(text: str, match: Match, most: int = 40) -> str:
    """The sentence of *match* with the wrong form in 【】, cut to *most* characters on each
    side: ``根据【国家旅游局】有关要求``."""
    lo, hi = sentence_bounds(text, match.start, match.end)
    before = text[max(lo, match.start - most):match.start]
    after = text[match.end:min(hi, match.end + most)]
    return " ".join(f"{before}【{match.term}】{after}".split())


def entries_of(paths: Iterable[Path]) -> Iterator[Entry]:
    """Every entry of the lexicons at *paths*, file by file."""
    for path in paths:
        yield from load_lexicon(path).entries
