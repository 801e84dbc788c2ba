"""A hostile page cannot stall a scan: link checks are capped per page, per host and in time.

The portal is a home page, a few news pages and, linked from one of them at the site's depth
limit, a page carrying 10 000 links to distinct URLs of the site's own host. Every one of
those targets answers 429 with a ``Retry-After`` and every tenth only after two seconds: left
alone, the scan would check them for hours. Each scan makes one cap small through the scan's
settings and leaves the others off or far above it, so each test fails when its cap does not
hold: the server sees no more target requests than the cap, the targets left unchecked are
recorded ``skipped``, reason ``budget``, none is called broken, and the scan completes with
every page crawled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from support.linklab import Behaviour, Lab, checks, html, write_sites
from support.portals import scan

from bench.proctree import descendants
from govwatch.crawler.runner import ScanOutcome

N_TARGETS = 10_000
TARGETS = "/t/"  # the hostile page's targets: /t/0.html … /t/9999.html
HOSTILE = "/links.html"
NEWS = [f"/news/{i}.html" for i in range(5)]
SLOW_EVERY, SLOW_SECONDS = 10, 2.0
# Not a performance bound: only how long a scan may run before the test calls it hung. The
# uncapped scans below would take hours.
HANG_GUARD = 120.0
# Every cap off; each scan turns one on.
UNCAPPED = {"GOVWATCH_LINKCHECK_MAX_PER_PAGE": 0, "GOVWATCH_LINKCHECK_MAX_PER_HOST": 0,
            "GOVWATCH_LINKCHECK_HOST_BUDGET": 0}
# Far above the host caps under test (40 checks, a few seconds' worth), and out of reach of
# the uncapped slow targets' hours: it only spares the engine 9000 refusals.
ROOMY_PAGE = {"GOVWATCH_LINKCHECK_MAX_PER_PAGE": 1000}


def rate_limited(retry_after: str) -> Behaviour:
    """A target answering 429 with *retry_after*, every SLOW_EVERY-th after SLOW_SECONDS."""
    def answer(h: Any, n: int) -> None:
        number = int(h.path.removeprefix(TARGETS).split(".")[0])
        if number % SLOW_EVERY == 0:
            time.sleep(SLOW_SECONDS)
        h.send(429, html("请求过于频繁"), Retry_After=retry_after)
    return answer


def hostile_portal(retry_after: str) -> Lab:
    """The portal, its hostile page made once, in memory, when the lab starts."""
    links = "".join(f'<a href="{TARGETS}{i}.html">{i}</a>' for i in range(N_TARGETS))
    pages = {
        "/": html("首页", "".join(f'<a href="{p}">新闻{i}</a>' for i, p in enumerate(NEWS))),
        **{p: html(f"新闻{i}") for i, p in enumerate(NEWS)},
        HOSTILE: html("友情链接", links),
    }
    pages[NEWS[0]] = html("新闻0", f'<a href="{HOSTILE}">友情链接</a>')
    return Lab(pages, routes={TARGETS: rate_limited(retry_after)})


def guarded_scan(sites: Path, db: Path, settings: dict[str, Any]) -> ScanOutcome:
    """Scan; fail the test, killing the crawl, when it is still running after HANG_GUARD."""
    ended: list[ScanOutcome] = []
    worker = threading.Thread(target=lambda: ended.append(scan(sites, db, settings=settings)))
    worker.start()
    worker.join(HANG_GUARD)
    if worker.is_alive():
        # Killed, not interrupted: a crawl stops cleanly only once its downloads are done,
        # and a hung one's wait behind a slowed-down host is what is wrong.
        for pid in descendants(os.getpid()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.join()
        pytest.fail(f"the scan was still running after {HANG_GUARD:g} s")
    return ended[0]


# (cap setting, its value, the Retry-After the targets send, other caps). A Retry-After of 100 s is within
# GOVWATCH_RETRY_AFTER_MAX and waited for: it holds the host's slot, so only the time budget
# can end the checks queued in it; 86400 is not waited for, each target is asked once.
CASES = {
    "page": ("GOVWATCH_LINKCHECK_MAX_PER_PAGE", 40, "86400", {}),
    "host": ("GOVWATCH_LINKCHECK_MAX_PER_HOST", 40, "86400", ROOMY_PAGE),
    "time": ("GOVWATCH_LINKCHECK_HOST_BUDGET", 2.0, "100", ROOMY_PAGE),
}


@pytest.fixture(scope="module", params=list(CASES))
def hostile_scan(request, tmp_path_factory) -> tuple[str, ScanOutcome, Lab, Path]:
    """One scan of the hostile portal with one cap on: (case, outcome, server, database)."""
    setting, value, retry_after, others = CASES[request.param]
    work = tmp_path_factory.mktemp(f"hostile-{request.param}")
    with hostile_portal(retry_after) as lab:
        sites = write_sites(work / "sites.yaml", lab, max_depth=2)
        outcome = guarded_scan(sites, work / "g.db", {**UNCAPPED, **others, setting: value})
    return request.param, outcome, lab, work / "g.db"


def target_requests(lab: Lab) -> list[str]:
    """The paths of the requests the server got for the hostile page's targets."""
    return [entry[2] for entry in lab.log if entry[2].startswith(TARGETS)]


