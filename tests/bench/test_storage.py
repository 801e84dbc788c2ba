"""bench.storage on a tiny farm: it scans, measures and prints what each scan cost."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bench.storage import render_text

ROOT = Path(__file__).resolve().parents[2]
LAST_LINE = re.compile(r"^first_scan_bytes_per_page=(\d+) rescan_bytes_per_page=(\d+) "
                       r"weeks=(\d+) total_mb=(\d+\.\d)$")


def test_a_tiny_series_prints_each_scans_cost_and_the_tables():
    done = subprocess.run(
        [sys.executable, "-m", "bench.storage", "--sites", "2", "--pages", "40", "--seed", "3",
         "--weeks", "1", "--server", "python", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    first, rescan, week = figures["scans"]
    assert [s["label"] for s in figures["scans"]] == ["first scan", "unchanged re-scan",
                                                      "week 1"]
    assert all(s["status"] == "complete" and s["pages"] > 30 for s in figures["scans"])
    assert rescan["revalidated"] > 0 and rescan["changed_files"] == 0
    assert week["changed_files"] > 0  # a tenth of the pages edited before it
    # a re-scan of the unchanged farm adds a small part of what the first scan stored
    assert 0 < rescan["added_bytes"] < first["added_bytes"] / 4
    assert first["tables"]["readings"] > 0 and "links" not in first["tables"]
    assert rescan["used_bytes"] == first["used_bytes"] + rescan["added_bytes"]
    text = render_text(figures)
    match = LAST_LINE.match(text.splitlines()[-1])
    assert match, text.splitlines()[-1]
    assert int(match[1]) == round(first["used_bytes"] / first["pages"])
    assert int(match[2]) == round(rescan["added_bytes"] / rescan["pages"])
    assert "scan_pages.idx_scan_pages_reading_id" in text  # indexes apart
