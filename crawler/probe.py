"""The availability probe (可用性监测): one timed GET of each site's home page.

站点无法访问 (docs/indicators.md#availability) is judged over a week of probes, at least
20 a day: a probe fails when the home page has not opened within 15 s, and the veto falls
when failures reach 5 % of the probes. This module only measures and records; the rule
``site.availability`` (:mod:`rules.checks.availability`) judges, from the ``probes`` table.

A probe GETs the configured home page URL (redirects followed, as a browser would), reads
the body (up to ``MAX_BODY`` bytes) and succeeds when the final answer is a 2xx page and all
of it arrived within the limit. Like the crawl, it honours the ``http_proxy``/``https_proxy``
environment variables and does not verify TLS certificates (availability is measured here,
not certificate hygiene). Every probe is a :class:`~govwatch.core.vocabulary.ProbeOutcome`.

Settings (the ``schedule:`` section of govwatch.yaml, read by the scheduler and passed in):

    probe_timeout  seconds a home page has to open   default 15 (PROBE_TIMEOUT)
    probe_workers  home pages probed at once          default 16 (PROBE_WORKERS)
"""

from __future__ import annotations

import http.client
import ssl
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import HTTPSHandler, Request, build_opener
from zoneinfo import ZoneInfo

from govwatch.core.config import Site
from govwatch.core.defaults import PROBE_TIMEOUT, PROBE_WORKERS, TIMEZONE
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import ProbeOutcome
from govwatch.crawler import store
from govwatch.crawler.settings import user_agent

MAX_BODY = 2 * 1024 * 1024  # a home page larger than this has opened well enough
_CHUNK = 64 * 1024

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware (the default clock of a probe)."""
    return datetime.now(UTC)


@cache
def _opener() -> Any:
    """urllib's opener (proxies from the environment, redirects), certificates unchecked."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return build_opener(HTTPSHandler(context=context))


@dataclass(frozen=True)
class ProbeResult:
    """How one probe of one home page went."""

    site_id: str
    url: str
    probed_at: datetime  # timezone-aware: when the probe started
    outcome: ProbeOutcome
    seconds: float
    status_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the home page opened in time."""
        return self.outcome is ProbeOutcome.OK

    def row(self, timezone: tzinfo) -> dict[str, Any]:
        """The ``probes`` row; ``day`` is the local date in *timezone* (what rules count)."""
        return {
            "site_id": self.site_id, "url": self.url,
            "probed_at": self.probed_at.astimezone(UTC).replace(microsecond=0).isoformat(),
            "day": self.probed_at.astimezone(timezone).date().isoformat(),
            "outcome": str(self.outcome), "ok": int(self.ok), "seconds": round(self.seconds, 3),
            "status_code": self.status_code, "error": self.error,
        }


def _read_until(response: Any, deadline: float) -> None:
    """Read the body, at most MAX_BODY bytes; TimeoutError once *deadline* has passed."""
    received = 0
    while received < MAX_BODY:
        chunk = response.read1(_CHUNK)  # what has arrived: one socket read at most
        if time.monotonic() > deadline:
            raise TimeoutError("body not received in time")
        if not chunk:
            return
        received += len(chunk)


@cache
def _user_agent(contact: str | None) -> str:
    """The crawl's User-Agent, with the office's contact, as http.client writes headers:
    latin-1, so it gets the UTF-8 bytes (the User-Agent has Chinese in it) and they go out
    unchanged, as Scrapy sends them."""
    return user_agent(contact).encode("utf-8").decode("latin-1")


def probe_site(site: Site, timeout: float = PROBE_TIMEOUT, clock: Clock = utc_now
               ) -> ProbeResult:
    """Open *site*'s home page once, within *timeout* seconds, and say how it went."""
    probed_at, start = clock(), time.monotonic()
    outcome, status, error = ProbeOutcome.OK, None, None
    try:
        request = Request(site.url, headers={"User-Agent": _user_agent(site.crawl.contact)})
        with _opener().open(request, timeout=timeout) as response:
            status = response.status
            _read_until(response, start + timeout)
    except HTTPError as answer:  # before URLError, its base class
        outcome, status, error = ProbeOutcome.HTTP_ERROR, answer.code, f"HTTP {answer.code}"
        answer.close()
    except TimeoutError:
        outcome, error = ProbeOutcome.TIMEOUT, f"not opened within {timeout:g} s"
    except URLError as failure:
        reason = failure.reason
        if isinstance(reason, TimeoutError):
            outcome, error = ProbeOutcome.TIMEOUT, f"not opened within {timeout:g} s"
        else:
            outcome, error = ProbeOutcome.UNREACHABLE, f"{type(reason).__name__}: {reason}"
    except (OSError, http.client.HTTPException, ValueError) as failure:
        outcome, error = ProbeOutcome.UNREACHABLE, f"{type(failure).__name__}: {failure}"
    seconds = time.monotonic() - start
    if outcome is ProbeOutcome.OK and seconds > timeout:
        outcome, error = ProbeOutcome.TIMEOUT, f"not opened within {timeout:g} s"
    return ProbeResult(site.id, site.url, probed_at, outcome, seconds, status, error)


def probe_sites(
    sites: Sequence[Site], timeout: float = PROBE_TIMEOUT, workers: int = PROBE_WORKERS,
    clock: Clock = utc_now,
) -> list[ProbeResult]:
    """Probe every site's home page once, *workers* at a time; results in site order."""
    if not sites:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(sites)),
                            thread_name_prefix="probe") as pool:
        return list(pool.map(lambda site: probe_site(site, timeout, clock), sites))


def run_probes(
    sites: Sequence[Site], db_path: str | Path, *, timezone: str = TIMEZONE,
    timeout: float = PROBE_TIMEOUT, workers: int = PROBE_WORKERS, clock: Clock = utc_now,
) -> list[ProbeResult]:
    """Probe every site once and record the results in the database at *db_path*; the
    library entry point behind the scheduler's ``probe`` job."""
    results = probe_sites(sites, timeout, workers, clock)
    zone = ZoneInfo(timezone)
    db = open_db(db_path)
    try:
        store.record_probes(db, sites, [result.row(zone) for result in results])
    finally:
        db.close()
    return results
