"""Benchmark a full govwatch scan against a bare Scrapy crawl of the same synthetic farm.

``python -m bench.run --sites 4 --pages 2000 --seed 1`` generates a farm (:mod:`bench.farm`)
into a temporary folder (``--keep DIR`` keeps it, and reuses a farm of the same size and seed
found there), serves it on 127.0.0.1 (:mod:`bench.serve`: nginx, installed with apt-get when
missing, or Python's PortalServer when nginx cannot be had — the output says which and why),
and runs against it, one after the other:

(a) the bare Scrapy crawl of :mod:`bench.bare`, which only follows same-site links: the
    ceiling for a Scrapy-based design;
(b) the full scan, :func:`govwatch.workflow.scan_evaluate_track`: crawl with link checks,
    rule evaluation, issue tracking. Link targets beyond 127.0.0.1 are excluded from checks,
    so nothing leaves the machine.

Each runs in its own child process (the crawl of (b) in a grandchild, as ``govwatch scan``
does); both get the same per-host politeness (printed) and nothing else: (b) from the
``crawl:`` section of its sites file (:func:`crawl_section`), as an office would set it, and
(a) as the Scrapy settings that section stands for (:func:`politeness`). For each the
benchmark measures the pages, the wall seconds from starting the child to its exit, the
pages a second, and the peak resident memory of the child's whole process tree (sampled
from ``/proc`` every 0.2 s; the servers are not in it); for (b) also the seconds of its
parts: the crawl (``run_scan``), rule evaluation (``evaluate_scan``) and tracking
(``track_scan``). It prints a table, then the last line::

    ratio=<(b) pages/s ÷ (a) pages/s> rss_mb=<peak RSS of (b)> pages=<pages of (b)>

``--format json`` prints the figures as one JSON object instead. ``--rescan`` adds (c): the
full scan again, into the same database, of the unchanged farm, and how many times faster
it was than (b). ``--profile FILE`` records
(b)'s crawl process with py-spy (raw collapsed stacks in FILE; py-spy must be installed) and
prints its top costs; profiling slows the crawl, so the figures of such a run are not the
benchmark's. ``--timeout S`` stops a run that takes longer than S seconds. Exit status 0
when both runs finished, 1 otherwise. Run it from the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.farm import generate_farm
from bench.model import SCAN_DATE
from bench.proctree import PeakSampler, descendants
from bench.serve import LOOPBACK_CRAWL, LOOPBACK_ONLY, SERVER_MODES, scan_sites, serve_farm

__all__ = ["Run", "crawl_section", "main", "measure", "politeness", "profile_summary",
           "render_text"]

ROOT = Path(__file__).resolve().parents[1]  # the checkout: children import bench/ from it
SAMPLE_SECONDS = 0.2
GRACE_SECONDS = 60.0  # after a timeout, for a scan to stop cleanly before it is killed
PROJECT_DIRS = ("crawler/", "govwatch/", "rules/", "reports/", "bench/")


def crawl_section(per_host: int = 8) -> dict[str, Any]:
    """The ``crawl:`` section of (b)'s sites file: at most *per_host* requests in flight to
    one host, no delay, no AutoThrottle (the loopback server is ours)."""
    return {**LOOPBACK_CRAWL, "per_host": per_host}


def politeness(per_host: int = 8, total: int = 32) -> dict[str, Any]:
    """The per-host politeness both runs are given, and nothing else besides, as (a)'s Scrapy
    settings: what (b)'s ``crawl:`` section (:func:`crawl_section`) stands for, robots.txt
    obeyed, govwatch's User-Agent, and *total* requests in flight, govwatch's own default."""
    from govwatch.crawler.settings import crawl_settings

    return {"CONCURRENT_REQUESTS": total, **crawl_settings(crawl_section(per_host)),
            "ROBOTSTXT_OBEY": True}


def engine_tuning() -> dict[str, Any]:
    """Scrapy's own knobs that govwatch sets for speed, not politeness (crawler/settings.py):
    the bare crawl gets them too, so the ceiling is the best Scrapy does, not its defaults."""
    from govwatch.crawler.settings import DEFAULTS

    return {name: DEFAULTS[name] for name in ("CONCURRENT_ITEMS", "SCRAPER_SLOT_MAX_ACTIVE_SIZE")}


@dataclass
class Run:
    """The figures of one run, (a) or (b)."""

    name: str
    pages: int = 0
    wall_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    status: str = "?"
    parts: dict[str, float | None] = field(default_factory=dict)  # seconds of each part
    details: dict[str, Any] = field(default_factory=dict)
    # CPU seconds (user + system) of the child and every process it waited for: the crawl,
    # the writer, the document workers. On a shared machine, less noisy than wall seconds.
    cpu_seconds: float = 0.0

    @property
    def pages_per_cpu_second(self) -> float:
        """Pages over CPU seconds."""
        return self.pages / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def pages_per_second(self) -> float:
        """Pages over wall seconds."""
        return self.pages / self.wall_seconds if self.wall_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain data, pages a second included."""
        return {**asdict(self), "pages_per_second": round(self.pages_per_second, 2),
                "pages_per_cpu_second": round(self.pages_per_cpu_second, 2)}


