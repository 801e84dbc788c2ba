"""bench.documents on a small PDF: it reads it in a worker and prints its figures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bench.documents import render_text

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_bench_reads_the_pdf_and_prints_its_figures():
    done = subprocess.run(
        [sys.executable, "-m", "bench.documents", "--pages", "12", "--runs", "1",
         "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["pdf_pages"] == 12 and figures["pages_per_second"] > 0
    assert figures["chars"] > 12 * 100  # every page's text (the notice has 138 characters)
    assert figures["worker_peak_rss_mb"] > 10  # a worker ran, and was measured
    assert {o["status"] for o in figures["others"].values()} == {"read"}
    last = render_text(figures).splitlines()[-1]
    assert re.fullmatch(r"pdf_pages=12 pages_per_second=[\d.]+ worker_peak_rss_mb=[\d.]+ "
                        r"chars=\d+", last)
