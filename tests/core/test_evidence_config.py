"""The sites file's evidence: section: the crawl settings it stands for, and its mistakes,
each one line naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from govwatch.core.config import ConfigError, load_config
from govwatch.core.kept import evidence_settings

SITES = "sites:\n  - {id: a, name: 甲, url: 'http://a.example/'}\n"


def load(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "govwatch.yaml"
    path.write_text(text + SITES, encoding="utf-8")
    return evidence_settings(load_config(path))


def test_no_section_changes_no_setting_and_each_key_sets_its_own(tmp_path):
    assert load(tmp_path, "") == {}
    assert load(tmp_path, "evidence:\n  keep: false\n") == {"GOVWATCH_EVIDENCE": False}
    assert load(tmp_path, "evidence:\n  screenshots: true\n  screenshot_max: 50\n"
                          "  screenshot_pages: 2\n") == {
        "GOVWATCH_SCREENSHOTS": True, "GOVWATCH_SCREENSHOT_MAX": 50,
        "GOVWATCH_SCREENSHOT_PAGES": 2}


@pytest.mark.parametrize(("text", "line", "phrase"), [
    ("evidence:\n  screenshots: yes please\n", 2, "screenshots: must be true or false"),
    ("evidence:\n  keep: true\n  screenshot_pages: 40\n", 3,
     "screenshot_pages: must be an integer from 1 to 16: 40"),
    ("evidence:\n  screenshot_max: true\n", 2, "from 0 to 100000: True"),
    ("evidence:\n  screenshot: true\n", 2, "unknown key 'screenshot'; known: keep"),
    ("evidence: on\n", 1, "evidence must be a mapping"),
])
def test_each_mistake_is_refused_at_its_line(tmp_path, text, line, phrase):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'govwatch.yaml'}:{line}: ") and phrase in message
