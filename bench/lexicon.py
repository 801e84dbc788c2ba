"""What the lexicon check costs: 20 000 entries over 100 000 pages.

``python -m bench.lexicon --pages 100000 --entries 20000 --seed 1`` writes a lexicon of
``--entries`` entries (the built-in lists, then generated ones: random wrong and right forms
of four to six common characters, one in ``--names`` of them a three-character name with
``homophones: true``) into a temporary folder, and a pack with the three ``content.*`` rules
of gov-2019 reading it beside the built-in lists. Pages are news articles in the farm's prose
(:func:`bench.words.body_paragraphs`, 12 to 40 paragraphs and a title), one in fifty
carrying a wrong form of a random entry. Then, one after the other:

1. **load**: lexicon files read and the automaton built (seconds, patterns);
2. **match**: the check's own page code (:class:`govwatch.rules.checks.lexicon.PageJudge`)
   over the page texts in memory: title and text of every page, findings made;
3. **scan** (unless ``--no-scan``): the same pages written as one complete scan of 20 sites
   into a database (:mod:`govwatch.crawler.store`, as the crawler writes them), then, in a
   fresh process, the registered ``lexicon`` check run over it through :class:`ScanView`
   (timed once its lexicons are loaded: SQL read, every page matched, findings made). Its
   peak RSS is that process's, so it is the check's own and not the pages the bench holds.

It prints one line a phase (seconds, per-page microseconds, peak RSS) and the last line::

    entries=<…> patterns=<…> pages=<…> load_s=<…> match_s=<…> match_us_per_page=<…> \
scan_s=<…> scan_us_per_page=<…> findings=<…> peak_rss_mb=<…> bench_rss_mb=<…>

It measures and never judges. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from bench.words import body_paragraphs, title_for

SITES = 20
AS_OF = date(2026, 11, 24)


def _common_characters() -> list[str]:
    """The GB 2312 level-1 characters (3 755), the alphabet of the generated entries."""
    out = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                out.append(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def generated_entries(count: int, names_every: int, rng: random.Random) -> list[dict[str, Any]]:
    """*count* lexicon entries: random forms, every *names_every*-th a name with homophones;
    categories spread over the three rules."""
    chars = _common_characters()
    categories = ("typo", "outdated_name", "place_name", "leader_name")
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    while len(out) < count:
        if names_every and len(out) % names_every == 0:
            right = "".join(rng.choices(chars, k=3))
            entry: dict[str, Any] = {"right": right, "category": "leader_name",
                                     "homophones": True}
            key = right
        else:
            wrong = "".join(rng.choices(chars, k=rng.randint(4, 6)))
            entry = {"wrong": wrong, "right": "".join(rng.choices(chars, k=len(wrong))),
                     "category": rng.choice(categories)}
            if rng.random() < 0.3:
                entry["since"] = f"{rng.randint(2015, 2024)}-01-01"
            key = wrong
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out


PACK = """\
pack: bench-lexicon
version: "1"
rules:
  - {{id: bench.serious_error, title: 严重表述错误, severity: veto, check: lexicon,
     params: {{categories: [leader_name, state_name, country_region], lists: [{lists}]}}}}
  - {{id: bench.outdated_name, title: 使用已更名的机构名称, severity: deduction, check: lexicon,
     params: {{categories: [outdated_name], lists: [{lists}]}}}}
  - {{id: bench.typo, title: 错别字, severity: deduction, check: lexicon,
     params: {{categories: [typo, place_name], lists: [{lists}]}}}}
