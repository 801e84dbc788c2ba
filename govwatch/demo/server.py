"""Serve a static fixture portal on 127.0.0.1, the way a government CMS's web server would.

Used by the tests (fixture portals under ``tests/portals/``) and by ``govwatch demo``
(portals under ``govwatch/demo/portals/``). A portal is a folder of static files plus an
optional ``_portal.yaml`` that describes the site and the server's quirks::

    id: ts-jtj                 # site id for configs
    name: 天水市交通运输局       # site name
    unit: 天水市交通运输局办公室  # who must claim and fix
    charset: gbk               # charset parameter added to text/html (omit: none is sent)
    server: nginx              # Server header (default nginx)
    headers:                   # per-path header overrides; keys may be fnmatch patterns
      /tzgg/index.html: {Content-Type: "text/html; charset=utf-8"}
      /202610/*: {Content-Type: text/html}
    trap: /calendar/           # endless calendar: /calendar/2026-12/ links to 2027-01 and 2026-11
    trap_month: 2026-11        # month shown at the trap prefix itself (default 2026-11)
    status:                    # per-path forced status codes (a broken link target)
      /old/page.html: 500
    fallback:                  # soft-404 rewrite: a missing path under the prefix serves the file
      /wzdt/: /wzdt/index.shtml
    dataproxy:                 # Hanweb's list proxy: path → folder of <columnid>.xml record lists
      /module/web/jpage/dataproxy.jsp: _dataproxy

Request handling, in order: path parameters (``;jsessionid=…``) are dropped from every
segment and the query string is ignored; a ``status`` entry answers with that code; a
``dataproxy`` path answers as Hanweb's ``dataproxy.jsp`` does (below); a ``trap`` prefix
answers with a generated calendar page; an existing file (``/`` and ``/dir/``
give the folder's ``index.html``, ``index.shtml`` or ``index.htm``; ``/dir`` redirects to
``/dir/``) is served; a ``fallback`` prefix serves its file; anything else is 404.
``_portal.yaml`` and ``expected.yaml`` (the tests' ground truth) in the portal root are never
served. GET, HEAD (headers only) and POST (body read and ignored) are answered; nothing is
logged to stderr. Served files carry nginx's validators (``Last-Modified`` and ``ETag:
"<hex mtime>-<hex size>"``); a GET or HEAD whose ``If-None-Match`` matches, or failing that
whose ``If-Modified-Since`` is not older than the file, gets ``304 Not Modified`` with no body.
Run ``python -m govwatch.demo.server PORTAL_DIR [--port N]`` to browse one.

A ``dataproxy`` path reads its parameters from the query and the form body (GET or POST),
as the servlet does: ``columnid`` names the file ``<folder>/<columnid>.xml`` holding every
record of that list, ``<record><![CDATA[…]]></record>`` one after another, and records
``startrecord`` to ``endrecord`` (counted from 1) are answered as XML,
``<datastore><totalrecord>N</totalrecord><totalpage>…</totalpage><recordset>…</recordset>
</datastore>`` (``totalpage`` counted in ``perpage``), ``text/xml``; a list with no file is
empty. The folders of record lists are never served.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import fnmatch
import html
import os
import re
import threading
import time
from datetime import UTC
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import yaml

__all__ = ["CONTENT_TYPES", "Arrival", "PortalServer", "read_portal_meta"]

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".jsp": "text/html",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works",
    ".zip": "application/zip",
    ".rar": "application/x-rar-compressed",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".js": "application/javascript",
    ".json": "application/json",
    ".xml": "text/xml",
    ".txt": "text/plain",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"
INDEX_FILES = ("index.html", "index.shtml", "index.htm")
HIDDEN_ROOT_FILES = frozenset({"_portal.yaml", "expected.yaml"})
DEFAULT_TRAP_MONTH = "2026-11"

_MONTH_SEGMENT = re.compile(r"^(\d{4})-(\d{2})$")
_RECORDS = re.compile(r"<record>.*?</record>", re.S)


def read_portal_meta(root: Path) -> dict[str, Any]:
    """The parsed ``_portal.yaml`` of a portal folder, or ``{}`` when there is none."""
    path = Path(root) / "_portal.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping, got {type(data).__name__}")
    return data


def _content_type(name: str, charset: str | None) -> str:
    ctype = CONTENT_TYPES.get(Path(name).suffix.lower(), DEFAULT_CONTENT_TYPE)
    if ctype == "text/html" and charset:
        ctype = f"{ctype}; charset={charset}"
    return ctype


def _clean_path(raw_path: str) -> str:
    """URL path without path parameters (``;jsessionid=…``), percent-decoded."""
    segments = [unquote(seg.split(";", 1)[0]) for seg in raw_path.split("/")]
    path = "/".join(segments)
    return path if path.startswith("/") else "/" + path


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def calendar_page(prefix: str, year: int, month: int, site_name: str = "") -> str:
    """An 活动日历 month page linking to the previous and next months, with no dated items."""
    prev_y, prev_m = _month_shift(year, month, -1)
    next_y, next_m = _month_shift(year, month, 1)
    base = prefix if prefix.endswith("/") else prefix + "/"
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        cells = "".join(f"<td>{day or '&nbsp;'}</td>" for day in week)
        rows.append(f"<tr>{cells}</tr>")
    title = f"活动日历 {year}年{month}月"
    if site_name:
        title += f"_{html.escape(site_name)}"
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n"
        '<div class="calendar">\n'
        '<div class="cal-head">'
        f'<a class="prev" href="{base}{prev_y:04d}-{prev_m:02d}/">&lt; 上一月</a>'
        f" <strong>{year}年{month}月</strong> "
        f'<a class="next" href="{base}{next_y:04d}-{next_m:02d}/">下一月 &gt;</a></div>\n'
        '<table class="cal"><tr><th>一</th><th>二</th><th>三</th><th>四</th><th>五</th>'
        "<th>六</th><th>日</th></tr>\n" + "\n".join(rows) + "\n</table>\n"
        "<p>本月暂无活动安排。</p>\n</div>\n</body>\n</html>\n"
    )


_ERROR_PAGE = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{code} {phrase}</title>\n'
    '</head>\n<body>\n<div class="error"><h1>{code}</h1><p>{message}</p>'
    '<p><a href="/">返回首页</a></p></div>\n</body>\n</html>\n'
)


class _Handler(BaseHTTPRequestHandler):
    server: _PortalHTTPServer
    protocol_version = "HTTP/1.0"
    form = b""  # a POST's body

    # -- quiet ------------------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def version_string(self) -> str:
        return str(self.server.portal.meta.get("server", "nginx"))

    # -- verbs ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.form = self.rfile.read(length) if length > 0 else b""
        self._handle("POST")

    # -- dispatch ---------------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        # http.server reads header bytes as latin-1; a User-Agent's non-ASCII is UTF-8.
        agent = self.headers.get("User-Agent", "").encode("latin-1").decode("utf-8", "replace")
        self.server.portal._arrive(Arrival(time.monotonic(), method, self.path, agent,
                                           self.form))
        self.server.portal._record(method, self.path)
        try:
            self._dispatch(method)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:
            with contextlib.suppress(OSError):
                self._send_error_page(method, 500, "")

    def _dispatch(self, method: str) -> None:
        portal = self.server.portal
        split = urlsplit(self.path)
        path = _clean_path(split.path)
        meta = portal.meta

        forced = _lookup(meta.get("status") or {}, path)
        if forced is not None:
            code = int(forced)
            self._send_error_page(method, code, path)
            return

        proxies = meta.get("dataproxy") or {}
        if path in proxies:
            self._send_dataproxy(method, path, proxies[path], split.query)
            return

        trap = self._trap(path)
        if trap is not None:
            prefix, year, month = trap
            charset = meta.get("charset") or "utf-8"
            body = calendar_page(prefix, year, month, str(meta.get("name", "")))
            body = body.replace("charset=utf-8", f"charset={charset}")
            self._send(
                method, 200, body.encode(charset, "replace"), f"text/html; charset={charset}", path
            )
            return

        root = portal.root
        try:
            target = (root / path.lstrip("/")).resolve()
            target.is_dir()
        except (OSError, ValueError):  # NUL bytes, names too long: nothing there
            self._send_error_page(method, 404, path)
            return
        if not target.is_relative_to(root):
            self._send_error_page(method, 404, path)
            return
        if target.is_dir():
            if not path.endswith("/"):
                location = quote(path + "/", safe="/;=")
                if split.query:
                    location += "?" + split.query
                self._send_redirect(method, location)
                return
            target = next(
                (target / n for n in INDEX_FILES if (target / n).is_file()), target / INDEX_FILES[0]
            )
        hidden = any(target.is_relative_to(root / folder) for folder in proxies.values())
        if hidden or (target.parent == root and target.name in HIDDEN_ROOT_FILES):
            self._send_error_page(method, 404, path)
            return
        if not target.is_file():
            replacement = _fallback(meta.get("fallback") or {}, path)
            if replacement is None:
                self._send_error_page(method, 404, path)
                return
            target = (root / replacement.lstrip("/")).resolve()
            if not target.is_relative_to(root) or not target.is_file():
                self._send_error_page(method, 404, path)
                return
        served = "/" + target.relative_to(root).as_posix()
        with target.open("rb") as handle:  # mtime and body of the same file version
            mtime = int(os.fstat(handle.fileno()).st_mtime)
            body = handle.read()
        validators = {
            "Last-Modified": formatdate(mtime, usegmt=True),
            "ETag": f'"{mtime:x}-{len(body):x}"',  # nginx's form: hex mtime, hex size
        }
        if method in ("GET", "HEAD") and _not_modified(self.headers, validators["ETag"], mtime):
            self._send_not_modified(validators)
            return
        ctype = _content_type(target.name, meta.get("charset"))
        self._send(method, 200, body, ctype, path, served, validators=validators)

    def _trap(self, path: str) -> tuple[str, int, int] | None:
        meta = self.server.portal.meta
        prefixes = meta.get("trap") or []
        if isinstance(prefixes, str):
            prefixes = [prefixes]
        for prefix in prefixes:
            base = prefix if prefix.endswith("/") else prefix + "/"
            if path == base.rstrip("/") or path == base:
                start = str(meta.get("trap_month", DEFAULT_TRAP_MONTH))
                match = _MONTH_SEGMENT.match(start)
                if match:
                    return base, int(match.group(1)), int(match.group(2))
                return base, 2026, 11
            if path.startswith(base):
                rest = path[len(base) :].strip("/").split("/")[0]
                match = _MONTH_SEGMENT.match(rest)
                if match and 1 <= int(match.group(2)) <= 12:
                    return base, int(match.group(1)), int(match.group(2))
        return None

    def _send_dataproxy(self, method: str, path: str, folder: str, query: str) -> None:
        """Answer a Hanweb list's group: its records startrecord to endrecord, as XML."""
        params = dict(parse_qsl(self.form.decode("utf-8", "replace")))
        params.update(parse_qsl(query))  # the servlet reads the query first
        column = params.get("columnid", "")
        records: list[str] = []
        store = self.server.portal.root / folder / f"{column}.xml"
        if column.isdigit() and store.is_file():
            records = _RECORDS.findall(store.read_text(encoding="utf-8"))
        start = int(params.get("startrecord", "1"))
        per = int(params.get("perpage", "15"))
        end = int(params.get("endrecord", str(start + per - 1)))
        body = "\n".join([
            '<?xml version="1.0" encoding="UTF-8"?>', "<datastore>",
            f"<totalrecord>{len(records)}</totalrecord>",
            f"<totalpage>{-(-len(records) // max(per, 1))}</totalpage>", "<recordset>",
            *records[max(start, 1) - 1:end], "</recordset>", "</datastore>", ""])
        self._send(method, 200, body.encode("utf-8"), "text/xml;charset=UTF-8", path)

    # -- responses --------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        code: int,
        body: bytes,
        ctype: str,
        *paths: str,
        validators: dict[str, str] | None = None,
    ) -> None:
        headers = {
            "content-type": ("Content-Type", ctype),
            "content-length": ("Content-Length", str(len(body))),
        }
        for name, value in (validators or {}).items():
            headers[name.lower()] = (name, value)
        for path in paths:
            for name, value in (
                _lookup(self.server.portal.meta.get("headers") or {}, path) or {}
            ).items():
                headers[str(name).lower()] = (str(name), str(value))
        self.send_response(code)
        for name, value in headers.values():
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def _send_not_modified(self, validators: dict[str, str]) -> None:
        # As nginx: validators only, no Content-Type, Content-Length or body.
        self.send_response(304)
        for name, value in validators.items():
            self.send_header(name, value)
        self.end_headers()

    def _send_error_page(self, method: str, code: int, path: str) -> None:
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        if code == 404:
            message = "您访问的页面不存在或已被删除！"
        else:
            message = "服务器内部错误，请稍后再试。"
        body = _ERROR_PAGE.format(code=code, phrase=phrase, message=message).encode("utf-8")
        self._send(method, code, body, "text/html; charset=utf-8", path)

    def _send_redirect(self, method: str, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _lookup(table: dict[str, Any], path: str) -> Any:
    """Entry for ``path`` in a per-path table: exact key first, then fnmatch patterns."""
    if path in table:
        return table[path]
    for key, value in table.items():
        if any(ch in key for ch in "*?[") and fnmatch.fnmatchcase(path, key):
            return value
    return None


def _not_modified(request: Message, etag: str, mtime: int) -> bool:
    """Whether a request's validators say the client's copy of the file is current.

    ``If-None-Match`` decides when present (``*``, or any listed tag equal to ``etag`` once a
    weak ``W/`` prefix is stripped); otherwise ``If-Modified-Since`` not older than ``mtime``
    does. An unparseable date is ignored.
    """
    if_none_match = request.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return any(tag == "*" or tag.removeprefix("W/") == etag for tag in tags)
    if_modified_since = request.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:  # "-0000": UTC with no claim about the local zone
        since = since.replace(tzinfo=UTC)
    return mtime <= since.timestamp()


def _fallback(table: dict[str, str], path: str) -> str | None:
    for prefix in sorted(table, key=len, reverse=True):
        if path.startswith(prefix):
            return table[prefix]
    return None


class _PortalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawler opens connections in bursts; 5 drops them
    portal: PortalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response are normal for crawlers; stay quiet.
        pass


class Arrival(NamedTuple):
    """One request as the server received it."""

    at: float  # time.monotonic() when its headers were read
    method: str
    path: str  # with the query
    user_agent: str
    form: bytes = b""  # a POST's body


class PortalServer:
    """Serves one portal folder on 127.0.0.1 (a free port) from a daemon thread.

    A context manager; ``url`` is set once started and ``requests`` logs
    ``(method, path-with-query)`` of every request received, ``arrivals`` the same requests
    as :class:`Arrival` (when, the User-Agent they came with, a POST's body).
    """

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"portal folder not found: {self.root}")
        self.port = port
        self.meta: dict[str, Any] = read_portal_meta(self.root)
        self.url: str = ""
        self.requests: list[tuple[str, str]] = []
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._httpd: _PortalHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _arrive(self, arrival: Arrival) -> None:
        with self._lock:
            self.arrivals.append(arrival)

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((method, path))

    def start(self) -> PortalServer:
        if self._httpd is not None:
            return self
        httpd = _PortalHTTPServer(("127.0.0.1", self.port), _Handler)
        httpd.portal = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"portal-{self.root.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"PortalServer({str(self.root)!r}, url={self.url!r})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fixture portal on 127.0.0.1.")
    parser.add_argument("root", type=Path, help="portal folder (with optional _portal.yaml)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = PortalServer(args.root, args.port).start()
    print(f"serving {server.root} at {server.url} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
