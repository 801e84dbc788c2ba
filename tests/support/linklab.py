"""The link lab: a loopback web server that misbehaves in every way a link target can.

The lab serves a portal whose home page links to each misbehaving path twice: on the site
itself (checked by the crawl's own requests) and on a second port of 127.0.0.1 (checked by
check requests). Both must land every target in its class, and the lab's request log shows
what was asked, how often and when. Timeouts, backoffs and Retry-After are shrunk through
settings, as an operator would for a fast network.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
SLOW_SECONDS = 2.0  # well past the 1 s timeouts below, even on a busy machine
SETTINGS = {
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 1.0,
    "GOVWATCH_LINKCHECK_TIMEOUT": 1.0,
    "GOVWATCH_BACKOFF_BASE": 0.05,
    "GOVWATCH_BACKOFF_MAX": 0.2,
    "GOVWATCH_RETRY_AFTER_MAX": 5,
    "GOVWATCH_LINKCHECK_HOST_CONCURRENCY": 1,
    "GOVWATCH_LINKCHECK_HOST_DELAY": 0,
}


def html(title: str, body: str = "") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    server: _LabServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.lab.answer(self)

    do_HEAD = do_GET

    def send(self, code: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
             **headers: str) -> None:
        self.send_response(code)
        for name, value in {"Content-Type": ctype, "Content-Length": str(len(body)),
                            **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _LabServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the crawl opens connections in bursts
    lab: Lab

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a check that cuts a body short hangs up on purpose


Behaviour = Callable[[_Handler, int], None]  # (handler, how many times asked before)


def redirect(to: str) -> Behaviour:
    return lambda h, n: h.send(301, Location=to)


def status(code: int, **headers: str) -> Behaviour:
    return lambda h, n: h.send(code, html(str(code)), **headers)


def ok(body: bytes = html("正常页面"), ctype: str = "text/html; charset=utf-8") -> Behaviour:
    return lambda h, n: h.send(200, body, ctype)


def slow(h: _Handler, n: int) -> None:
    time.sleep(SLOW_SECONDS)
    h.send(200, html("很慢"))


def head_refused(h: _Handler, n: int) -> None:
    if h.command == "HEAD":
        h.send(405, Allow="GET")
    else:
        h.send(200, b"%PDF-1.4" + bytes(100_000), "application/pdf")


# Each misbehaving path, with the class, reason and status its target must get.
BEHAVIOURS: dict[str, tuple[Behaviour, tuple[str, str | None, int | None]]] = {
    "/ok.html": (ok(), ("ok", None, 200)),
    "/missing": (status(404), ("broken", "not-found", 404)),
    "/gone": (status(410), ("broken", "gone", 410)),
    "/flaky": (lambda h, n: h.send(500 if n == 0 else 200, html("时好时坏")), ("ok", None, 200)),
    "/down": (status(500), ("broken", "server-error", 500)),
    "/loop-a": (redirect("/loop-b"), ("broken", "redirect-loop", None)),
    "/loop-b": (redirect("/loop-a"), None),
    "/hop-1": (redirect("/hop-2"), ("ok", None, 200)),
    "/hop-2": (redirect("/landing.html"), None),
    "/landing.html": (ok(), None),
    "/nohead.pdf": (head_refused, ("ok", None, 200)),
    "/busy": (lambda h, n: h.send(429, Retry_After="1") if n == 0 else h.send(200, html("好了")),
              ("ok", None, 200)),
    "/always-busy": (status(429, Retry_After="0"), ("blocked", "rate-limited", 429)),
    "/busy-for-an-hour": (status(429, Retry_After="3600"), ("blocked", "rate-limited", 429)),
    "/forbidden": (status(403), ("blocked", "forbidden", 403)),
    "/forbidden.png": (status(403), ("blocked", "forbidden", 403)),
    "/secret": (status(401), ("blocked", "unauthorized", 401)),
    "/challenge": (ok(html("安全验证", "<script>yunsuo_session_verify=1;</script>")),
                   ("blocked", "challenge", 200)),
    "/slow": (slow, ("broken", "timeout", None)),
    "/teapot": (status(418), ("ok", None, 418)),  # the site's link_accept
    "/excluded/page.html": (ok(), ("skipped", "excluded", None)),  # the site's link_exclude
    "/to-intranet": (lambda h, n: h.send(302, Location="http://10.255.255.1/admin/"),
                     ("skipped", "private-address", None)),
    "/新闻/通知.html": (ok(), ("ok", None, 200)),
    "/图片/标志.png": (ok(PNG, "image/png"), ("ok", None, 200)),
    "/logo.png": (ok(PNG, "image/png"), ("ok", None, 200)),
}
IMAGES = ("/forbidden.png", "/图片/标志.png", "/logo.png")
LINKED = [path for path, (_, want) in BEHAVIOURS.items() if want]


class Lab:
    """A loopback web server: pages given as HTML, paths under a prefix of *routes* by its
    behaviour, everything else from BEHAVIOURS; it logs each request as (time, method, path,
    Host header)."""

    def __init__(self, pages: dict[str, bytes] | None = None,
                 routes: dict[str, Behaviour] | None = None) -> None:
        self.pages = pages or {}
        self.routes = routes or {}
        self.log: list[tuple[float, str, str, str]] = []
        self.times_asked = Counter[str]()
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = _LabServer(("127.0.0.1", 0), _Handler)
        self._httpd.lab = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Lab:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def answer(self, h: _Handler) -> None:
        path = unquote(urlsplit(h.path).path)
        with self._lock:
            asked = self.times_asked[path]
            self.times_asked[path] += 1
            self.log.append((time.monotonic(), h.command, path, h.headers.get("Host", "")))
        route = next((b for prefix, b in self.routes.items() if path.startswith(prefix)), None)
        if path in self.pages:
            h.send(200, self.pages[path])
        elif route is not None:
            route(h, asked)
        elif path in BEHAVIOURS:
            BEHAVIOURS[path][0](h, asked)
        elif path.startswith("/cap/"):
            self.capped(h)
        else:
            h.send(404, html("404"))

    def capped(self, h: _Handler) -> None:
        """A slowish image that counts how many requests for it are served at once."""
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.15)
        with self._lock:
            self.in_flight -= 1
        h.send(200, PNG, "image/png")

    def asked(self, path: str, method: str | None = None, host: str | None = None) -> list:
        """The log entries of *path* (percent-decoded), of one method and Host if given."""
        return [e for e in self.log if e[2] == path and method in (None, e[1])
                and (host is None or e[3].startswith(host))]


def unused_port() -> int:
    """A port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def link(base: str, path: str) -> str:
    tag = '<img src="{}">' if path in IMAGES or path.endswith(".png") else '<a href="{}">链接</a>'
    return tag.format(base + path)


def write_sites(path: Path, lab: Lab, **site: Any) -> Path:
    site = {"id": "lab", "name": "链接实验室", "url": lab.url + "/", **site}
    path.write_text(yaml.safe_dump({"sites": [site]}, allow_unicode=True), encoding="utf-8")
    return path


def checks(db: Path) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {r["target_url"]: dict(r) for r in conn.execute("select * from link_checks")}


# -- the lab scan ----------------------------------------------------------------------------
