"""bench.evidence on a tiny farm: it crawls, keeps, screenshots and prints what each cost."""

from __future__ import annotations

import re

from support.bench import bench_json

from bench.evidence import render_text

LAST_LINE = re.compile(r"^seconds_per_shot=(\d+\.\d+) seconds_for_5=(\d+\.\d+) "
                       r"kept_kb_per_1000_pages=(\d+) shot_kb=(\d+\.\d)$")


def test_a_tiny_farm_prints_the_spool_the_kept_pages_and_the_screenshots():
    figures = bench_json("evidence", "--sites", "1", "--pages", "40", "--seed", "3",
                         "--shots", "5", "--renderers", "2", "--server", "python")
    assert figures["status"] == "complete"
    # the crawl spooled every page it read; the new issues' pages were kept from it
    assert figures["spool_pages"] > 20 and figures["spool_bytes"] > 0
    assert 0 < figures["kept_bodies"] <= figures["kept_pages"] <= figures["issues"]
    assert figures["tables"]["kept_bodies"] > 0
    assert figures["shots"] == 5 and figures["shots_missing"] == 0
    match = LAST_LINE.match(render_text(figures).splitlines()[-1])
    assert match, render_text(figures).splitlines()[-1]
    assert float(match[1]) == figures["seconds_per_shot"] > 0
