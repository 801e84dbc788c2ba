"""The catalogue: every loaded rule pack, validated together, and per-site overrides.

:func:`load_catalogue` reads the built-in packs (``rules/packs/*.yaml``) and any others
(:mod:`rules.packfile` reads each file), then checks what only the whole can tell: a rule
id used in two packs, two packs of one name, a ``count_at_least`` naming a rule that is not
loaded, or counting in a cycle. :meth:`Catalogue.variants` applies a site's
:class:`SiteRules` (packs switched on or off, params overridden per rule, validated like
the pack's own) and says which sites each rule runs for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govwatch.rules.model import Pack, Rule, RuleError
from govwatch.rules.packfile import key_line, load_pack, validated_params
from govwatch.rules.registry import CheckKind, registered

PACKS_DIR = Path(__file__).with_name("packs")


@dataclass(frozen=True)
class SiteRules:
    """Rule settings of one site: packs switched on or off, params overridden per rule.

    Proposed sites-file key (``sites[].rules``)::

        rules:
          packs: {renamed-agencies: true}
          params: {column.stale: {windows: {news: 30d}}}
    """

    packs: Mapping[str, bool] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    """Every loaded pack, validated together."""

    packs: tuple[Pack, ...]

    @property
    def rules(self) -> tuple[Rule, ...]:
        """All rules, pack by pack, in file order."""
        return tuple(rule for pack in self.packs for rule in pack.rules)

    def packs_from(self, paths: Iterable[str | Path]) -> tuple[Pack, ...]:
        """The packs loaded from *paths* (all packs when *paths* is empty)."""
        wanted = {Path(p).resolve() for p in paths}
        return tuple(p for p in self.packs if not wanted or p.path.resolve() in wanted)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def ordered(self) -> list[Rule]:
        """Rules in evaluation order: scan and batch checks first, then aggregates after
        the rules they count."""
        checks = registered()
        plain = [r for r in self.rules if checks[r.check].kind is not CheckKind.AGGREGATE]
        done = {r.id for r in plain}
        pending = [r for r in self.rules if r.id not in done]
        while pending:
            ready = [r for r in pending if r.params["rule"] in done]
            if not ready:
                first = pending[0]
                raise first.error(f"count cycle among rules {', '.join(r.id for r in pending)}")
            plain += ready
            done.update(r.id for r in ready)
            pending = [r for r in pending if r.id not in done]
        return plain

    def variants(self, site_ids: Iterable[str], overrides: Mapping[str, SiteRules] | None = None
                 ) -> list[tuple[Rule, frozenset[str]]]:
        """Each rule (with per-site params where overridden) and the sites it runs for.

        A site runs a rule when the rule's pack is enabled for it (the pack's ``enabled``
        unless the site's ``packs`` says otherwise) and ``applies_to.sites`` (if any) names
        it. Sites with the same override share one variant. RuleError for an override that
        names an unknown pack or rule or writes a bad param.
        """
        overrides = overrides or {}
        self._check_override_names(overrides)
        out: list[tuple[Rule, frozenset[str]]] = []
        for rule in self.ordered():
            pack = next(p for p in self.packs if p.name == rule.pack)
            groups: dict[str, tuple[Rule, set[str]]] = {}
            for site in site_ids:
                own = overrides.get(site, SiteRules())
                if not own.packs.get(pack.name, pack.enabled):
                    continue
                if rule.applies_to.sites and site not in rule.applies_to.sites:
                    continue
                written = own.params.get(rule.id)
                key = json.dumps(written, sort_keys=True, default=str) if written else ""
                if key not in groups:
                    variant = _override(rule, written, site) if written else rule
                    groups[key] = (variant, set())
                groups[key][1].add(site)
            out += [(variant, frozenset(sites)) for variant, sites in groups.values()]
        return out

    def _check_override_names(self, overrides: Mapping[str, SiteRules]) -> None:
        packs = {p.name for p in self.packs}
        ids = {r.id for r in self.rules}
        for site, own in overrides.items():
            for name in own.packs:
                if name not in packs:
                    raise RuleError(f"site {site}: unknown pack {name!r} (loaded: "
                                    f"{', '.join(sorted(packs))})")
            for rule_id in own.params:
                if rule_id not in ids:
                    raise RuleError(f"site {site}: unknown rule {rule_id!r}", rule=rule_id)


def rule_rows(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    """One row per rule for listings (``govwatch rules list``): pack, id, severity, points,
    check, title, params as written, applies_to, number of examples, basis."""
    return [
        {"pack": r.pack, "version": r.pack_version, "id": r.id, "severity": str(r.severity),
         "points": r.points, "check": r.check, "title": r.title, "params": dict(r.raw_params),
         "applies_to": {"sites": sorted(r.applies_to.sites),
                        "column_classes": sorted(r.applies_to.column_classes)},
         "examples": len(r.examples), "basis": r.basis}
        for r in rules
    ]


def builtin_pack_paths() -> list[Path]:
    """The packs shipped with govwatch (``rules/packs/*.yaml``, not its examples)."""
    return sorted(PACKS_DIR.glob("*.yaml"))


def load_catalogue(paths: Sequence[str | Path] = (), builtin: bool = True) -> Catalogue:
    """Load the built-in packs (unless *builtin* is false) and the packs at *paths*,
    validated together; a file named twice is read once."""
    files = [*builtin_pack_paths(), *map(Path, paths)] if builtin else list(map(Path, paths))
    unique = list({p.resolve(): p for p in files}.values())
    packs: list[Pack] = []
    seen: dict[str, Rule] = {}
    for path in unique:
        pack = load_pack(path)
        if other := next((p for p in packs if p.name == pack.name), None):
            raise RuleError(f"duplicate pack name {pack.name!r} (also {other.path})", path)
        for rule in pack.rules:
            if rule.id in seen:
                first = seen[rule.id]
                raise rule.error(f"duplicate rule id (first at {first.path}:{first.line})")
            seen[rule.id] = rule
        packs.append(pack)
    for rule in seen.values():
        ref = rule.params.get("rule")
        if registered()[rule.check].kind is CheckKind.AGGREGATE and ref not in seen:
            raise rule.error(f"param rule: no rule {ref!r} is loaded",
                             key_line(rule.raw_params, "rule"))
    catalogue = Catalogue(tuple(packs))
    catalogue.ordered()  # raises on a cycle
    return catalogue


def check_pack_files(paths: Sequence[str | Path]) -> list[tuple[Path, Pack | None, str]]:
    """Validate each file on its own, beside the built-in packs (which its
    ``count_at_least`` rules may count): (path, pack or None, error message or '')."""
    out: list[tuple[Path, Pack | None, str]] = []
    for path in map(Path, paths):
        try:
            out.append((path, load_catalogue([path]).packs_from([path])[0], ""))
        except RuleError as error:
            out.append((path, None, str(error)))
    return out


def _override(rule: Rule, written: Mapping[str, Any], site: str) -> Rule:
    """*rule* with a site's params merged over its own (mappings merged one level deep)."""
    if not isinstance(written, Mapping):
        raise rule.error(f"site {site}: params must be a mapping, not {written!r}")
    merged = dict(rule.raw_params)
    for name, value in written.items():
        base = merged.get(name)
        both = isinstance(base, dict) and isinstance(value, dict)
        merged[name] = {**base, **value} if both else value
    try:
        return rule.with_params(validated_params(registered()[rule.check], rule, merged), merged)
    except RuleError as error:
        raise RuleError(f"site {site}: {error.message}", rule.path, None, rule.id) from None
