"""Render the demo's bulletin with its screenshots (截图, docs/evidence.md) into docs/examples/demo.

Runs ``govwatch demo --screenshots`` in a temporary folder (the bundled demo portals served
on 127.0.0.1, scanned, judged, tracked, a bulletin published with a screenshot of each
problem's kept page), then has headless Chromium render:

- ``bulletin-001-2026-11-24-screenshots.png``: the bulletin, its 截图 column of thumbnails;
- ``screenshots.jpg``: three of the screenshots themselves, one under the other (a
  stale column's newest item, a malformed ICP number, a broken attachment link), each
  with its element outlined.

Needs ``scripts/install-system-deps`` (Chromium). Run from the repository root:
``python docs/examples/make_evidence_example.py``.
"""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from govwatch.evidence.shots import chromium
from govwatch.reports.browser import screenshot

HERE = Path(__file__).parent / "demo"
SHOWN = ("column.stale", "footer.icp", "link.broken")  # one screenshot of each, in this order


def _stitched(db: Path, jpg: Path) -> None:
    """Render the first screenshot of each rule in SHOWN one under the other into *jpg*."""
    from playwright.sync_api import sync_playwright

    conn = sqlite3.connect(db)
    try:
        images = [conn.execute(
            "select s.image from kept_pages k join issues i on i.id = k.issue_id "
            "join kept_shots s on s.hash = k.shot_hash where i.rule_id = ? "
            "order by k.issue_id desc limit 1", [rule]).fetchone()[0] for rule in SHOWN]
    finally:
        conn.close()
    tags = "".join(f'<img src="data:image/jpeg;base64,{base64.b64encode(image).decode()}">'
                   for image in images)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_content("<style>body{margin:0}img{display:block;width:1280px;"
                         f"border-bottom:6px solid #1f4e99}}</style>{tags}")
        page.screenshot(path=str(jpg), full_page=True, type="jpeg", quality=75)
        browser.close()


def main() -> None:
    """Run the demo with screenshots and render the two pictures beside this file."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, "-m", "govwatch", "demo", "--dir", work,
                        "--screenshots", "--quiet"], check=True, stdout=subprocess.DEVNULL)
        bulletin = next(Path(work, "out").glob("bulletin-*.html"))
        paths = [screenshot(bulletin, HERE / f"{bulletin.stem}-screenshots.png", (1240, 3000))]
        _stitched(Path(work, "govwatch.db"), HERE / "screenshots.jpg")
        paths.append(HERE / "screenshots.jpg")
    for path in paths:
        print(path.relative_to(HERE.parents[2]))


if __name__ == "__main__":
    main()
