"""Read one document's bytes into text, page by page or sheet by sheet.

Runs inside a worker process (:mod:`crawler.documents.pool`), never on the crawl's event
loop: a reader may take seconds on a large PDF, and a hostile file may make one loop or
balloon, which the pool stops by its time limit and the worker's memory limit.

The format is sniffed from the bytes (a file's extension lies often enough: a ``.doc``
that is a DOCX, an HTML error page served as ``.pdf``); the extension only names the WPS
Office formats, whose OLE files are Word and Excel binaries under other names (``.wps`` is
a ``.doc``, ``.et`` an ``.xls``). The readers, all permissively licensed:

- PDF: pypdfium2 (PDFium, BSD/Apache): its text of each page, Chinese as printed;
- DOCX: the zip's ``word/document.xml`` with lxml: paragraphs as lines, a table's rows as
  lines with cells tab-separated; one part, since a DOCX has no pages of its own;
- XLSX: openpyxl in read-only mode; XLS and ET: xlrd; each sheet a part, each row a line
  (row *n* of the sheet is line *n*), cells tab-separated;
- DOC and WPS: the piece table of the ``WordDocument`` stream (:mod:`crawler.documents.oledoc`);
- OFD (GB/T 33190): the zip's ``OFD.xml`` leads to the document's page list, each page's
  ``Content.xml`` holds its text in ``TextCode`` elements, one text object a line.

Texts are normalised so that 人民 printed with radical code points (⼈⺠, as some PDF
producers map their glyphs) reads 人民.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from lxml import etree

from govwatch.core import defaults
from govwatch.core.vocabulary import DocumentStatus

# What the crawl downloads and reads; other attachments (archives, slides…) stay links.
READABLE_EXTENSIONS = frozenset("pdf doc docx xls xlsx wps et ofd".split())
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# CJK radical supplement code points without a compatibility mapping, as PDF producers put
# them for the ordinary characters they look like (the Kangxi radicals NFKC maps itself).
_RADICALS = str.maketrans({
    "⺠": "民", "⻅": "见", "⻓": "长", "⻔": "门", "⻚": "页", "⻛": "风", "⻜": "飞", "⻢": "马",
    "⻘": "青", "⻝": "食", "⻰": "龙", "⻬": "齐", "⻋": "车", "⻄": "西", "⻩": "黄", "⻨": "麦",
    "⻆": "角", "⻉": "贝", "⻥": "鱼", "⻦": "鸟", "⻈": "讠", "⻣": "骨", "⻤": "鬼",
})


@dataclass(frozen=True)
class Limits:
    """How much of one document is read: its bytes, pages (or sheets), characters of text,
    seconds of its reader, and the address space of the worker reading it."""

    max_bytes: int = defaults.DOCUMENT_MAX_BYTES
    max_pages: int = defaults.DOCUMENT_MAX_PAGES
    max_chars: int = defaults.DOCUMENT_MAX_CHARS
    seconds: float = defaults.DOCUMENT_TIMEOUT
    memory: int = defaults.DOCUMENT_MEMORY


@dataclass
class Extraction:
    """What reading one document gave: its status (:class:`DocumentStatus`), why when it
    was not read (Chinese, then English in brackets), its format, and its parts: (label,
    text) for each page (``第3页``) or sheet (its name), in order."""

    status: str
    reason: str = ""
    format: str = ""
    parts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Pages (or sheets) read."""
        return len(self.parts)

    @property
    def chars(self) -> int:
        """Characters of text read, in all parts."""
        return sum(len(text) for _, text in self.parts)


