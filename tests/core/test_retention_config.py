"""The ``retention:`` section: its defaults, its values, one line-numbered message per mistake."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.cli import run

from govwatch.core.config import ConfigError, load_config
from govwatch.core.retention import Retention

SITES = "sites:\n  - {id: a, name: 站点a, url: 'http://127.0.0.1:9/'}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "govwatch.yaml"
    path.write_text(text + SITES, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Retention:
    return Retention.from_config(load_config(write(tmp_path, text)))


def test_defaults_keep_two_months_whole_and_five_years_of_summaries(tmp_path):
    assert load(tmp_path, "") == Retention(keep_full_scans=8, keep_bulletin_scans=8,
                                           keep_summary_years=5, keep_evidence_days=180)
    assert load(tmp_path, "retention:\n") == load(tmp_path, "")


def test_every_key(tmp_path):
    assert load(tmp_path, "retention:\n  keep_full_scans: 1\n  keep_bulletin_scans: all\n"
                          "  keep_summary_years: 2\n  keep_evidence_days: 0\n"
                ) == Retention(1, None, 2, 0)
    assert load(tmp_path, "retention:\n  keep_evidence_days: forever\n"
                ).keep_evidence_days is None
    assert load(tmp_path, "retention:\n  keep_bulletin_scans: 0\n").keep_bulletin_scans == 0


@pytest.mark.parametrize(("today", "since"), [
    (date(2026, 11, 24), date(2021, 11, 24)),
    (date(2028, 2, 29), date(2023, 2, 28)),  # no 29 February five years back
])
def test_the_summary_window_counts_whole_years_back(today, since):
    assert Retention().summary_since(today) == since


MISTAKES = [
    ("retention:\n  keep_full_scans: 0\n", 2,
     "retention: keep_full_scans: must be an integer from 1 to 10000: 0"),
    ("retention:\n  keep_full_scans: eight\n", 2, "must be an integer from 1 to 10000: 'eight'"),
    ("retention:\n  keep_full_scans: true\n", 2, "must be an integer from 1 to 10000: True"),
    ("retention:\n  keep_full_scans: 2.5\n", 2, "must be an integer from 1 to 10000: 2.5"),
    ("retention:\n  keep_full_scans: 8\n  keep_summary_years: 0\n", 3,
     "keep_summary_years: must be an integer from 1 to 100: 0"),
    ("retention:\n  keep_summary_years: 500\n", 2, "from 1 to 100: 500"),
    ("retention:\n  keep_bulletin_scans: -1\n", 2,
     "keep_bulletin_scans: must be an integer from 0 to 10000 or all: -1"),
    ("retention:\n  keep_bulletin_scans: none\n", 2, "from 0 to 10000 or all: 'none'"),
    ("retention:\n  keep_evidence_days: -1\n", 2,
     "keep_evidence_days: must be an integer from 0 to 36500 or forever: -1"),
    ("retention:\n  keep_full_scans: 8\n  keep_sumary_years: 2\n", 3,
     "retention: unknown key 'keep_sumary_years'; did you mean 'keep_summary_years'?"),
    ("retention:\n  forever: true\n", 2, "unknown key 'forever'; known: keep_full_scans"),
    ("retention: 8\n", 1, "retention must be a mapping"),
]


@pytest.mark.parametrize(("text", "line", "phrase"), MISTAKES)
def test_each_mistake_is_one_line_naming_its_line(tmp_path, text, line, phrase):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'govwatch.yaml'}:{line}: "), message
    assert phrase in message and "\n" not in message


def test_the_commands_refuse_a_bad_retention_with_its_line(tmp_path):
    path = write(tmp_path, "retention:\n  keep_full_scans: 0\n")
    for command in (["sites", "check"], ["prune", "--db", str(tmp_path / "g.db")]):
        code, _, err = run(*command, "--config", str(path))
        assert code == 2, command
        assert err.startswith(f"error: {path}:2: retention: keep_full_scans: "), err
