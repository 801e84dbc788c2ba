"""Downloader middleware: decode Chinese pages right, whatever they declare.

Government portals are often GBK, GB2312 or GB18030, declared in the HTTP header, in a
``<meta charset>``/``http-equiv`` tag, or wrongly (a header saying UTF-8 over GBK bytes).
Scrapy trusts the header and replaces what does not decode; this middleware instead tries
the header's charset, then the page's meta charset, then UTF-8, then GB18030, and keeps the
first that decodes the whole body strictly. GBK and GB2312 are read as GB18030, their
superset, so characters outside GB2312 (镕, 堃) survive. The charset the server or page
declared is kept in ``response.meta["declared_encoding"]`` for the record.

Settings: ``GOVWATCH_ENCODING_FALLBACKS`` (default ``["utf-8", "gb18030"]``).
"""

from __future__ import annotations

import codecs
import re

from scrapy.http import HtmlResponse, Response

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_CHINESE = {"gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "hz-gb-2312"}


def _canonical(name: str | None) -> str | None:
    """Codec name for a declared charset; GBK family → GB18030; unknown names → None."""
    if not name:
        return None
    name = name.strip().lower()
    if name in _CHINESE:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _header_charset(response: Response) -> str | None:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
    match = re.search(r"charset\s*=\s*[\"']?([\w\-]+)", content_type, re.I)
    return match.group(1) if match else None


def detect_encoding(body: bytes, header: str | None, fallbacks: list[str]) -> str:
    """The first candidate charset that decodes *body* without error."""
    meta = _META_CHARSET.search(body[:4096])
    declared = [header, meta.group(1).decode("ascii", "ignore") if meta else None, *fallbacks]
    candidates = [c for c in dict.fromkeys(_canonical(n) for n in declared) if c]
    for codec in candidates:
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return candidates[0] if candidates else "utf-8"


class EncodingMiddleware:
    """Re-decode HTML responses with the charset that fits their bytes."""

    def __init__(self, fallbacks: list[str]) -> None:
        self.fallbacks = fallbacks

    @classmethod
    def from_crawler(cls, crawler) -> EncodingMiddleware:
        return cls(crawler.settings.getlist("GOVWATCH_ENCODING_FALLBACKS"))

    def process_response(self, request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        header = _header_charset(response)
        meta = _META_CHARSET.search(response.body[:4096])
        request.meta["declared_encoding"] = header or (
            meta.group(1).decode("ascii", "ignore") if meta else None
        )
        encoding = detect_encoding(response.body, header, self.fallbacks)
        return response.replace(encoding=encoding)
