"""No open doors in the crawl process: while a scan runs, neither the crawl process nor the
writer process it starts listens on a TCP or UDP port.

Scrapy starts extensions that listen on 127.0.0.1 unless told not to (the telnet console,
the remote-control HTTP server that runs Python code sent to it); crawler/settings.py turns
them off. The fixture portal holds the crawl's request for the home page until the test has
looked: by then the engine has started (and with it every extension), and the reader runs.
Listening sockets are read from /proc (Linux): the sockets of the namespace in LISTEN state
(TCP) or unconnected (UDP, what ``ss -l`` lists), matched by inode to each process's
descriptors.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support.portals import PORTALS, scan, write_sites

from govwatch.crawler.runner import ScanOutcome
from govwatch.demo.server import PortalServer

# /proc/<pid>/net/<file> → the state (hex, 4th column) of its listening sockets
_LISTENING = {"tcp": "0A", "tcp6": "0A", "udp": "07", "udp6": "07"}
WAIT_SECONDS = 120.0  # for the crawl to reach the portal at all: a hang, not a measurement


class HeldPortal(PortalServer):
    """A portal server that keeps the crawl's request for the home page waiting until
    :attr:`release` is set; :attr:`arrived` is set when it comes."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.arrived = threading.Event()
        self.release = threading.Event()

    def _record(self, method: str, path: str) -> None:
        super()._record(method, path)
        if (method, path) == ("GET", "/"):
            self.arrived.set()
            self.release.wait(WAIT_SECONDS)


def children(pid: int) -> list[int]:
    """The processes whose parent is *pid*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # pid (comm) state ppid …: comm may hold spaces and parentheses
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def command_line(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


def listening_sockets(pid: int) -> list[str]:
    """The TCP and UDP sockets *pid* holds that listen, as ``proto local-address:port``."""
    fds = Path("/proc") / str(pid) / "fd"
    inodes = set()
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    found = []
    for proto, state in _LISTENING.items():
        table = Path("/proc") / str(pid) / "net" / proto
        if not table.exists():
            continue  # no IPv6 in this kernel
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == state and fields[9] in inodes:
                found.append(f"{proto} {fields[1]}")
    return found


@contextmanager
def running_scan(tmp_path: Path, settings: dict) -> Iterator[dict[str, list[str]]]:
    """Scan the trs portal in a thread; while the crawl waits for its home page, yield the
    listening sockets of the crawl process and of the writer process it started."""
    outcome: list[ScanOutcome] = []
    with HeldPortal(PORTALS / "trs") as portal:
        sites = write_sites(tmp_path / "sites.yaml", {"trs": portal})
        scanning = threading.Thread(
            target=lambda: outcome.append(scan(sites, tmp_path / "g.db", settings=settings)))
        scanning.start()
        try:
            assert portal.arrived.wait(WAIT_SECONDS), "the crawl never asked for the home page"
            [crawl] = [pid for pid in children(os.getpid())
                       if "govwatch.crawler.process" in command_line(pid)]
            [reader] = children(crawl)
            assert "govwatch.crawler.writer" in command_line(reader)
            yield {"crawl": listening_sockets(crawl), "reader": listening_sockets(reader)}
        finally:
            portal.release.set()
            scanning.join()
    assert outcome and outcome[0].status == "complete"


def test_the_crawl_and_its_reader_listen_on_no_port(tmp_path):
    with running_scan(tmp_path, {}) as listening:
        assert listening == {"crawl": [], "reader": []}


@pytest.mark.parametrize("extension", ["TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED"])
def test_a_listening_extension_would_be_seen(tmp_path, extension):
    # The test above would fail if one of them were switched on again.
    with running_scan(tmp_path, {extension: True}) as listening:
        assert [address.split()[0] for address in listening["crawl"]] == ["tcp"]
        assert listening["reader"] == []
