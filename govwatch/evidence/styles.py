"""The stylesheets of kept pages, fetched when the pages are kept, so that a screenshot draws a
page as its site styles it (the layout and colours an auditor knows), not as bare text.

A page's ``<link rel="stylesheet">`` on the page's own host (http or https), at most
:data:`MOST_SHEETS` a page, each at most :data:`MOST_BYTES`, is fetched plainly, once a keep
run however many kept pages share it (a site's CSS serves all its pages); one that fails is
left out and the page drawn without it. What a stylesheet loads in turn (``@import``,
images, fonts) is not fetched: the renderer answers those empty.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import zlib

import lxml.etree
import lxml.html

from govwatch.core import kept
from govwatch.evidence.refetch import get

MOST_SHEETS = 8  # a page: portals link two to five; more is a theme's leftovers
MOST_BYTES = 1 << 20  # a stylesheet: a bigger one is a bundle not worth keeping per scan
TIMEOUT = 10.0
# what a browser percent-encodes in a URL it resolves (spaces, Chinese): kept as it asks
_SAFE = ":/?#[]@!$&'()*+,;=%~"


def stylesheets(html: str, url: str) -> list[str]:
    """The stylesheets *html*, served at *url*, links on its own host: absolute URLs
    (against its ``<base href>`` if any), in order, each once, at most :data:`MOST_SHEETS`."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # an empty or unparsable body
        return []
    base = next((b.get("href") for b in tree.iter("base") if b.get("href")), None)
    base = urllib.parse.urljoin(url, base.strip()) if base else url
    host = urllib.parse.urlsplit(url).hostname
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "stylesheet" not in rel or "alternate" in rel or not href:
            continue  # an alternate stylesheet is not drawn either
        sheet = _as_asked(urllib.parse.urljoin(base, href), host)
        if sheet is not None and sheet not in found:
            found.append(sheet)
    return found[:MOST_SHEETS]


def _as_asked(url: str, host: str | None) -> str | None:
    """*url* as the browser asks for it (host in lower case, no default port, no fragment,
    spaces and Chinese percent-encoded), the renderer's key for it; None unless it is http
    or https on *host*."""
    parts = urllib.parse.urlsplit(urllib.parse.quote(url.split("#")[0], safe=_SAFE))
    try:
        port = parts.port
    except ValueError:  # a port that is no number
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.hostname != host:
        return None
    netloc = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and port != {"http": 80, "https": 443}[parts.scheme]:
        netloc += f":{port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


class Sheets:
    """The stylesheets one keep run fetched under *user_agent*, each URL asked for once."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent
        self.got: dict[str, tuple[str, bytes] | None] = {}  # url → (hash, zbody), or failed

    def of(self, html: str, url: str) -> dict[str, tuple[str, bytes]]:
        """The stylesheets of the page *html* at *url* that could be fetched: url → (the
        hash of its body, the body compressed)."""
        found = {}
        for sheet in stylesheets(html, url):
            if sheet not in self.got:
                self.got[sheet] = self._fetch(sheet)
            if self.got[sheet] is not None:
                found[sheet] = self.got[sheet]
        return found

    def _fetch(self, url: str) -> tuple[str, bytes] | None:
        try:
            status, _headers, body = get(url, self.user_agent, TIMEOUT, MOST_BYTES + 1)
        except (OSError, ValueError, urllib.error.URLError):  # 404 too: drawn without it
            return None
        if status != 200 or len(body) > MOST_BYTES:
            return None
        return kept.sha256(body), zlib.compress(body, 6)