# -- running a child and watching it -------------------------------------------------------


class _Profiler:
    """Start py-spy on the crawl process (a descendant whose command line runs *module*) as
    soon as it appears; collapsed stacks go to *out*."""

    def __init__(self, out: Path, module: str = "govwatch.crawler.process",
                 rate: int = 100) -> None:
        self.out, self.module, self.rate = out, module, rate
        self.spy: subprocess.Popen | None = None
        self.target: int | None = None

    def __call__(self, pids: set[int]) -> None:
        if self.spy is not None:
            return
        for pid in sorted(pids):
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if self.module.encode() in argv:
                self.target = pid
                self.spy = subprocess.Popen(
                    ["py-spy", "record", "-p", str(pid), "-r", str(self.rate), "-f", "raw",
                     "-o", str(self.out)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
                return

    def finish(self) -> None:
        """Wait for py-spy to write its file (it stops when its target exits)."""
        if self.spy is not None:
            try:
                self.spy.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.spy.send_signal(signal.SIGINT)
                self.spy.wait(timeout=30)


def _stop_tree(child: subprocess.Popen) -> None:
    """Stop *child* after a timeout: SIGTERM (a scan stops its crawl cleanly), then after a
    grace period SIGKILL to it and to whatever it started."""
    family = descendants(child.pid)
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        for pid in (*descendants(child.pid), *family, child.pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        child.wait()


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_child(argv: list[str], timeout: float | None,
               profiler: _Profiler | None = None
               ) -> tuple[int, float, PeakSampler, bool, float]:
    """Run a child Python process from the checkout; (exit status, wall seconds, RSS sampler,
    whether it timed out, CPU seconds of it and the processes it waited for)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    started, cpu = time.monotonic(), _cpu_of_children()
    child = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env,
                             stdin=subprocess.DEVNULL)
    timed_out = False
    with PeakSampler(child.pid, SAMPLE_SECONDS, on_sample=profiler) as sampler:
        try:
            code = child.wait(timeout=timeout or None)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop_tree(child)
            code = child.returncode
        except KeyboardInterrupt:
            _stop_tree(child)
            raise
        wall = time.monotonic() - started
    return code, wall, sampler, timed_out, round(_cpu_of_children() - cpu, 2)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_bare(urls: list[str], settings: dict[str, Any], work: Path,
             timeout: float | None) -> Run:
    """(a): the bare Scrapy crawl of :mod:`bench.bare`, in a child process."""
    out = work / "bare.json"
    out.unlink(missing_ok=True)
    job = {"start_urls": urls, "settings": settings, "out": str(out)}
    code, wall, sampler, timed_out, cpu = _run_child(["-m", "bench.bare", json.dumps(job)],
                                                     timeout)
    figures = _read_json(out)
    status = "timeout" if timed_out else ("finished" if code == 0 else f"failed ({code})")
    return Run("(a) bare Scrapy", figures.get("pages", 0), round(wall, 2),
               round(sampler.tree / 2**20, 1), status, {"crawl": figures.get("seconds")},
               {k: v for k, v in figures.items() if k not in ("pages", "seconds")}, cpu)


def run_govwatch(sites_file: Path, db: Path, settings: dict[str, Any], work: Path,
                 timeout: float | None, profile: Path | None = None, *,
                 name: str = "(b) govwatch scan", fresh: bool = True) -> Run:
    """(b): the full scan (:func:`scan_child`), in a child process; py-spy on its crawl when
    *profile* is given. *fresh* starts from an empty database; otherwise the scan is a
    re-scan over the scans already in it."""
    if fresh:
        for stale in db.parent.glob(db.name + "*"):  # a kept folder: start from an empty store
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    out = work / "govwatch.json"
    out.unlink(missing_ok=True)
    job = {"sites_file": str(sites_file), "db": str(db), "as_of": SCAN_DATE.isoformat(),
           "settings": settings, "out": str(out)}
    profiler = _Profiler(profile) if profile else None
    code, wall, sampler, timed_out, cpu = _run_child(
        ["-m", "bench.run", "--scan-job", json.dumps(job)], timeout, profiler)
    if profiler:
        profiler.finish()
    figures = _read_json(out)
    status = "timeout" if timed_out else figures.get("status", f"failed ({code})")
    parts = figures.pop("parts", {})
    details = {k: v for k, v in figures.items() if k not in ("pages", "status")}
    if profiler:
        details["profiled_pid"] = profiler.target
    return Run(name, figures.get("pages", 0), round(wall, 2),
               round(sampler.tree / 2**20, 1), status, parts, details, cpu)


# -- the scan child ------------------------------------------------------------------------


@contextmanager
def _timed(module: Any, name: str, parts: dict[str, float | None], part: str) -> Iterator[None]:
    """Time every call of ``module.name`` (looked up at call time by the workflow) into
    ``parts[part]``; it stays None when the workflow never calls it."""
    original = getattr(module, name)
    parts.setdefault(part, None)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return original(*args, **kwargs)
        finally:
            parts[part] = (parts[part] or 0.0) + time.monotonic() - started

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def scan_child(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run :func:`govwatch.workflow.scan_evaluate_track` for *job* (sites file, database,
    scan date, settings), timing its parts; return the figures (also written to
    ``job["out"]``)."""
    import sqlite3

    import govwatch.crawler.runner
    import govwatch.reports.tracker
    import govwatch.rules.engine
    from govwatch.core.config import load_config
    from govwatch.workflow import scan_evaluate_track

    parts: dict[str, float | None] = {}
    sites = load_config(job["sites_file"]).sites
    with ExitStack() as stack:
        stack.enter_context(_timed(govwatch.crawler.runner, "run_scan", parts, "crawl"))
        stack.enter_context(_timed(govwatch.rules.engine, "evaluate_scan", parts, "rules"))
        stack.enter_context(_timed(govwatch.reports.tracker, "track_scan", parts, "tracking"))
        run = scan_evaluate_track(sites, job["db"], as_of=date.fromisoformat(job["as_of"]),
                                  progress_interval=0, settings=job["settings"])
    figures: dict[str, Any] = {
        "status": str(run.outcome.status), "pages": run.outcome.pages,
        "scan_id": run.outcome.scan_id,
        "parts": {k: None if v is None else round(v, 2) for k, v in parts.items()},
        "findings": (run.evaluation or {}).get("findings"),
        "issues_found": getattr(run.tracking, "found", None),
    }
    with sqlite3.connect(job["db"]) as conn:
        scan = [run.outcome.scan_id]
        for table in ("links", "link_checks", "items", "columns"):
            figures[table] = conn.execute(
                f"select count(*) from {table} where scan_id = ?", scan).fetchone()[0]
        # attachments: those the scan saw, those it read itself (not reused unchanged), and
        # how they ended (read, corrupt…)
        seen, extracted = conn.execute(
            "select count(*), coalesce(sum(extracted), 0) from scan_documents "
            "where scan_id = ?", scan).fetchone()
        figures["documents"] = {"seen": seen, "extracted": extracted, "by_status": dict(
            conn.execute("select status, count(*) from scan_documents where scan_id = ? "
                         "group by status order by status", scan).fetchall())}
    conn.close()
    Path(job["out"]).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return figures


# -- profile -------------------------------------------------------------------------------


def _frame_name(frame: str) -> tuple[str, str]:
    """``func (path/file.py:12)`` → (``func (file path)``, file path), paths shortened to
    the package (``scrapy/core/engine.py``, ``crawler/spider.py``)."""
    func, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker.startswith("/lib"):
                path = "stdlib/" + path.split("/", 1)[-1]
            break
    else:
        path = path.removeprefix(str(ROOT) + "/")
    return f"{func} ({path})", path


def profile_summary(raw: str, top: int = 15, entry: str = "crawler/process.py"
                    ) -> dict[str, Any]:
    """Summarise py-spy's raw (collapsed) stacks of a crawl process: the samples, and the top
    shares (per cent of the samples) of

    - ``own``: the function running (the innermost frame), and ``own_by_file`` its file;
    - ``by_caller``: the innermost frame of project code (``crawler/``, ``govwatch/``…), with
      the library calls it made; a sample with no project frame but *entry* goes to the
      innermost Scrapy frame, marked ``scrapy:`` (the framework's own work);
    - ``inclusive_project``: project functions, including everything they call (a spider
      middleware includes the spider callbacks whose output it iterates).
    """
    own: Counter[str] = Counter()
    by_file: Counter[str] = Counter()
    by_caller: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_frame_name(f) for f in stack.split(";") if " (" in f]
        if not frames:
            continue
        own[frames[-1][0]] += count
        by_file[frames[-1][1]] += count
        project = [name for name, path in frames
                   if path.startswith(PROJECT_DIRS) and path != entry]
        scrapy = [name for name, path in frames if path.startswith("scrapy/")]
        if project:
            by_caller[project[-1]] += count
        else:
            by_caller["scrapy: " + scrapy[-1] if scrapy else frames[-1][0]] += count
        for name in set(project):
            inclusive[name] += count

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(top)]

    return {"samples": total, "own": share(own), "own_by_file": share(by_file),
            "by_caller": share(by_caller), "inclusive_project": share(inclusive)}


# -- the benchmark -------------------------------------------------------------------------


def _farm(work: Path, sites: int, pages: int, seed: int) -> tuple[Path, dict[str, Any], str]:
    """The farm in *work*: reused when one of the same size and seed is there."""
    farm = work / "farm"
    truth_file = farm / "truth.json"
    if truth_file.is_file():
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if (truth.get("sites_requested"), truth.get("pages_per_site"),
                truth.get("seed")) == (sites, pages, seed):
            return farm, truth, "reused"
        raise FileExistsError(f"{farm} holds another farm (sites={truth.get('sites_requested')}"
                              f" pages={truth.get('pages_per_site')} seed={truth.get('seed')})")
    started = time.monotonic()
    truth = generate_farm(farm, sites, pages, seed)
    return farm, truth, f"generated in {time.monotonic() - started:.1f} s"


def measure(sites: int, pages: int, seed: int, *, server: str = "auto",
            keep: Path | None = None, per_host: int = 8, timeout: float | None = None,
            profile: Path | None = None, rescan: bool = False,
            log: Any = sys.stderr) -> dict[str, Any]:
    """Generate (or reuse), serve and crawl the farm both ways (and, with *rescan*, scan it
    again into the same database); return the figures."""
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="govwatch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()
    try:
        print(f"bench: farm of {sites} sites × {pages} pages, seed {seed}, in {work}",
              file=log, flush=True)
        farm, truth, how = _farm(work, sites, pages, seed)
        polite, section = politeness(per_host), crawl_section(per_host)
        with serve_farm(truth, farm, work, server) as served:
            print(f"bench: served by {served.description}", file=log, flush=True)
            urls = [served.urls[site["id"]] for site in truth["sites"]]
            print("bench: (a) bare Scrapy crawl", file=log, flush=True)
            bare = run_bare(urls, {**polite, **engine_tuning()}, work, timeout)
            sites_file = work / "sites.yaml"
            scan_sites(truth, served.urls, sites_file, section)  # (b)'s politeness
            print("bench: (b) govwatch scan", file=log, flush=True)
            full = run_govwatch(sites_file, work / "scan.db", dict(LOOPBACK_ONLY),
                                work, timeout, profile)
            again = None
            if rescan:
                print("bench: (c) govwatch re-scan of the unchanged farm", file=log, flush=True)
                again = run_govwatch(sites_file, work / "scan.db", dict(LOOPBACK_ONLY),
                                     work, timeout, name="(c) govwatch re-scan", fresh=False)
        ratio = full.pages_per_second / bare.pages_per_second if bare.pages_per_second else 0.0
        figures: dict[str, Any] = {
            "farm": {"sites": len(truth["sites"]), "pages_per_site": pages, "seed": seed,
                     "files": sum(s["files"] for s in truth["sites"]),
                     "html_pages": sum(s["html_pages"] for s in truth["sites"]),
                     "folder": str(farm), "how": how},
            "server": {"kind": served.server, "description": served.description,
                       "fallback": served.fallback},
            "politeness": polite,
            "crawl": section,
            "engine": engine_tuning(),
            "linkcheck": dict(LOOPBACK_ONLY),
            "runs": {"bare": bare.as_dict(), "govwatch": full.as_dict()},
            "ratio": round(ratio, 3), "rss_mb": full.peak_rss_mb, "pages": full.pages,
            "cpu_ratio": round(full.pages_per_cpu_second / bare.pages_per_cpu_second, 3)
            if bare.pages_per_cpu_second else 0.0,
            "cpus": os.cpu_count(),
        }
        if again is not None:
            figures["runs"]["rescan"] = again.as_dict()
            figures["rescan_speedup"] = round(
                full.wall_seconds / again.wall_seconds if again.wall_seconds else 0.0, 2)
        if profile and profile.is_file():
            figures["profile"] = {"file": str(profile),
                                  **profile_summary(profile.read_text(errors="replace"))}
        return figures
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render_text(figures: Mapping[str, Any]) -> str:
    """The report a person reads; its last line is ``ratio=… rss_mb=… pages=…``."""
    farm, runs = figures["farm"], figures["runs"]
    polite = " ".join(f"{k}={v}" for k, v in figures["politeness"].items())
    lines = [
        f"farm: {farm['sites']} sites × {farm['pages_per_site']} pages, seed {farm['seed']}: "
        f"{farm['files']} files ({farm['html_pages']} HTML), {farm['how']}",
        f"server: {figures['server']['description']}",
        f"politeness, the same for (a) and (b): {polite}",
        "  ((b) has it from its sites file: crawl: "
        + ", ".join(f"{k}: {v}" for k, v in figures["crawl"].items()) + ")",
        "engine tuning govwatch sets, given to (a) too: "
        + " ".join(f"{k}={v}" for k, v in figures["engine"].items()),
        "  (Scrapy keys a download slot by host name, not port: the sites all share 127.0.0.1,"
        " so the per-host limit holds for the farm as a whole)",
        f"(b) link checks: targets beyond 127.0.0.1 excluded "
        f"(GOVWATCH_LINKCHECK_EXCLUDE={figures['linkcheck']['GOVWATCH_LINKCHECK_EXCLUDE']})",
        "peak RSS: the run's whole process tree (the servers are not in it); "
        f"{figures['cpus']} CPUs",
        "",
        f"{'run':<21} {'status':<9} {'pages':>7} {'wall s':>8} {'pages/s':>8} "
        f"{'peak RSS MB':>11} {'crawl s':>8} {'rules s':>8} {'track s':>8} {'CPU s':>7}",
    ]
    for run in (runs["bare"], runs["govwatch"], *([runs["rescan"]] if "rescan" in runs else [])):
        parts = run["parts"]
        lines.append(
            f"{run['name']:<21} {run['status']:<9} {run['pages']:>7} "
            f"{run['wall_seconds']:>8.1f} {run['pages_per_second']:>8.1f} "
            f"{run['peak_rss_mb']:>11.1f} {_seconds(parts.get('crawl')):>8} "
            f"{_seconds(parts.get('rules')):>8} {_seconds(parts.get('tracking')):>8} "
            f"{_seconds(run.get('cpu_seconds')):>7}")
    full = runs["govwatch"]["details"]
    lines.append(f"(b) recorded {full.get('links', '?')} links, "
                 f"{full.get('link_checks', '?')} link checks, {full.get('columns', '?')} "
                 f"columns, {full.get('findings', '?')} findings; "
                 f"(a) made {runs['bare']['details'].get('requests', '?')} requests")
    for key in ("govwatch", "rescan"):
        documents = runs.get(key, {}).get("details", {}).get("documents")
        if documents:
            statuses = ", ".join(f"{n} {s}" for s, n in documents["by_status"].items())
            lines.append(f"{runs[key]['name'][:3]} attachments: {documents['seen']} seen "
                         f"({statuses}), {documents['extracted']} extracted by this scan")
    if figures.get("cpu_ratio"):
        lines.append(f"pages per CPU second, (b) ÷ (a): {figures['cpu_ratio']:.3f} (CPU of the "
                     "runs' process trees, servers apart: less sensitive to a loaded machine)")
    if "rescan_speedup" in figures:
        lines.append(f"(c) re-scan of the unchanged farm: {figures['rescan_speedup']:.2f}× "
                     "faster than the first scan (wall seconds)")
    profile = figures.get("profile")
    if profile:
        lines += ["", f"profile of (b)'s crawl process: {profile['samples']} samples in "
                      f"{profile['file']} (py-spy raw); a profiled run is slower"]
        for title, key in (
                ("own time", "own"), ("own time by file", "own_by_file"),
                ("by innermost project frame (else Scrapy frame)", "by_caller"),
                ("project functions including callees", "inclusive_project")):
            lines.append(f"  top {title}:")
            lines += [f"    {pct:5.1f}%  {name}" for name, pct in profile[key]]
    lines += ["", f"ratio={figures['ratio']:.3f} rss_mb={figures['rss_mb']:.1f} "
                  f"pages={figures['pages']}"]
    return "\n".join(lines)


def _terminated(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (and, with ``--scan-job JSON``, the scan's child process)."""
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--scan-job"]:
        figures = scan_child(json.loads(args_in[1]))
        return 0 if figures["status"] == "complete" else 1
    parser = argparse.ArgumentParser(prog="python -m bench.run",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--pages", type=int, default=2000, help="files per site, about")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", choices=SERVER_MODES, default="auto",
                        help="what serves the farm (default auto: nginx, else python)")
    parser.add_argument("--keep", type=Path,
                        help="work in this folder and keep it (a farm there is reused)")
    parser.add_argument("--per-host", type=int, default=8,
                        help="CONCURRENT_REQUESTS_PER_DOMAIN of both runs (default 8)")
    parser.add_argument("--timeout", type=float, help="seconds allowed to each run")
    parser.add_argument("--profile", type=Path,
                        help="record (b)'s crawl with py-spy into this file (raw stacks)")
    parser.add_argument("--rescan", action="store_true",
                        help="(c): scan the unchanged farm again into the same database")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(args_in)
    if args.sites < 1 or args.pages < 1 or args.per_host < 1:
        parser.error("--sites, --pages and --per-host must be positive")
    if args.profile and not shutil.which("py-spy"):
        parser.error("--profile needs py-spy (pip install py-spy)")
    signal.signal(signal.SIGTERM, _terminated)  # stop the children and nginx on the way out
    try:
        figures = measure(args.sites, args.pages, args.seed, server=args.server,
                          keep=args.keep, per_host=args.per_host, timeout=args.timeout,
                          profile=args.profile.resolve() if args.profile else None,
                          rescan=args.rescan)
    except (FileExistsError, RuntimeError) as err:
        print(f"bench.run: {err}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    else:
        print(render_text(figures))
    runs = figures["runs"]
    ended = (runs["bare"]["status"], runs["govwatch"]["status"],
             runs.get("rescan", {"status": "complete"})["status"])
    return 0 if ended == ("finished", "complete", "complete") else 1


if __name__ == "__main__":
    sys.exit(main())
