"""Screenshots (截图取证) of kept pages, the offending element outlined.

Rendered from the kept body, never fetched again: the page's own URL is answered with the
(masked, :mod:`govwatch.evidence.mask`) kept HTML, its stylesheets' URLs with the stylesheets
kept with it (:mod:`govwatch.evidence.styles`), and every other request of the renderer
(images, fonts, scripts, frames, a stylesheet not kept) with an empty response, so nothing
leaves the machine and the picture shows what was judged, laid out as its site styles it.
Scripts do not run, and a ``<meta http-equiv=refresh>`` is taken out: the kept HTML is what
the rules read. A Hanweb list, whose records the site's
script writes into the page from a ``<script type="text/xml"><datastore>``, is shown as
those records, expanded as the crawl reads them (docs/cms.md): else the newest item of a
stale Hanweb column would be outlined as an empty box. One headless Chromium (Debian's, driven
by Playwright) renders a scan's screenshots, ``pages`` at a time (each a page reused job
after job); a browser that dies mid-way costs the screenshots not yet made (each says why
it is missing, 截图缺失), never the scan. A page whose rendered text still shows an ID number
(split across elements, where masking the HTML cannot see it) is not photographed at all.

Where the offending element is comes from ``locate`` (built by :mod:`govwatch.evidence.keep`):

- ``href``: the anchor linking there, or the image or frame loading it (a broken link on
  its source page);
- ``item``: the newest item's anchor (its URL, or its ``title``), widened to its list
  row so that its date shows;
- ``footer``: the footer area, or the element in it holding ``text``;
- ``text``: the smallest element holding the text (a pattern's match, masked as shown).

The element gets the attribute ``data-govwatch-target`` and an overlay box
(``#govwatch-outline``) around it, is highlighted (black text on pale yellow, so that it
reads whatever the site's colours: white footer text over a background image that is not
loaded would be white on white), and is scrolled to the middle of the window. The box's
style is ``!important``, it hangs from the root element, not the body, and it is put back
where the element is once drawn: a site's stylesheet (``div { display: none !important }``,
a positioned body or root) cannot hide or move it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from govwatch.crawler.pages.page import expand_datastores
from govwatch.evidence.mask import mask_text

WINDOW = {"width": 1280, "height": 900}
QUALITY = 70  # JPEG: a page's screenshot in some 100 KB, the red box and text still sharp
_TIMEOUT_MS = 15000
MISSING = "截图缺失"
UNMASKED = f"{MISSING}：页面显示的个人信息未能遮盖，不予截图"
# A refresh would navigate away from the kept page to one answered empty (a blank picture).
_REFRESH = re.compile(r"<meta[^>]+http-equiv\s*=\s*[\"']?refresh[^>]*>", re.IGNORECASE)

# Finds the element, outlines it, says whether it found one.
_OUTLINE_JS = """
(loc) => {
  const norm = s => (s || '').replace(/\\s+/g, '');
  const skip = new Set(['SCRIPT', 'STYLE', 'HEAD', 'TITLE', 'NOSCRIPT']);
  const holds = (el, want) => !skip.has(el.tagName) && norm(el.textContent).includes(want);
  const smallest = (text, root) => {
    const want = norm(text);
    if (!want || !root) return null;
    for (const el of root.querySelectorAll('*')) {
      if (holds(el, want) && ![...el.children].some(c => holds(c, want))) return el;
    }
    return null;
  };
  const anchor = url => {
    if (!url) return null;
    const bare = u => { try { return decodeURI(u).replace(/#.*$/, ''); } catch (e) { return u; } };
    // a link, or an image or frame whose source is the target
    const at = e => e.href || e.src || '';
    const raw = e => e.getAttribute('href') || e.getAttribute('src');
    const all = [...document.querySelectorAll('a[href], area[href], img[src], iframe[src]')]
      .filter(e => at(e) === url || raw(e) === url || bare(at(e)) === bare(url));
    return all.find(e => e.getClientRects().length) || all[0];  // a shown one first
  };
  let el = null;
  if (loc.href) el = anchor(loc.href);
  if (!el && loc.item) {
    const a = anchor(loc.item.url) || smallest(loc.item.title, document.body);
    if (a) el = a.closest('li, tr, dd, dt, p') || a;
  }
  if (!el && loc.footer) {
    const foot = document.querySelector(
      'footer, #footer, .footer, [id*="foot" i], [class*="foot" i]');
    el = (loc.text && (smallest(loc.text, foot) || smallest(loc.text, document.body))) || foot;
    if (!el) {
      const blocks = [...document.body.children].filter(
        c => !skip.has(c.tagName) && norm(c.textContent));
      el = blocks[blocks.length - 1] || null;
    }
  }
  if (!el && loc.text) el = smallest(loc.text, document.body);
  if (!el || !el.getClientRects().length) return false;  // none, or hidden (a closed menu)
  el.setAttribute('data-govwatch-target', '1');
  // highlighted as with a marker, so it reads whatever the site's colours: a footer's white
  // text over a background image the renderer does not load would be white on white
  for (const e of [el, ...el.querySelectorAll('*')]) {
    e.style.setProperty('color', '#000', 'important');
  }
  el.style.setProperty('background-color', '#fff7cc', 'important');
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  const r = el.getBoundingClientRect();
  const box = document.createElement('div');
  box.id = 'govwatch-outline';
  const style = {
    position: 'absolute', left: (r.left + scrollX - 6) + 'px', top: (r.top + scrollY - 6) + 'px',
    width: (r.width + 12) + 'px', height: (r.height + 12) + 'px', 'box-sizing': 'border-box',
    border: '4px solid #e00000', 'z-index': '2147483647', 'pointer-events': 'none',
    margin: '0', padding: '0', display: 'block', visibility: 'visible', opacity: '1',
    background: 'transparent', transform: 'none', 'max-width': 'none', 'max-height': 'none',
  };
  // important: an inline style loses to a site's own !important rule
  for (const [name, value] of Object.entries(style)) {
    box.style.setProperty(name, value, 'important');
  }
  document.documentElement.appendChild(box);
  // a positioned root (a site's stylesheet) moves the box by its offset: moved back
  const b = box.getBoundingClientRect();
  const left = parseFloat(box.style.left) + r.left - 6 - b.left;
  const top = parseFloat(box.style.top) + r.top - 6 - b.top;
  box.style.setProperty('left', left + 'px', 'important');
  box.style.setProperty('top', top + 'px', 'important');
  return true;
}
"""


@dataclass(frozen=True)
class Job:
    """One screenshot to make: *key* names it for the caller; *html* is the masked page;
    *styles* its stylesheets kept with it (URL → CSS)."""

    key: Any
    url: str
    html: str
    locate: dict[str, Any]
    styles: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Shot:
    """A screenshot made (*image* set) or why it is missing (*note*)."""

    image: bytes | None = None
    note: str | None = None
    outlined: bool = False


def chromium() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def as_shown(html: str) -> str:
    """The kept *html* as it is rendered: no refresh, Hanweb datastores expanded."""
    html = _REFRESH.sub("", html)
    if "<datastore" not in html.lower():
        return html
    tree = lxml.html.document_fromstring(html)
    expand_datastores(tree)
    return lxml.html.tostring(tree.getroottree(), encoding="unicode")  # its own doctype


async def prepare(page: Any, job: Job) -> bool:
    """Load *job*'s kept HTML into *page*, its kept stylesheets with it and every other
    request answered empty, and outline its element; True when the element was found."""
    served, html = False, as_shown(job.html)

    async def answer(route: Any) -> None:
        nonlocal served
        request = route.request
        if not served and request.is_navigation_request() and request.frame == page.main_frame:
            served = True
            await route.fulfill(status=200, body=html.encode("utf-8"),
                                headers={"Content-Type": "text/html; charset=utf-8"})
        elif request.url in job.styles:
            await route.fulfill(status=200, body=job.styles[request.url],
                                headers={"Content-Type": "text/css"})
        else:
            await route.fulfill(status=200, body=b"")

    await page.route("**/*", answer)
    await page.goto(job.url, wait_until="load", timeout=_TIMEOUT_MS)
    return bool(await page.evaluate(_OUTLINE_JS, job.locate))


async def shows_personal_data(page: Any) -> bool:
    """Whether the rendered page's text still shows an ID number (one split across elements
    in the HTML, which masking the HTML does not see): then no screenshot is taken."""
    text = await page.evaluate("document.body ? document.body.innerText : ''")
    return mask_text(text) != text


async def new_context(browser: Any) -> Any:
    """A context for kept pages: the window's size, no scripts of the page's own."""
    return await browser.new_context(viewport=WINDOW, java_script_enabled=False,
                                     service_workers="block")


async def _render(jobs: Sequence[Job], pages: int,
                  after_each: Callable[[int], None] | None) -> dict[Any, Shot]:
    from playwright.async_api import async_playwright

    shots: dict[Any, Shot] = {}
    executable = chromium()
    if executable is None:
        return {job.key: Shot(note=f"{MISSING}：未安装 Chromium") for job in jobs}
    async with async_playwright() as driver:
        try:
            browser = await driver.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        except Exception as error:  # no browser: every screenshot says so
            return {job.key: Shot(note=f"{MISSING}：浏览器无法启动（{type(error).__name__}）")
                    for job in jobs}
        queue = deque(jobs)
        done = 0

        async def lane() -> None:
            # One page per lane, reused job after job: a new browser context per screenshot
            # cost four times the time.
            nonlocal done
            page = None
            while queue:
                job = queue.popleft()
                try:
                    if page is None:
                        page = await (await new_context(browser)).new_page()
                    await page.unroute_all()
                    outlined = await prepare(page, job)
                    if await shows_personal_data(page):
                        shots[job.key] = Shot(note=UNMASKED)
                    else:
                        image = await page.screenshot(type="jpeg", quality=QUALITY)
                        shots[job.key] = Shot(image, outlined=outlined)
                except Exception as error:  # a dead browser, a page that hangs
                    shots[job.key] = Shot(note=f"{MISSING}：渲染失败（{type(error).__name__}）")
                    page = None  # a new one for the next job, if the browser still lives
                done += 1
                if after_each is not None:
                    after_each(done)

        await asyncio.gather(*(lane() for _ in range(max(1, min(pages, len(jobs))))))
        with contextlib.suppress(Exception):  # it may be dead already
            await browser.close()
    return shots


def render(jobs: Sequence[Job], *, pages: int = 4,
           after_each: Callable[[int], None] | None = None) -> dict[Any, Shot]:
    """Screenshots of *jobs* in one headless Chromium, *pages* at a time: key → Shot.
    Never raises for a browser that fails; *after_each* (tests) is told how many are done.

    Run on a thread of its own, so it works whether or not the caller runs an event loop."""
    if not jobs:
        return {}
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _render(jobs, pages, after_each)).result()
