"""Render the demo's bulletin, scorecard and screenshots (截图, docs/evidence.md) into
docs/examples/demo, with its README.

Runs ``govwatch demo --screenshots`` once in a temporary folder (the bundled demo portals
served on 127.0.0.1, scanned, judged, tracked, a bulletin published with a screenshot of
each problem's kept page), then writes:

- ``bulletin-001-2026-11-24.{html,md,json}``, ``scorecard-2026-11-24.html``: the bulletin
  and scorecard as published, the bulletin without its screenshots (the pictures are not
  shipped here; the demo without ``--screenshots`` publishes exactly this: a page not kept
  still says so);
- ``bulletin-001-2026-11-24.png``, ``scorecard-2026-11-24.png``: their first A4 page;
- ``bulletin-001-2026-11-24-screenshots.png``: the bulletin as published with screenshots,
  the whole page, its 截图 column of thumbnails;
- ``screenshots.jpg``: three of the screenshots, one under the other (a Hanweb column's
  stale newest item, a malformed ICP number, a broken attachment link), each outlined;
- ``README.md``: what the run found, its numbers read from the run.

Every picture is rendered by headless Chromium; PNGs are shrunk with pngquant and optipng
when they are installed. Needs ``scripts/install-system-deps`` (Chromium). Run from the
repository root: ``python docs/examples/make_evidence_example.py``.
"""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from govwatch.evidence.shots import chromium
from govwatch.reports.bulletin import BULLETIN
from govwatch.reports.render import write_report

HERE = Path(__file__).parent / "demo"
# One screenshot of each, in this order: (rule, the site whose issue is shown).
SHOWN = (("column.stale", "xy-sthjj"), ("footer.icp", "xy-sthjj"), ("link.broken", "xy-jtj"))


def _render(url: str, path: Path, *, width: int, height: int | None = None) -> Path:
    """Chromium's picture of *url* at *width* pixels: the first *height*, else the whole
    page; PNG or JPEG by *path*'s suffix."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": height or 900})
        page.goto(url, wait_until="load")
        for image in page.locator("img").all():  # lazy thumbnails: load them all first
            image.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        jpeg = path.suffix == ".jpg"
        page.screenshot(path=str(path), full_page=height is None, type="jpeg" if jpeg else "png",
                        **({"quality": 65} if jpeg else {}))
        browser.close()
    if not jpeg:
        _shrink(path)
    return path


def _shrink(png: Path) -> None:
    """Make *png* small: a 256-colour palette (pngquant), then lossless (optipng)."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--quality", "70-95",
                        "--output", str(png), str(png)], check=False)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o2", str(png)], check=False)


def _stitched(db: Path, jpg: Path) -> None:
    """The first screenshot of each of SHOWN one under the other, into *jpg*."""
    conn = sqlite3.connect(db)
    try:
        images = [conn.execute(
            "select s.image from kept_pages k join issues i on i.id = k.issue_id "
            "join kept_shots s on s.hash = k.shot_hash where i.rule_id = ? and i.site_id = ? "
            "order by k.issue_id limit 1", [rule, site]).fetchone()[0] for rule, site in SHOWN]
    finally:
        conn.close()
    tags = "".join(f'<img src="data:image/jpeg;base64,{base64.b64encode(image).decode()}">'
                   for image in images)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder, "shots.html")
        page.write_text("<style>body{margin:0}img{display:block;width:1280px;"
                        f"border-bottom:6px solid #1f4e99}}</style>{tags}", encoding="utf-8")
        _render(page.as_uri(), jpg, width=1280)


def _without_screenshots(content: dict) -> dict:
    """The bulletin's content as the demo publishes it without ``--screenshots``."""
    plain = json.loads(json.dumps(content))
    for key in ("new", "open", "fixed"):
        for row in plain.get(key) or []:
            if row.get("screenshot"):  # what the screenshot says goes with it
                row.update(screenshot=None, screenshot_note=None)
    return plain


def _missing(rows: list[dict]) -> str:
    """What the README says of the problems without a screenshot."""
    if not rows:
        return "Every problem has its screenshot."
    return f"{len(rows)} problems have no screenshot: " + "; ".join(
        f"{row['title']} ({row['rule_id']}): {row.get('screenshot_note') or '—'}"
        for row in rows) + "."


