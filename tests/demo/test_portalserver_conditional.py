"""PortalServer answers conditional requests as nginx does, for the crawler's incremental re-scan."""

from __future__ import annotations

import http.client
import os
from collections.abc import Iterator
from email.message import Message
from email.utils import formatdate
from pathlib import Path

import pytest
import yaml

from govwatch.demo.server import PortalServer

MTIME = 1_790_000_000  # 2026-09-21, fixed so validators are predictable
INDEX = "<html><body>首页</body></html>".encode("gbk")


def fetch(
    server: PortalServer, path: str, method: str = "GET", **headers: str
) -> tuple[int, Message, bytes]:
    """(status, headers, body) of one request to the server, header names given with _ for -."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        resp = conn.getresponse()
        return resp.status, resp.msg, resp.read()
    finally:
        conn.close()


def etag(mtime: int, size: int) -> str:
    """nginx's ETag for a static file."""
    return f'"{mtime:x}-{size:x}"'


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[PortalServer]:
    """A tiny portal: index, a column index, a soft-404 fallback, a trap and a forced status."""
    root = tmp_path / "site"
    (root / "tzgg").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "tzgg" / "index.html").write_bytes(b"<html>tzgg</html>")
    (root / "_portal.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "tmp",
                "name": "tmp",
                "charset": "gbk",
                "headers": {"/tzgg/index.html": {"Content-Type": "text/html; charset=utf-8"}},
                "trap": "/calendar/",
                "status": {"/tzgg/old.html": 500},
                "fallback": {"/tzgg/": "/tzgg/index.html"},
            }
        ),
        encoding="utf-8",
    )
    for path in (root / "index.html", root / "tzgg" / "index.html"):
        os.utime(path, (MTIME, MTIME))
    with PortalServer(root) as served:
        yield served


def test_validators_on_served_files(server: PortalServer) -> None:
    for path in ("/", "/index.html"):
        status, headers, body = fetch(server, path)
        assert status == 200 and body == INDEX
        assert headers["ETag"] == etag(MTIME, len(INDEX))
        assert headers["Last-Modified"] == formatdate(MTIME, usegmt=True)
    # an override of Content-Type changes nothing in the body, so the size is the file's
    tzgg = etag(MTIME, len(b"<html>tzgg</html>"))
    for path in ("/tzgg/", "/tzgg/index.html", "/tzgg/missing.html"):  # index, override, fallback
        status, headers, _ = fetch(server, path)
        assert (status, headers["ETag"]) == (200, tzgg), path


def test_if_none_match(server: PortalServer) -> None:
    tag = etag(MTIME, len(INDEX))
    status, headers, body = fetch(server, "/index.html", If_None_Match=tag)
    assert (status, body) == (304, b"")
    assert headers["ETag"] == tag
    assert headers["Last-Modified"] == formatdate(MTIME, usegmt=True)
    assert headers["Content-Type"] is None
    for value in (f'"x", W/{tag}', "*", f'"a-1",{tag}'):  # lists, weak tags and any-tag
        assert fetch(server, "/", If_None_Match=value)[0] == 304, value
    status, _, body = fetch(server, "/index.html", If_None_Match=etag(MTIME, len(INDEX) + 1))
    assert (status, body) == (200, INDEX)


def test_if_none_match_decides_over_if_modified_since(server: PortalServer) -> None:
    status, _, _ = fetch(
        server,
        "/index.html",
        If_None_Match='"0-0"',
        If_Modified_Since=formatdate(MTIME + 60, usegmt=True),
    )
    assert status == 200


def test_if_modified_since(server: PortalServer) -> None:
    for when in (MTIME, MTIME + 3600):
        status, headers, body = fetch(
            server, "/index.html", If_Modified_Since=formatdate(when, usegmt=True)
        )
        assert (status, body) == (304, b""), when
        assert headers["ETag"] == etag(MTIME, len(INDEX))
    status, _, body = fetch(
        server, "/index.html", If_Modified_Since=formatdate(MTIME - 1, usegmt=True)
    )
    assert (status, body) == (200, INDEX)
    for junk in ("yesterday", ""):  # unparseable: ignored
        assert fetch(server, "/index.html", If_Modified_Since=junk)[0] == 200


def test_head_and_post(server: PortalServer) -> None:
    tag = etag(MTIME, len(INDEX))
    status, headers, body = fetch(server, "/index.html", method="HEAD", If_None_Match=tag)
    assert (status, body, headers["ETag"]) == (304, b"", tag)
    since = formatdate(MTIME, usegmt=True)
    assert fetch(server, "/", method="HEAD", If_Modified_Since=since)[0] == 304
    # only GET and HEAD are conditional
    assert fetch(server, "/index.html", method="POST", If_None_Match=tag)[0] == 200


def test_no_validators_on_generated_pages(server: PortalServer) -> None:
    for path, code in (
        ("/calendar/2026-12/", 200),  # trap
        ("/nope.html", 404),
        ("/_portal.yaml", 404),
        ("/tzgg/old.html", 500),  # forced status
        ("/tzgg", 301),
    ):
        status, headers, _ = fetch(server, path, If_None_Match="*")
        assert status == code, path
        assert headers["ETag"] is None and headers["Last-Modified"] is None, path


def test_changed_file_gets_a_new_etag(server: PortalServer) -> None:
    old = etag(MTIME, len(INDEX))
    assert fetch(server, "/index.html", If_None_Match=old)[0] == 304
    changed = b"<html>changed</html>"
    (server.root / "index.html").write_bytes(changed)
    os.utime(server.root / "index.html", (MTIME + 90, MTIME + 90))
    status, headers, body = fetch(server, "/index.html", If_None_Match=old)
    assert (status, body) == (200, changed)
    assert headers["ETag"] == etag(MTIME + 90, len(changed))
    since = formatdate(MTIME, usegmt=True)
    assert fetch(server, "/index.html", If_Modified_Since=since)[0] == 200


def test_not_modified_answers_are_recorded(server: PortalServer) -> None:
    fetch(server, "/index.html", If_None_Match="*")
    fetch(server, "/", method="HEAD", If_None_Match="*")
    assert server.requests == [("GET", "/index.html"), ("HEAD", "/")]
