"""Headless Chromium, to see a rendered report as a person does: a PNG screenshot, or the
DOM after layout (whose text the tests read).

Chromium comes from Debian (``scripts/install-system-deps`` installs it with the CJK fonts);
each call runs a fresh browser with a throw-away profile and no network of its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from govwatch.reports import ReportError

A4_WINDOW = (1240, 1754)  # A4 at 150 dpi
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run",
          "--hide-scrollbars")
_SEPARATED = ("td", "th", "tr", "p", "div", "li", "br", "h1", "h2", "h3", "h4", "section",
              "header", "text")


def chromium() -> str:
    """The Chromium executable; ReportError when it is not installed."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise ReportError("chromium is not installed: run scripts/install-system-deps")
    return path


def _run(page: Path, *args: str, timeout: float = 90) -> str:
    """Run Chromium on *page* with *args*; return what it printed."""
    with tempfile.TemporaryDirectory(prefix="govwatch-chromium-") as profile:
        done = subprocess.run(
            [chromium(), *_FLAGS, f"--user-data-dir={profile}", *args,
             Path(page).resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    if done.returncode != 0:
        raise ReportError(f"chromium failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return done.stdout


def screenshot(page: Path, png: Path, window: tuple[int, int] = A4_WINDOW) -> Path:
    """Render *page* in a window of *window* pixels and save it as *png*."""
    png = Path(png).resolve()
    _run(page, f"--screenshot={png}", f"--window-size={window[0]},{window[1]}")
    if not png.exists():
        raise ReportError(f"chromium wrote no screenshot for {page}")
    return png


def dump_dom(page: Path) -> str:
    """The page's DOM as Chromium serialises it after loading."""
    return _run(page, "--dump-dom")


def page_text(page: Path) -> str:
    """The visible text of the rendered page, whitespace collapsed to single spaces."""
    from lxml import html

    tree = html.fromstring(dump_dom(page))
    for hidden in tree.xpath("//style|//script|//title"):
        hidden.drop_tree()
    for block in tree.iter(*_SEPARATED):  # table cells and blocks read as separate words
        block.tail = " " + (block.tail or "")
    return re.sub(r"\s+", " ", tree.text_content()).strip()