class Refused(Exception):
    """The document cannot be read: its status and reason."""

    def __init__(self, status: DocumentStatus, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def normalise(text: str) -> str:
    """*text* with line ends made ``\\n``, radical code points made the characters they
    stand for, and control characters other than tab and line end dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_RADICALS)
    if any("\u2f00" <= char <= "\u2fdf" for char in text):  # Kangxi radicals: NFKC maps them
        text = "".join(unicodedata.normalize("NFKC", c) if "\u2f00" <= c <= "\u2fdf" else c
                       for c in text)
    return "".join(c for c in text if c >= " " or c in "\t\n")


def extension(name: str) -> str:
    """The lower-case extension of a file or URL path *name* (``""`` for none)."""
    last = name.rsplit("/", 1)[-1].split("?", 1)[0]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def sniff(data: bytes, name: str = "") -> str:
    """The format of *data* (pdf, docx, xlsx, ofd, doc, xls; wps and et for the OLE files
    named so; ``""`` when it is none of them); *name* is the file's name or URL."""
    ext = extension(name)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except Exception:  # any malformed zip: no format of ours (sniffing never raises)
            return ""
        for inner, kind in (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"),
                            ("OFD.xml", "ofd")):
            if inner in names:
                return kind
        return ""
    if data.startswith(_OLE_MAGIC):
        import olefile

        try:
            # a stream, never the bytes: olefile takes bytes shorter than a minimal OLE
            # file for a file name
            ole = olefile.OleFileIO(io.BytesIO(data))
        except Exception:  # any malformed OLE file (sniffing never raises)
            return ""
        with ole:
            if ole.exists("EncryptedPackage"):  # a password-protected DOCX or XLSX
                return {"doc": "docx", "xls": "xlsx"}.get(ext, ext if ext in ("docx", "xlsx")
                                                          else "docx")
            if ole.exists("WordDocument"):
                return "wps" if ext == "wps" else "doc"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "et" if ext == "et" else "xls"
    return ""


def extract_bytes(data: bytes, name: str = "", limits: Limits | None = None) -> Extraction:
    """Read *data* (a document named *name*, for its extension) within *limits*; never
    raises for a bad file: its status and reason say what was wrong. The time and memory
    limits are the caller's to enforce (:mod:`crawler.documents.pool`)."""
    limits = limits or Limits()
    sniffed = sniff(data, name)
    kind = sniffed or extension(name)
    try:
        if not data:
            raise Refused(DocumentStatus.EMPTY, "文件为空（empty file）")
        if len(data) > limits.max_bytes:
            raise Refused(DocumentStatus.TOO_LARGE, f"文件 {len(data)} 字节，超过上限 "
                          f"{limits.max_bytes} 字节（file larger than the byte limit）")
        reader = _READERS.get(sniffed)
        if reader is None:
            raise Refused(DocumentStatus.CORRUPT, f"不是可读取的 {kind.upper() or '文档'} 文件"
                          f"（not a readable {kind or 'document'} file）")
        parts = _bounded(reader(data, limits), limits)
    except Refused as refused:
        return Extraction(str(refused.status), refused.reason, kind)
    except MemoryError:
        return Extraction(str(DocumentStatus.TOO_LARGE), "读取时内存超出上限（memory limit "
                          "reached while reading）", kind)
    except Exception as error:  # a reader's own failure on a malformed file
        return Extraction(str(DocumentStatus.CORRUPT),
                          f"文件损坏，无法解析（{type(error).__name__}: {str(error)[:200]}）", kind)
    if not any(text.strip() for _, text in parts):
        return Extraction(str(DocumentStatus.EMPTY), "文件中没有文字（no text in the file）", kind)
    return Extraction(str(DocumentStatus.READ), "", kind, parts)


def _bounded(parts: Iterator[tuple[str, str]], limits: Limits) -> list[tuple[str, str]]:
    """The parts a reader yields, normalised, refused once past the page or character
    limit (a reader yields lazily, so a hostile file stops at the limit)."""
    read: list[tuple[str, str]] = []
    chars = 0
    for label, text in parts:
        if len(read) >= limits.max_pages:
            raise Refused(DocumentStatus.TOO_LARGE, f"超过 {limits.max_pages} 页（或工作表）的上限"
                          "（more pages or sheets than the page limit）")
        text = normalise(text)
        chars += len(text)
        if chars > limits.max_chars:
            raise Refused(DocumentStatus.TOO_LARGE, f"文字超过 {limits.max_chars} 字的上限"
                          "（more text than the character limit）")
        read.append((label, text))
    return read


def page_label(number: int) -> str:
    """How a page is named in evidence: 第3页."""
    return f"第{number}页"


# -- PDF ---------------------------------------------------------------------------------


def _pdf(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise Refused(DocumentStatus.ENCRYPTED, "PDF 已加密，需要密码（password-protected "
                          "PDF）") from None
        if error.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise Refused(DocumentStatus.ENCRYPTED, "PDF 使用了不支持的加密方式（unsupported "
                          "PDF security handler）") from None
        raise Refused(DocumentStatus.CORRUPT, f"PDF 文件损坏（{error}）") from None
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise Refused(DocumentStatus.TOO_LARGE, f"PDF 共 {count} 页，超过 {limits.max_pages} "
                          "页的上限（more pages than the page limit）")
        texts, images = [], 0
        for index in range(count):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                if not text.strip():
                    images += any(True for _ in page.get_objects(
                        filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
            finally:
                page.close()
            texts.append((page_label(index + 1), text))
        if not any(text.strip() for _, text in texts) and images:
            raise Refused(DocumentStatus.IMAGE_ONLY, f"{count} 页均为图像，没有文字层，疑为扫描件"
                          "（pages are images without text: a scan）")
        yield from texts
    finally:
        pdf.close()


# -- DOCX --------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    _refuse_encrypted_package(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _unpacked_size(archive, limits)
        root = etree.fromstring(archive.read("word/document.xml"),
                                parser=etree.XMLParser(resolve_entities=False, huge_tree=False))
    body = root.find(f"{_W}body")
    lines = list(_docx_blocks(body)) if body is not None else []
    yield "全文", "\n".join(lines)


def _docx_blocks(parent: etree._Element) -> Iterator[str]:
    """The lines of a DOCX body (or table cell): a paragraph each, a table row each."""
    for child in parent:
        if child.tag == f"{_W}p":
            yield _docx_paragraph(child)
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = [" ".join(filter(None, _docx_blocks(cell)))
                         for cell in row.findall(f"{_W}tc")]
                yield "\t".join(cells)
        elif child.tag == f"{_W}sdt":  # a content control wraps ordinary blocks
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _docx_blocks(content)


def _docx_paragraph(paragraph: etree._Element) -> str:
    out = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        else:
            out.append("\t" if node.tag == f"{_W}tab" else "\n")
    return "".join(out)


def _unpacked_size(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a zip that unpacks to far more than a document of the byte limit would (a
    zip bomb): twenty times the limit."""
    total = sum(info.file_size for info in archive.infolist())
    if total > 20 * limits.max_bytes:
        raise Refused(DocumentStatus.TOO_LARGE, f"解压后 {total} 字节，超过上限（unpacks to more "
                      "than the limit）")


# -- spreadsheets ------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A cell as text: integral numbers without ``.0`` (an ID number or a count), dates as
    ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).replace("\t", " ").replace("\n", " ")


def _sheet_text(rows: Iterator[tuple[int, list[object]]]) -> str:
    """A sheet's rows as lines (row *n* is line *n*: empty rows stay as empty lines), cells
    tab-separated without trailing empty cells."""
    lines: list[str] = []
    for number, values in rows:
        while len(lines) < number - 1:
            lines.append("")
        cells = [_cell(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        lines.append("\t".join(cells))
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _xlsx(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    import openpyxl

    _refuse_encrypted_package(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _unpacked_size(archive, limits)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = ((row[0].row, [cell.value for cell in row])
                    for row in sheet.iter_rows() if row and hasattr(row[0], "row"))
            yield sheet.title, _sheet_text(rows)
    finally:
        book.close()


def _xls(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.biffh.XLRDError as error:
        if "encrypt" in str(error).lower():
            raise Refused(DocumentStatus.ENCRYPTED, "表格已加密（encrypted workbook）") from None
        raise
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = ((number + 1, [_xls_value(book, cell) for cell in sheet.row(number)])
                    for number in range(sheet.nrows))
            yield sheet.name, _sheet_text(rows)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _xls_value(book: object, cell: object) -> object:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError):
            return cell.value
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


# -- DOC and WPS -------------------------------------------------------------------------


def _doc(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    import olefile

    from govwatch.crawler.documents.oledoc import DocEncrypted, doc_text

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        try:
            yield "全文", doc_text(ole)
        except DocEncrypted:
            raise Refused(DocumentStatus.ENCRYPTED, "文档已加密（encrypted document）") from None


def _refuse_encrypted_package(data: bytes) -> None:
    """A password-protected DOCX or XLSX is an OLE file holding the encrypted zip."""
    if data.startswith(_OLE_MAGIC):
        raise Refused(DocumentStatus.ENCRYPTED, "文档已加密，需要密码（password-protected Office "
                      "document）")


# -- OFD ---------------------------------------------------------------------------------


def _ofd(data: bytes, limits: Limits) -> Iterator[tuple[str, str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _unpacked_size(archive, limits)
        names = set(archive.namelist())

        def xml(path: str) -> etree._Element:
            return etree.fromstring(archive.read(path), parser=parser)

        root = xml("OFD.xml")
        doc_root = _first_text(root, "DocRoot")
        if not doc_root:
            raise Refused(DocumentStatus.CORRUPT, "OFD 缺少 DocRoot（no DocRoot in OFD.xml）")
        doc_path = doc_root.lstrip("/")
        base = doc_path.rsplit("/", 1)[0] + "/" if "/" in doc_path else ""
        document = xml(doc_path)
        pages = [page.get("BaseLoc") or "" for page in document.iter()
                 if isinstance(page.tag, str) and etree.QName(page).localname == "Page"]
        if len(pages) > limits.max_pages:
            raise Refused(DocumentStatus.TOO_LARGE, f"OFD 共 {len(pages)} 页，超过 "
                          f"{limits.max_pages} 页的上限（more pages than the page limit）")
        for number, location in enumerate(pages, start=1):
            path = location.lstrip("/") if location.startswith("/") else base + location
            if path not in names:
                raise Refused(DocumentStatus.CORRUPT, f"OFD 缺少第{number}页的内容（page "
                              f"{number} missing: {location}）")
            lines = []
            for obj in xml(path).iter():
                if isinstance(obj.tag, str) and etree.QName(obj).localname == "TextObject":
                    lines.append("".join(code.text or "" for code in obj.iter()
                                         if isinstance(code.tag, str)
                                         and etree.QName(code).localname == "TextCode"))
            yield page_label(number), "\n".join(lines)


def _first_text(root: etree._Element, localname: str) -> str:
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == localname:
            return (node.text or "").strip()
    return ""


_READERS = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "xls": _xls, "et": _xls, "doc": _doc,
            "wps": _doc, "ofd": _ofd}
