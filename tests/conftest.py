"""Shared fixtures: the fixture portals served for the whole session, and one scan of them
(helpers in support/portals.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.portals import scan, served_portals, write_sites

from govwatch.crawler.runner import ScanOutcome
from govwatch.demo.server import PortalServer


@pytest.fixture(scope="session")
def portal_servers() -> Iterator[dict[str, PortalServer]]:
    """The three fixture portals, served for the whole session."""
    with served_portals() as servers:
        yield servers


@pytest.fixture(scope="session")
def scanned(portal_servers, tmp_path_factory) -> tuple[Path, ScanOutcome]:
    """One complete scan of the three fixture portals: (database path, outcome)."""
    work = tmp_path_factory.mktemp("scan")
    outcome = scan(write_sites(work / "sites.yaml", portal_servers), work / "govwatch.db")
    return work / "govwatch.db", outcome
