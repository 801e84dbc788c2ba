"""Compliance rules: YAML rule packs and the checks they run over one complete scan."""
