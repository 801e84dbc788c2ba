"""Documents made on the fly for the attachment tests."""

from __future__ import annotations

import io

import pypdfium2 as pdfium


def pdf_of_pages(count: int, size: float = 50) -> bytes:
    """A PDF of *count* blank pages: the page count alone makes it hostile."""
    pdf = pdfium.PdfDocument.new()
    for _ in range(count):
        pdf.new_page(size, size)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
