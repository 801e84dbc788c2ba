"""Personal data masked in everything kept that a unit or the public sees.

A finding of ``privacy.id_number`` reports a 居民身份证号; its evidence is masked by the
rule (:mod:`govwatch.rules.checks.idnumber`). The kept page holds the number raw (it is
what was published: the office's proof), so every view of it made for others goes through
:func:`mask_text`: the screenshot is rendered from the masked HTML, and ``govwatch
evidence`` writes the masked body unless asked for the raw one.
"""

from __future__ import annotations

import re

from govwatch.rules.checks.idnumber import is_id_number, mask

# An 18-character candidate not glued to other digits or letters (as the rule reads text).
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """*text* with every real ID number masked (region code and last 4 characters kept);
    an 18-digit string that is no ID number (an order number, say) is left as it is."""
    return _CANDIDATE.sub(
        lambda match: mask(match[0]) if is_id_number(match[0]) else match[0], text)


def decode(body: bytes, encoding: str | None) -> str:
    """*body* as text, in the codec the crawl read it with (UTF-8 when unknown)."""
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def masked_body(body: bytes, encoding: str | None) -> bytes:
    """*body* with personal data masked, in its own encoding (so its ``<meta charset>``
    still holds when the file is opened)."""
    codec = encoding or "utf-8"
    try:
        return mask_text(decode(body, codec)).encode(codec, errors="xmlcharrefreplace")
    except LookupError:
        return mask_text(decode(body, None)).encode("utf-8")
