"""The body of a page that answered 304: fetched again once the scan is tracked, and kept only
if it is still what the scan judged.

A page unchanged since an earlier scan is not downloaded (the crawl asks on its validators and
reuses the stored reading), so the spool has no body for it, while a problem can be new on it
all the same (a column goes stale as days pass). Its body is asked for again, plainly, and
kept only when the answer carries the validators the 304 confirmed (its ``ETag``, else its
``Last-Modified``): then it is the response the reading was made from. The kept page says it
was fetched after the scan (``kept_note``), with that fetch's time.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import zlib
from typing import Any

from govwatch.core import kept
from govwatch.core.schema import now_iso

REFETCHED = "页面未变（304），正文于扫描后按原验证信息重新下载"
CHANGED = "存证缺失：页面未变（304）未下载正文，扫描后重新下载时页面已变化"
FAILED = "存证缺失：页面未变（304）未下载正文，扫描后重新下载失败"
_MOST = 50 << 20  # bytes: no HTML page is bigger; a stream that is must not fill the memory


def refetch(url: str, etag: str | None, last_modified: str | None, user_agent: str,
            timeout: float = 15.0) -> tuple[dict[str, Any] | None, str]:
    """GET *url* again: (its fetch as :func:`govwatch.core.kept.spooled` gives one, and
    :data:`REFETCHED`), or (None, why it is not kept)."""
    try:
        status, headers, body = get(url, user_agent, timeout, _MOST)
    except (OSError, ValueError, urllib.error.URLError):
        return None, FAILED
    same = (headers.get("ETag") == etag) if etag else (
        bool(last_modified) and headers.get("Last-Modified") == last_modified)
    if status != 200 or not same:
        return None, CHANGED
    return {"status": status, "fetched_at": now_iso(), "hash": kept.sha256(body),
            "zbody": zlib.compress(body, 6),
            "headers": {name: headers.get(name) for name in ("Content-Type", "ETag",
                                                             "Last-Modified")
                        if headers.get(name)}}, REFETCHED


def get(url: str, user_agent: str, timeout: float, most: int) -> tuple[int, Any, bytes]:
    """GET *url* plainly under *user_agent*: its status, headers and at most *most* bytes of
    its body. Raises what urllib raises (OSError, ValueError)."""
    # The crawl's User-Agent names the office in Chinese: sent as its UTF-8 bytes, as Scrapy
    # sends it (http.client writes headers as Latin-1).
    agent = user_agent.encode("utf-8").decode("latin-1")
    request = urllib.request.Request(url, headers={"User-Agent": agent})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.headers, response.read(most)
