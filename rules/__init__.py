"""Compliance rules: YAML rule packs and the checks they run over one complete scan.

- :mod:`rules.packfile` reads and validates one pack file (``rules/packs/*.yaml`` are built
  in); :mod:`rules.catalogue` validates the loaded packs together and applies per-site
  overrides;
- :mod:`rules.registry` is where checks register (``@check``); :mod:`rules.checks` holds the
  shipped ones, :mod:`rules.params` the parameter types they declare;
- :mod:`rules.scanview` is the read-only view of one complete scan that checks read;
- :mod:`rules.engine` evaluates a catalogue over a scan and stores the findings
  (``evaluate_scan``, behind ``govwatch evaluate`` and the end of ``govwatch scan``);
- :mod:`rules.examples` runs the examples written in packs (``govwatch rules test``);
- :mod:`rules.model` holds the types: Rule, Pack, Hit, Finding, RuleError.

It never fetches a URL: everything it knows comes from the scan tables.
"""