def _readme(db: Path, content: dict, stem: str, scorecard: str) -> str:
    """The folder's README, its numbers and problems read from the run."""
    conn = sqlite3.connect(db)
    try:
        findings = conn.execute("select count(*) from findings").fetchone()[0]
        kept = conn.execute("select count(*), count(shot_hash), "
                            "count(*) - count(body_hash) from kept_pages").fetchone()
        outlined = conn.execute("select count(*) from kept_pages where shot_hash is not null "
                                "and shot_note is null").fetchone()[0]
    finally:
        conn.close()
    totals, rows = content["totals"], content["new"]
    lines = []
    for unit in dict.fromkeys(row["unit"] for row in rows):
        counted = Counter(row["title"] for row in rows if row["unit"] == unit)
        said = "、".join(f"{title}{f' ×{n}' if n > 1 else ''}" for title, n in counted.items())
        lines.append(f"- **{unit}** ({sum(counted.values())}): {said}")
    missing = [row for row in rows if not row.get("screenshot")]
    return f"""# The demo's bulletin and scorecard

Made by `python docs/examples/make_evidence_example.py` from one run of
`govwatch demo --screenshots`: the three bundled portals served on 127.0.0.1 (so the URLs
carry a loopback port, another each run), scanned, judged on {content['scan_as_of']}, the
day the portals were written for, tracked and published.

The run: {totals['sites']} sites of {totals['units']} units; {findings} findings, published as
{totals['new']} problems (第{content['number']}期, all new, deadline {rows[0]['deadline']});
{kept[0]} kept pages, {kept[1]} of them with a screenshot ({outlined} with the offending
element outlined), {kept[2]} without a kept body.

{chr(10).join(lines)}

| file | what |
|---|---|
| `{stem}.html`, `.md`, `.json` | the bulletin as published, without its screenshots |
| `{stem}.png` | its first A4 page, rendered by headless Chromium |
| `{stem}-screenshots.png` | the bulletin with screenshots: thumbnails in its 截图 column |
| `screenshots.jpg` | three screenshots: a stale Hanweb column, an ICP number, a broken link |
| `{scorecard}.html`, `.png` | the scorecard of the scan |

The HTML here leaves the screenshots out, since the pictures are not shipped: it is what
the demo without `--screenshots` publishes (a page that was not kept still says so).

![bulletin with screenshots]({stem}-screenshots.png)

Each screenshot is rendered from the kept page, never fetched again, with the offending
element outlined in red, and styled by the page's own stylesheets, kept with it; images,
scripts and fonts are not loaded (docs/evidence.md). A problem found in an attachment (the
annual report's PDF) shows the page linking it, its anchor outlined. {_missing(missing)}

![three screenshots](screenshots.jpg)
"""


def main() -> None:
    """Run the demo with screenshots and write the folder's files beside this script."""
    HERE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, "-m", "govwatch", "demo", "--dir", work,
                        "--screenshots", "--quiet"], check=True, stdout=subprocess.DEVNULL)
        out, db = Path(work, "out"), Path(work, "govwatch.db")
        published = next(out.glob("bulletin-*.json"))
        stem = published.stem
        scorecard = next(out.glob("scorecard-*.html"))
        content = json.loads(published.read_text(encoding="utf-8"))
        paths = write_report(BULLETIN, _without_screenshots(content), ("html", "md", "json"),
                             HERE, stem)
        paths.append(Path(shutil.copyfile(scorecard, HERE / scorecard.name)))
        paths.append(_render((HERE / f"{stem}.html").resolve().as_uri(),
                             HERE / f"{stem}.png", width=1240, height=1754))
        paths.append(_render(scorecard.resolve().as_uri(),
                             HERE / f"{scorecard.stem}.png", width=1240, height=1754))
        paths.append(_render((out / f"{stem}.html").resolve().as_uri(),
                             HERE / f"{stem}-screenshots.png", width=1240))
        _stitched(db, HERE / "screenshots.jpg")
        paths.append(HERE / "screenshots.jpg")
        readme = HERE / "README.md"
        readme.write_text(_readme(db, content, stem, scorecard.stem), encoding="utf-8")
        paths.append(readme)
    for path in paths:
        print(f"{path.relative_to(HERE.parents[2])}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