def test_the_scan_completes_with_every_page_crawled(hostile_scan):
    _, outcome, lab, db = hostile_scan
    assert outcome.status == "complete"
    with sqlite3.connect(db) as conn:
        crawled = dict(conn.execute("select url, status from pages"))
    assert {lab.url + p: crawled.get(lab.url + p) for p in ["/", *NEWS, HOSTILE]} == {
        lab.url + p: 200 for p in ["/", *NEWS, HOSTILE]}


def test_the_server_gets_no_more_target_requests_than_the_cap(hostile_scan):
    case, _, lab, _ = hostile_scan
    asked = target_requests(lab)
    if case == "time":
        # Which requests fit in two seconds is the machine's business; that the rest were
        # never made, and the scan ended, is the budget's.
        assert 0 < len(asked) < ROOMY_PAGE["GOVWATCH_LINKCHECK_MAX_PER_PAGE"]
    else:
        assert 0 < len(asked) <= CASES[case][1]
        assert len(set(asked)) == len(asked)  # each asked once: 86400 s is not waited for


def test_targets_left_unchecked_are_skipped_for_budget_and_none_is_broken(hostile_scan):
    case, _, lab, db = hostile_scan
    found = checks(db)
    targets = [f"{lab.url}{TARGETS}{i}.html" for i in range(N_TARGETS)]
    asked = {lab.url + path for path in target_requests(lab)}
    verdicts = {t: (found[t]["result"], found[t]["error"]) for t in targets}
    unasked = {verdicts[t] for t in targets if t not in asked}
    assert unasked == {("skipped", "budget")}
    # An asked target is rate-limited; one whose retry the time budget cut was left unchecked.
    answered = {("blocked", "rate-limited")} | ({("skipped", "budget")} if case == "time" else set())
    assert {verdicts[t] for t in asked} <= answered
    assert not [t for t, (result, _) in verdicts.items() if result == "broken"]


def test_a_target_one_page_had_no_room_for_is_checked_from_another(tmp_path):
    # A page with room for two checks carries five images; the page it links to, read after
    # it, carries the last of them again.
    images = "".join(f'<img src="{TARGETS}{i}.png">' for i in range(5))
    pages = {"/": html("首页", '<a href="/a.html">甲</a>'),
             "/a.html": html("甲", images + '<a href="/b.html">乙</a>'),
             "/b.html": html("乙", f'<img src="{TARGETS}4.png">')}
    with Lab(pages, routes={TARGETS: rate_limited("86400")}) as lab:
        sites = write_sites(tmp_path / "sites.yaml", lab)
        outcome = guarded_scan(sites, tmp_path / "g.db",
                               {**UNCAPPED, "GOVWATCH_LINKCHECK_MAX_PER_PAGE": 2})
    assert outcome.status == "complete"
    found = checks(tmp_path / "g.db")
    verdicts = {i: (found[f"{lab.url}{TARGETS}{i}.png"]["result"],
                    found[f"{lab.url}{TARGETS}{i}.png"]["error"]) for i in range(5)}
    assert verdicts == {0: ("blocked", "rate-limited"), 1: ("blocked", "rate-limited"),
                        2: ("skipped", "budget"), 3: ("skipped", "budget"),
                        4: ("blocked", "rate-limited")}
    assert sorted(target_requests(lab)) == [f"{TARGETS}{i}.png" for i in (0, 1, 4)]