"""


def pages(count: int, wrong_forms: list[str], rng: random.Random) -> list[tuple[str, ...]]:
    """(site, url, title, text, date) of *count* articles, one in fifty with a wrong form."""
    out = []
    for n in range(count):
        day = AS_OF - timedelta(days=rng.randint(0, 3000))
        site = f"s{n % SITES:02d}"
        title = title_for("news", rng, place="宁远县", org="县农业农村局", day=day)
        paras = body_paragraphs(rng, "宁远县", day, rng.randint(12, 40))
        if n % 50 == 7:
            paras.insert(rng.randint(0, len(paras)), f"按照{rng.choice(wrong_forms)}有关要求。")
        out.append((site, f"http://{site}.gov.cn/art/{n}.html", title, "\n".join(paras),
                    day.isoformat()))
    return out


def _rss_mb() -> float:
    """Peak RSS of this process in MB: VmHWM, which a new program starts afresh (the
    rusage figure keeps the parent's peak across fork and exec), else rusage's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_scan(db_path: Path, rows: list[tuple[str, ...]]) -> int:
    """The pages as one complete scan, written as the crawler writes them."""
    from govwatch.core.config import Site
    from govwatch.core.schema import open_db
    from govwatch.core.vocabulary import ScanStatus
    from govwatch.crawler import store

    db = open_db(db_path)
    sites = sorted({r[0] for r in rows})
    scan_id = store.start_scan(db, [Site(id=s, name=s, url=f"http://{s}.gov.cn/", unit=s)
                                    for s in sites], AS_OF.isoformat())
    for n in range(0, len(rows), 5000):
        batch = rows[n:n + 5000]
        with db.conn:
            store.write_rows(db, "pages", [
                {"scan_id": scan_id, "site_id": s, "url": u, "status": 200,
                 "content_type": "text/html", "kind": "html", "title": t, "pub_date": d,
                 "depth": 2} for s, u, t, _, d in batch])
            store.write_rows(db, "page_texts", [
                {"scan_id": scan_id, "site_id": s, "url": u, "text": x}
                for s, u, _, x, _ in batch])
    store.finalize_scan(db, scan_id, verify_links=False)
    store.mark_scan(db, scan_id, ScanStatus.COMPLETE)
    db.close()
    return scan_id


def measure(count: int, entries: int, names_every: int, seed: int, scan: bool,
            work: Path) -> dict[str, Any]:
    """Run the phases (module docstring) and return the figures."""
    from govwatch.rules.checks.lexicon import PageJudge, _Dates, _Found
    from govwatch.rules.lexicon import builtin_lexicon_paths, load_lexicon
    from govwatch.rules.packfile import load_pack

    rng = random.Random(seed)
    builtin = sum(len(load_lexicon(p).entries) for p in builtin_lexicon_paths())
    made = generated_entries(max(0, entries - builtin), names_every, rng)
    lexicon_file = work / "generated.yaml"
    lexicon_file.write_text(yaml.safe_dump({"lexicon": "generated", "entries": made},
                                           allow_unicode=True), encoding="utf-8")
    (work / "pack.yaml").write_text(PACK.format(lists="generated.yaml"), encoding="utf-8")
    wrong_forms = [e["wrong"] for e in made if "wrong" in e][:2000] or ["国家旅游局"]
    figures: dict[str, Any] = {"entries": builtin + len(made), "pages": count}

    started = time.perf_counter()
    rules = load_pack(work / "pack.yaml").rules
    runs = [(rule, frozenset(f"s{n:02d}" for n in range(SITES))) for rule in rules]
    judge = PageJudge(runs)
    figures["load_s"] = time.perf_counter() - started
    figures["patterns"] = len(judge.matcher)
    print(f"load: {figures['entries']} entries, {figures['patterns']} patterns, "
          f"{figures['load_s']:.2f} s, peak RSS {_rss_mb():.0f} MB", flush=True)

    rows = pages(count, wrong_forms, rng)
    started = time.perf_counter()
    findings = 0
    for site, url, title, text, day in rows:
        found: dict[int, _Found] = {}
        judge.find("title", site, title, day, found)
        judge.find("text", site, text, day, found)
        if found:
            findings += sum(1 for _ in judge.hits(url, found, _Dates()))
    figures["match_s"] = time.perf_counter() - started
    figures["match_us_per_page"] = figures["match_s"] / count * 1e6
    figures["match_findings"] = findings
    chars = sum(len(r[2]) + len(r[3]) for r in rows)
    print(f"match: {count} pages ({chars / count:.0f} characters a page), "
          f"{figures['match_s']:.2f} s, {figures['match_us_per_page']:.1f} µs a page, "
          f"{findings} findings, peak RSS {_rss_mb():.0f} MB", flush=True)

    if scan:
        started = time.perf_counter()
        scan_id = _write_scan(work / "scan.db", rows)
        written = time.perf_counter() - started
        figures["bench_rss_mb"] = _rss_mb()
        del rows
        # in a fresh process, so that its peak RSS is the check's, not the generated pages'
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            seconds, hits, rss = pool.apply(_check_scan, (work / "scan.db", scan_id,
                                                         work / "pack.yaml"))
        figures.update(scan_s=seconds, scan_us_per_page=seconds / count * 1e6, findings=hits,
                       peak_rss_mb=rss)
        print(f"scan: written in {written:.1f} s; check over the scan {seconds:.2f} s "
              f"(SQL read, pages matched, findings made), "
              f"{figures['scan_us_per_page']:.1f} µs a page, {hits} findings, "
              f"peak RSS of that process {rss:.0f} MB", flush=True)
    else:
        figures["peak_rss_mb"] = _rss_mb()
    return figures


def _check_scan(db: Path, scan_id: int, pack: Path) -> tuple[float, int, float]:
    """The registered lexicon check over scan *scan_id* with the rules of *pack*, in this
    process: (seconds, findings, peak RSS in MB)."""
    from govwatch.rules.checks.lexicon import PageJudge, lexicon
    from govwatch.rules.packfile import load_pack
    from govwatch.rules.scanview import ScanView

    with ScanView.open(db, scan_id) as view:
        runs = [(rule, frozenset(view.sites)) for rule in load_pack(pack).rules]
        PageJudge(runs)  # lexicons read and automaton built (cached): the load phase's cost
        started = time.perf_counter()
        hits = sum(1 for _ in lexicon(view, runs))
        seconds = time.perf_counter() - started
    return seconds, hits, _rss_mb()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--names", type=int, default=20,
                        help="one generated entry in N is a name with homophones")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-scan", action="store_true", help="skip the database phase")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govwatch-lexicon-") as work:
        figures = measure(args.pages, args.entries, args.names, args.seed, not args.no_scan,
                          Path(work))
    keys = ("entries", "patterns", "pages", "load_s", "match_s", "match_us_per_page", "scan_s",
            "scan_us_per_page", "findings", "peak_rss_mb", "bench_rss_mb")
    print(" ".join(f"{k}={figures[k]:.2f}" if isinstance(figures[k], float) else
                   f"{k}={figures[k]}" for k in keys if k in figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
