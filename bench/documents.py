"""How fast attachments are read, and what the reading worker costs in memory.

``python -m bench.documents --pages 300 --runs 3`` builds a PDF of ``--pages`` pages on the fly
(the LibreOffice-made fixture ``tests/crawler/fixtures/documents/notice.pdf``, a 公示 with a
table, its page imported again and again with PDFium), then reads it as the crawl does: in a
worker process of :class:`govwatch.crawler.documents.ExtractorPool`, ``--runs`` times, each in a
fresh pool so every run pays for its worker's start. It prints, per run, the seconds and pages
a second; then the worker's peak resident memory (the largest child this process waited for,
``RUSAGE_CHILDREN``), the same reading in this process for comparison (no worker), and the
other fixture formats read once each (after a first reading that imports their library);
the last line::

    pdf_pages=<n> pages_per_second=<best run> worker_peak_rss_mb=<…> chars=<…>

``--format json`` prints every figure as one JSON object instead. It measures and never
judges. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from govwatch.crawler.documents import ExtractorPool, Limits, extract_bytes

__all__ = ["build_pdf", "main", "measure"]

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "crawler" / "fixtures" / "documents"
OTHERS = ("notice.docx", "notice.doc", "roster.xlsx", "roster.xls", "report.ofd")


def build_pdf(pages: int) -> bytes:
    """A PDF of *pages* copies of the fixture notice's page."""
    source = pdfium.PdfDocument(FIXTURES / "notice.pdf")
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.import_pages(source, [0])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def measure(pages: int, runs: int) -> dict[str, Any]:
    """Every figure of one bench."""
    data = build_pdf(pages)
    limits = Limits(max_pages=max(pages, 1000))
    timed = []
    chars = 0
    for _ in range(runs):
        with ExtractorPool(1) as pool:
            started = time.perf_counter()
            got = pool.extract(data, "bench.pdf", limits)
            seconds = time.perf_counter() - started
        if got.status != "read":
            raise SystemExit(f"the bench PDF was not read: {got.status} {got.reason}")
        chars = got.chars
        timed.append({"seconds": round(seconds, 3), "pages_per_second": round(pages / seconds, 1)})
    # the worker is a waited-for child: its peak resident set, in kilobytes on Linux
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    extract_bytes(data, "bench.pdf", limits)
    in_process = time.perf_counter() - started
    others = {}
    for name in OTHERS:
        blob = (FIXTURES / name).read_bytes()
        extract_bytes(blob, name)  # the reader's library imported: not what is timed
        started = time.perf_counter()
        got = extract_bytes(blob, name)
        others[name] = {"status": got.status, "bytes": len(blob),
                        "ms": round(1000 * (time.perf_counter() - started), 1)}
    return {
        "pdf_pages": pages, "pdf_bytes": len(data), "chars": chars, "runs": timed,
        "pages_per_second": max(run["pages_per_second"] for run in timed),
        "in_process_pages_per_second": round(pages / in_process, 1),
        "worker_peak_rss_mb": round(peak_kb / 1024, 1), "others": others,
    }


def render_text(figures: dict[str, Any]) -> str:
    """The figures as lines, the summary line last."""
    lines = [f"PDF: {figures['pdf_pages']} pages, {figures['pdf_bytes']} bytes"]
    for number, run in enumerate(figures["runs"], start=1):
        lines.append(f"run {number}: {run['seconds']:.3f} s, {run['pages_per_second']} pages/s "
                     "(in a worker, its start included)")
    lines.append(f"in this process, no worker: {figures['in_process_pages_per_second']} pages/s")
    for name, other in figures["others"].items():
        lines.append(f"{name}: {other['status']}, {other['bytes']} bytes, {other['ms']} ms")
    lines.append(f"pdf_pages={figures['pdf_pages']} pages_per_second="
                 f"{figures['pages_per_second']} worker_peak_rss_mb="
                 f"{figures['worker_peak_rss_mb']} chars={figures['chars']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.documents",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="pages of the PDF (300)")
    parser.add_argument("--runs", type=int, default=3, help="readings, each a fresh worker (3)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    figures = measure(args.pages, args.runs)
    print(json.dumps(figures) if args.format == "json" else render_text(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
