"""Fixture portals served on 127.0.0.1, sites files for them and scans of them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import yaml

from govwatch.core.config import load_config
from govwatch.crawler.runner import ScanOutcome, run_scan
from govwatch.demo.server import PortalServer

PORTALS = Path(__file__).parent.parent / "portals"
SCAN_DATE = date(2026, 11, 24)
# Loopback fixtures need no politeness delay; everything else stays as shipped.
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
# The same, as a sites file's crawl: section, for scans run through the command line.
FAST_CRAWL = {"crawl": {"delay": 0, "autothrottle": False, "per_host": 8}}
# The portals link to real national services (beian.miit.gov.cn, conac…): tests check only
# links on 127.0.0.1, so no request (nor DNS lookup) leaves the machine.
LOOPBACK_LINKS = {"link_exclude": [r"^https?://(?!127\.0\.0\.1[:/])"]}


def expected(portal: str) -> dict:
    """The ground truth written beside a fixture portal."""
    return yaml.safe_load((PORTALS / portal / "expected.yaml").read_text(encoding="utf-8"))


def write_sites(path: Path, servers: dict[str, PortalServer], *, fast: bool = False,
                **per_site: dict) -> Path:
    """A sites file for the served portals (site id = the portal's folder name); *fast*:
    with a crawl: section without politeness delay (:data:`FAST_CRAWL`), for a scan run
    through the command line, where the settings of :func:`scan` cannot be passed."""
    sites = []
    for name, server in servers.items():
        sites.append(
            {
                "id": name,
                "name": server.meta.get("name", name),
                "url": server.url,
                **LOOPBACK_LINKS,
                **(FAST_CRAWL if fast else {}),
                **per_site.get(name, {}),
            }
        )
    path.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    return path


def scan(sites_file: Path, db_path: Path, **kwargs) -> ScanOutcome:
    """Run a quiet, fast scan of every site in *sites_file*."""
    config = load_config(sites_file)
    settings = {**FAST, **kwargs.pop("settings", {})}
    return run_scan(
        config.sites, db_path, as_of=SCAN_DATE, progress_interval=0, settings=settings, **kwargs
    )


def copy_db(source: Path, target: Path) -> Path:
    """A copy of the database at *source* (WAL included), so each test re-scans its own."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@contextmanager
def served_portals() -> Iterator[dict[str, PortalServer]]:
    """The three fixture portals (trs, hanweb, gbk), each on its own server while the block
    runs."""
    with (
        PortalServer(PORTALS / "trs") as trs,
        PortalServer(PORTALS / "hanweb") as hanweb,
        PortalServer(PORTALS / "gbk") as gbk,
    ):
        yield {"trs": trs, "hanweb": hanweb, "gbk": gbk}
