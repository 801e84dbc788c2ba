"""Read and validate one rule pack file, keeping the line of everything in it.

A pack file (``rules/packs/*.yaml`` are built in) holds::

    pack: gov-2019            # name, [a-z0-9][a-z0-9_-]*
    version: "1.0"            # stamped on every finding
    title: 政府网站与政务新媒体检查指标
    enabled: true             # optional; a site may switch a pack on or off
    rules:
      - id: column.stale      # [a-z0-9_]+(.[a-z0-9_]+)*, unique across all loaded packs
        title: 栏目不更新       # Chinese title, as bulletins print it
        severity: deduction   # veto | deduction | advisory
        points: 2             # weight for scoring (>= 0)
        check: column_freshness   # a registered check (rules.registry)
        params: {...}         # as the check declares them
        applies_to: {sites: [...], column_classes: [...]}   # optional
        examples: {pass: [...], fail: [...]}                # optional, for `rules test`
        basis: 国办秘函〔2019〕19号 …                         # optional

Reading stops at the first problem with a RuleError naming file, line and rule id: YAML
syntax, a duplicate key, an unknown key, check, severity or column class, a missing or
unknown param, a bad regex, a value of the wrong type, a duplicate rule id in the file.
Problems between packs are :mod:`rules.catalogue`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from govwatch.core.vocabulary import ColumnClass
from govwatch.rules.model import AppliesTo, Example, Pack, Rule, RuleError, Severity
from govwatch.rules.params import convert_params
from govwatch.rules.registry import Check, registered

PACK_KEYS = ("pack", "version", "title", "enabled", "rules")
RULE_KEYS = ("id", "title", "severity", "points", "check", "params", "applies_to", "examples",
             "basis")
_PACK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_RULE_ID = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")


class _Map(dict):
    """A mapping read from a pack, knowing its own line and each key's line."""

    line = 0
    key_lines: dict[Any, int]


