"""Text of a Word 97-2003 binary document (.doc) and of WPS Office's own (.wps), which is
the same OLE container with the same ``WordDocument`` stream.

No maintained, permissively licensed pure-Python reader of this format exists on PyPI (the
readers that do exist call out to antiword or LibreOffice, or are unmaintained), so this is
the small piece of the format needed for text, over :mod:`olefile` (BSD): the File
Information Block (FIB) at the start of the ``WordDocument`` stream names the table stream
(``0Table`` or ``1Table``) and where in it the *Clx* lies; the Clx ends with the piece
table, which maps runs of character positions to byte offsets in ``WordDocument``, each run
either UTF-16LE or "compressed" (one byte a character, code page 1252 with a few
substitutions). Concatenating the pieces gives the document's text: the main text first,
then footnotes, headers and the rest. Word's control characters are turned into text:
paragraph marks into line ends, table cell marks into tabs, and of a field
(``\\x13 code \\x14 result \\x15``) only its result is kept.
"""

from __future__ import annotations

import struct

import olefile

# FIB offsets (bytes, in WordDocument): flags word, and the Clx's place in the table stream.
_FLAGS = 0x0A
_FC_CLX, _LCB_CLX = 0x01A2, 0x01A6
_ENCRYPTED = 0x0100  # fEncrypted
_WHICH_TABLE = 0x0200  # fWhichTblStm: 1Table, else 0Table
_COMPRESSED = 0x40000000  # fCompressed bit of a piece's file offset
# The few bytes a compressed piece stores for characters outside code page 1252's use.
_COMPRESSED_SUBSTITUTES = {0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x86: "†", 0x87: "‡",
                           0x88: "ˆ", 0x89: "‰", 0x8A: "Š", 0x8B: "‹", 0x8C: "Œ", 0x91: "‘",
                           0x92: "’", 0x93: "“", 0x94: "”", 0x95: "•", 0x96: "–", 0x97: "—",
                           0x98: "˜", 0x99: "™", 0x9A: "š", 0x9B: "›", 0x9C: "œ", 0x9F: "Ÿ"}


class DocEncrypted(Exception):
    """The document is encrypted (or obfuscated): its text cannot be read."""


class DocCorrupt(Exception):
    """The streams are not those of a Word binary document."""


def doc_text(ole: olefile.OleFileIO) -> str:
    """The text of the Word binary document in *ole*, control characters turned into text.
    DocEncrypted or DocCorrupt when it cannot be read."""
    try:
        word = ole.openstream("WordDocument").read()
    except OSError as error:
        raise DocCorrupt("no WordDocument stream") from error
    if len(word) < _LCB_CLX + 4 or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
        raise DocCorrupt("not a Word 97 or later document")
    flags = struct.unpack_from("<H", word, _FLAGS)[0]
    if flags & _ENCRYPTED:
        raise DocEncrypted("encrypted")
    table_name = "1Table" if flags & _WHICH_TABLE else "0Table"
    if not ole.exists(table_name):
        raise DocCorrupt(f"no {table_name} stream")
    table = ole.openstream(table_name).read()
    fc_clx, lcb_clx = struct.unpack_from("<II", word, _FC_CLX)
    clx = table[fc_clx:fc_clx + lcb_clx]
    return _clean(_pieces(clx, word))


def _pieces(clx: bytes, word: bytes) -> str:
    """The text the piece table at the end of *clx* maps out of *word*."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting, skipped
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at + 5 > len(clx) or clx[at] != 0x02:
        raise DocCorrupt("no piece table")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5:at + 5 + size]
    count = (len(plc) - 4) // 12  # n+1 character positions, n 8-byte piece descriptors
    if count < 1:
        raise DocCorrupt("empty piece table")
    positions = struct.unpack_from(f"<{count + 1}I", plc, 0)
    parts = []
    for index in range(count):
        start, end = positions[index], positions[index + 1]
        if end < start:
            raise DocCorrupt("piece table out of order")
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)[0]
        chars = end - start
        if fc & _COMPRESSED:
            offset = (fc & ~_COMPRESSED) // 2
            raw = word[offset:offset + chars]
            parts.append("".join(_COMPRESSED_SUBSTITUTES.get(b) or chr(b) for b in raw))
        else:
            parts.append(word[fc:fc + 2 * chars].decode("utf-16-le", errors="replace"))
    return "".join(parts)


def _clean(text: str) -> str:
    """Word's control characters as text: a field's result without its code, paragraph and
    line marks as line ends, cell marks as tabs, the rest dropped."""
    out: list[str] = []
    depth_code: list[bool] = []  # per open field: still in its code (before \x14)
    for index, char in enumerate(text):
        if char == "\x13":
            depth_code.append(True)
            continue
        if char == "\x14":
            if depth_code:
                depth_code[-1] = False
            continue
        if char == "\x15":
            if depth_code:
                depth_code.pop()
            continue
        if any(depth_code):
            continue  # a field's code (HYPERLINK "…", PAGE): not text a reader sees
        if char in "\r\x0b\x0c":
            out.append("\n")
        elif char == "\x07":
            # a cell's mark; a second one straight after it ends the table's row
            if out and out[-1] == "\t" and index and text[index - 1] == "\x07":
                out[-1] = "\n"
            else:
                out.append("\t")
        elif char == "\t" or char == "\n" or char >= " ":
            out.append(char)
    return "".join(out)