class _List(list):
    """A list read from a pack, knowing its own line and each item's line."""

    line = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and refusing repeated keys."""


def _construct_map(loader: _Loader, node: MappingNode) -> Iterable[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    yield data
    seen: set[Any] = set()
    for key, _ in node.value:
        if isinstance(key, ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key.value!r}", key.start_mark)
            seen.add(key.value)
    data.update(loader.construct_mapping(node))
    data.key_lines = {loader.construct_object(k): k.start_mark.line + 1 for k, _ in node.value}


def _construct_list(loader: _Loader, node: SequenceNode) -> Iterable[_List]:
    data = _List()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_sequence(node))


# The same loader on libyaml's parser, when PyYAML has it: a lexicon of 20 000 entries
# parses in a second instead of ten. Packs keep the pure one (its messages are the ones
# documented and tested).
_FastLoader: type = type("_FastLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
for _loader in (_Loader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _loader.add_constructor("tag:yaml.org,2002:seq", _construct_list)


def load_pack(path: str | Path) -> Pack:
    """Read and validate one pack file; RuleError on the first problem."""
    path = Path(path)
    return _PackReader(path).pack(read_yaml(path))


def read_yaml(path: Path, fast: bool = False) -> Any:
    """The YAML data of *path*, every mapping and list knowing its line (``.line``, and
    ``.key_lines`` or ``.item_lines``); RuleError naming the file and line of a syntax error,
    a repeated key or an unreadable file. Lexicon files are read so too, *fast* (with
    libyaml's parser when there is one)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RuleError("file not found", path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(f"cannot read file as UTF-8: {error}", path) from None
    try:
        data = yaml.load(text, Loader=_FastLoader if fast else _Loader)  # safe loaders
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise RuleError(f"YAML error: {' '.join(problem.split())}", path,
                        mark.line + 1 if mark else None) from None
    return data


class _PackReader:
    """Validates one pack's data, naming the file and line of each problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, message: str, where: Any = None, key: Any = None,
              rule: str | None = None) -> RuleError:
        line = getattr(where, "line", None)
        if key is not None and isinstance(where, _Map):
            line = where.key_lines.get(key, line)
        return RuleError(message, self.path, line, rule)

    def keys(self, data: _Map, allowed: Sequence[str], rule: str | None = None) -> None:
        for key in data:
            if key not in allowed:
                raise self.error(f"unknown key {key!r} (known: {', '.join(allowed)})", data,
                                 key, rule)

    def pack(self, data: Any) -> Pack:
        if not isinstance(data, _Map):
            raise self.error("a pack must be a mapping with pack, version and rules", data)
        self.keys(data, PACK_KEYS)
        for key in ("pack", "version", "rules"):
            if key not in data:
                raise self.error(f"missing {key!r}", data)
        name, version = data["pack"], data["version"]
        if not isinstance(name, str) or not _PACK_NAME.fullmatch(name):
            raise self.error(f"pack name must match {_PACK_NAME.pattern}: {name!r}", data, "pack")
        if not isinstance(version, str | int | float) or isinstance(version, bool):
            raise self.error(f"version must be a string: {version!r}", data, "version")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise self.error(f"enabled must be true or false: {enabled!r}", data, "enabled")
        rules = data["rules"]
        if not isinstance(rules, _List) or not rules:
            raise self.error("rules must be a non-empty list", data, "rules")
        built: dict[str, Rule] = {}
        for entry in rules:
            rule = self.rule(entry, name, str(version))
            if rule.id in built:
                raise self.error(f"duplicate rule id (first at line {built[rule.id].line})",
                                 entry, "id", rule.id)
            built[rule.id] = rule
        return Pack(name, str(version), str(data.get("title", name)), self.path,
                    tuple(built.values()), enabled)

    def rule(self, data: Any, pack: str, version: str) -> Rule:
        if not isinstance(data, _Map):
            raise self.error("each rule must be a mapping (id: …, check: …)", data)
        rule_id = data.get("id")
        if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
            raise self.error(f"rule id must match {_RULE_ID.pattern}: {rule_id!r}", data, "id")
        self.keys(data, RULE_KEYS, rule_id)
        for key in ("title", "severity", "check"):
            if key not in data:
                raise self.error(f"missing {key!r}", data, None, rule_id)
        title = data["title"]
        if not isinstance(title, str) or not title.strip():
            raise self.error(f"title must be a non-empty string: {title!r}", data, "title",
                             rule_id)
        if data["severity"] not in tuple(Severity):
            raise self.error(f"severity must be one of {', '.join(Severity)}: "
                             f"{data['severity']!r}", data, "severity", rule_id)
        points = data.get("points", 0)
        if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
            raise self.error(f"points must be a number >= 0: {points!r}", data, "points", rule_id)
        check = registered().get(data["check"]) if isinstance(data["check"], str) else None
        if check is None:
            raise self.error(f"unknown check {data['check']!r} (known: "
                             f"{', '.join(sorted(registered()))})", data, "check", rule_id)
        raw = data.get("params") or _Map()
        if not isinstance(raw, _Map):
            raise self.error("params must be a mapping", data, "params", rule_id)
        rule = Rule(
            id=rule_id, title=title.strip(), severity=Severity(data["severity"]),
            points=float(points), check=check.name, params={}, raw_params=raw, pack=pack,
            pack_version=version, path=self.path, line=data.line,
            applies_to=self.applies_to(data.get("applies_to"), data, rule_id),
            examples=self.examples(data.get("examples"), data, rule_id),
            basis=str(data.get("basis", "")),
        )
        return rule.with_params(validated_params(check, rule, raw), raw)

    def applies_to(self, value: Any, data: _Map, rule_id: str) -> AppliesTo:
        if value is None:
            return AppliesTo()
        if not isinstance(value, _Map):
            raise self.error("applies_to must be a mapping (sites, column_classes)", data,
                             "applies_to", rule_id)
        self.keys(value, ("sites", "column_classes"), rule_id)
        out: dict[str, frozenset[str]] = {}
        for key, known in (("sites", None), ("column_classes", tuple(ColumnClass))):
            items = value.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise self.error(f"applies_to.{key} must be a list of strings", value, key,
                                 rule_id)
            bad = [i for i in items if known is not None and i not in known]
            if bad:
                raise self.error(f"unknown column class {bad[0]!r} (known: {', '.join(known)})",
                                 value, key, rule_id)
            out[key] = frozenset(items)
        return AppliesTo(**out)

    def examples(self, value: Any, data: _Map, rule_id: str) -> tuple[Example, ...]:
        if value is None:
            return ()
        if not isinstance(value, _Map):
            raise self.error("examples must be a mapping with pass and/or fail lists", data,
                             "examples", rule_id)
        self.keys(value, ("pass", "fail"), rule_id)
        out: list[Example] = []
        for key in ("pass", "fail"):
            items = value.get(key, [])
            if not isinstance(items, _List):
                raise self.error(f"examples.{key} must be a list", value, key, rule_id)
            lines = items.item_lines if items else []
            out += [Example(v, key == "fail", line) for v, line in zip(items, lines, strict=True)]
        return tuple(out)


def validated_params(check: Check, rule: Rule, raw: Mapping[str, Any]) -> dict[str, Any]:
    """*raw* converted by *check*'s declared params, then checked together; RuleError at
    the offending param's line (or the rule's) on the first problem."""
    converted, problems = convert_params(check.params, raw)
    if problems:
        name, message = problems[0]
        raise rule.error(message, key_line(raw, name) or getattr(raw, "line", None))
    message = check.validate(rule.with_params(converted, raw)) if check.validate else None
    if message:
        raise rule.error(message, getattr(raw, "line", None))
    return converted


def key_line(mapping: Any, key: str | None) -> int | None:
    """The line of *key* in a mapping read from a pack, if known."""
    return mapping.key_lines.get(key) if isinstance(mapping, _Map) and key else None
