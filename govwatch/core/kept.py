"""Kept pages (存证): the response a finding was judged on, kept with its issue.

Part of the ground floor: the crawl's writer process fills the per-scan *spool*, the
evidence step (:mod:`govwatch.evidence`) copies what new and reopened issues need from it
into the database, the reports and ``govwatch evidence`` read it back.

The spool is a SQLite file of its own next to the database (``DB.evidence-SCAN``), not
tables in it: every HTML body the crawl reads goes there, compressed and keyed by its
SHA-256, while only the few pages with a new finding are worth keeping. A file of its own
keeps the database compact (no churn of pages written and freed in it every scan, no
VACUUM to give the space back), is written by the writer process on its own connection
without touching the scan's transactions, survives an interrupted scan that is resumed,
and is deleted with one unlink once the scan is tracked. With evidence switched off there
is no spool at all.

In the database (migrations ``0010_kept_pages``, ``0012_kept_styles``):

- ``kept_bodies``: a body, zlib-compressed, by the SHA-256 of its raw bytes: a page shared
  by many findings is kept once, and so is a stylesheet shared by many pages;
- ``kept_shots``: a screenshot (JPEG), by the SHA-256 of its bytes;
- ``kept_pages``: per issue and the scan that found (or reopened) it: the page's URL, final
  URL, status, headers, fetch time, encoding, the body's and screenshot's hashes, the link
  check's verdict for a broken link, where the offending element is (``locate``, JSON),
  how the body was had or why it is missing (``kept_note``: fetched again after a 304,
  存证缺失…), why a screenshot is missing (``shot_note``, 截图缺失…), and the page's
  stylesheets kept with it (``styles``, JSON: URL → the hash of its body in ``kept_bodies``;
  a column rather than a table of its own: a page has a few, read and dropped with its row).
"""

from __future__ import annotations

import hashlib
import json
import queue
import sqlite3
import threading
import traceback
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_SPOOL_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bodies (hash TEXT PRIMARY KEY, body BLOB) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS pages (url TEXT PRIMARY KEY, status INTEGER, headers TEXT, "
    "encoding TEXT, fetched_at TEXT, hash TEXT)",
)
_LEVEL = 6  # zlib: most of level 9's ratio on HTML at a third of its time


def spool_path(db_path: str | Path, scan_id: int) -> Path:
    """The spool of scan *scan_id*, next to the database at *db_path*."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.name}.evidence-{scan_id}")


def sha256(data: bytes) -> str:
    """The hex SHA-256 of *data* (what kept bodies and screenshots are addressed by)."""
    return hashlib.sha256(data).hexdigest()


class Spool:
    """The writer's handle on a scan's spool: bodies added as pages are read, handed in
    batches to a thread of its own that hashes, compresses and writes them, one transaction
    a batch (a resumed scan opens the same file and adds to it).

    That work costs about a tenth of the reader's time, and the crawl waits on the reader for
    every page's leads. zlib and SQLite let go of the GIL while they work, so on a thread
    they use the time the reader leaves the other core. The thread wakes once a batch, not
    once a page: waking it for each page cost more in handing the GIL back and forth than
    it saved. At most two batches wait: a slow disk holds the reader back rather than filling
    memory with bodies."""

    def __init__(self, path: str | Path, batch: int = 200) -> None:
        self.path, self.batch = path, batch
        self.pending: list[tuple] = []
        self.queue: queue.Queue[list[tuple] | None] = queue.Queue(maxsize=2)
        self.failure: BaseException | None = None  # opening the file failed
        self.failed = False  # writing failed later: bodies are dropped from then on
        ready = threading.Event()
        self.thread = threading.Thread(target=self._write, args=(ready,), name="spool",
                                       daemon=True)
        self.thread.start()
        ready.wait()
        if self.failure is not None:
            raise self.failure

    def add(self, url: str, status: int, headers: Mapping[str, str | None], encoding: str,
            fetched_at: str, body: bytes) -> None:
        """Keep *body* of *url* as fetched (the newest fetch of a URL wins); dropped once
        writing has failed."""
        if self.failed:
            return
        self.pending.append((url, status, headers, encoding, fetched_at, body))
        if len(self.pending) >= self.batch:
            self.queue.put(self.pending)
            self.pending = []

    def close(self) -> None:
        """Write what is pending, commit and close."""
        if self.pending and not self.failed:
            self.queue.put(self.pending)
        self.pending = []
        self.queue.put(None)
        self.thread.join()

    def _write(self, ready: threading.Event) -> None:
        try:
            conn = sqlite3.connect(self.path)
            conn.execute("PRAGMA synchronous = OFF")  # throw-away: a crash costs evidence only
            for statement in _SPOOL_SCHEMA:
                conn.execute(statement)
        except BaseException as error:  # handed to the caller, which raises it
            self.failure = error
            ready.set()
            return
        ready.set()
        batch = self.queue.get()
        try:
            while batch is not None:
                bodies, pages = [], []
                for url, status, headers, encoding, fetched_at, raw in batch:
                    digest = sha256(raw)
                    bodies.append((digest, zlib.compress(raw, _LEVEL)))
                    pages.append((url, status,
                                  json.dumps({k: v for k, v in headers.items() if v}),
                                  encoding, fetched_at, digest))
                with conn:
                    conn.executemany("INSERT OR IGNORE INTO bodies VALUES (?, ?)", bodies)
                    conn.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
                                     pages)
                batch = self.queue.get()
        except Exception:  # a full disk, say: the scan goes on without the rest's evidence
            traceback.print_exc()
            self.failed = True
            while batch is not None:  # let the reader go on and close
                batch = self.queue.get()
        finally:
            conn.close()


def spooled(path: str | Path, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The spooled fetches of *urls* (those the spool holds): url → status, headers (dict),
    encoding, fetched_at, hash and the compressed body (``zbody``)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = {}
        for url in set(urls):
            row = conn.execute(
                "SELECT p.status, p.headers, p.encoding, p.fetched_at, p.hash, b.body "
                "FROM pages p JOIN bodies b ON b.hash = p.hash WHERE p.url = ?",
                (url,)).fetchone()
            if row is not None:
                found[url] = {"status": row[0], "headers": json.loads(row[1] or "{}"),
                              "encoding": row[2], "fetched_at": row[3], "hash": row[4],
                              "zbody": row[5]}
        return found
    finally:
        conn.close()


def keep_body(db: Any, digest: str, zbody: bytes) -> None:
    """Keep a compressed body under its raw bytes' *digest*, once."""
    size = len(zlib.decompress(zbody))
    db.execute("INSERT OR IGNORE INTO kept_bodies (hash, size, body) VALUES (?, ?, ?)",
               [digest, size, zbody])


def keep_shot(db: Any, image: bytes, width: int, height: int, fmt: str = "jpeg") -> str:
    """Keep a screenshot once; return its hash."""
    digest = sha256(image)
    db.execute("INSERT OR IGNORE INTO kept_shots (hash, format, width, height, image) "
               "VALUES (?, ?, ?, ?, ?)", [digest, fmt, width, height, image])
    return digest


def body(db: Any, digest: str) -> bytes | None:
    """The raw bytes of the kept body *digest* (None when it is not kept)."""
    row = db.execute("SELECT body FROM kept_bodies WHERE hash = ?", [digest]).fetchone()
    return None if row is None else zlib.decompress(row[0])


def shot(db: Any, digest: str) -> tuple[bytes, str] | None:
    """The image and format of the kept screenshot *digest*, or None."""
    row = db.execute("SELECT image, format FROM kept_shots WHERE hash = ?",
                     [digest]).fetchone()
    return None if row is None else (row[0], row[1])


def issue_shot(db: Any, issue_id: int, digest: str) -> tuple[bytes, str] | None:
    """The screenshot *digest* if one of issue *issue_id*'s kept pages refers to it (else
    None, even when another issue's page has it: a hash alone opens nothing)."""
    row = db.execute("SELECT s.image, s.format FROM kept_pages p JOIN kept_shots s "
                     "ON s.hash = p.shot_hash WHERE p.issue_id = ? AND p.shot_hash = ? "
                     "LIMIT 1", [issue_id, digest]).fetchone()
    return None if row is None else (row[0], row[1])


def kept_page(db: Any, issue_id: int) -> dict[str, Any] | None:
    """The newest kept page of issue *issue_id* (the scan that last found or reopened it),
    as a dict; None when none is kept."""
    cursor = db.execute("SELECT * FROM kept_pages WHERE issue_id = ? ORDER BY scan_id DESC "
                        "LIMIT 1", [issue_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def issue_shots(db: Any, issue_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Issue id → its newest kept page's screenshot hash and note, and the page's own note,
    for *issue_ids* that have a kept page."""
    found: dict[int, dict[str, Any]] = {}
    for issue_id in issue_ids:
        page = kept_page(db, issue_id)
        if page is not None:
            found[issue_id] = {"shot_hash": page["shot_hash"], "shot_note": page["shot_note"],
                               "kept_note": page["kept_note"], "body_hash": page["body_hash"]}
    return found


def drop_orphans(db: Any) -> int:
    """Delete bodies (pages and stylesheets) and screenshots no kept page refers to; return
    how many."""
    gone = db.execute("DELETE FROM kept_bodies WHERE hash NOT IN "
                      "(SELECT body_hash FROM kept_pages WHERE body_hash IS NOT NULL) "
                      "AND hash NOT IN (SELECT s.value FROM kept_pages p, json_each(p.styles) s "
                      "WHERE p.styles IS NOT NULL)").rowcount
    gone += db.execute("DELETE FROM kept_shots WHERE hash NOT IN "
                       "(SELECT shot_hash FROM kept_pages WHERE shot_hash IS NOT NULL)"
                       ).rowcount
    return gone


# -- the sites file's evidence: section ------------------------------------------------------

# key → (the crawl setting it sets, its kind: a YAML boolean, or an integer's bounds)
EVIDENCE_KEYS: dict[str, tuple[str, tuple[int, int] | None]] = {
    "keep": ("GOVWATCH_EVIDENCE", None),
    "screenshots": ("GOVWATCH_SCREENSHOTS", None),
    "screenshot_max": ("GOVWATCH_SCREENSHOT_MAX", (0, 100000)),
    "screenshot_pages": ("GOVWATCH_SCREENSHOT_PAGES", (1, 16)),
}


def evidence_settings(config: Any) -> dict[str, Any]:
    """The crawl settings the sites file's ``evidence:`` section stands for (only the keys it
    gives; the rest keep the crawl's defaults, crawler/settings.py). ConfigError at the
    offending key's line.

    Keys (all optional): ``keep`` (true: the pages of new issues are kept, 存证),
    ``screenshots`` (false: needs Chromium), ``screenshot_max`` (500 a scan),
    ``screenshot_pages`` (4 rendered at once).
    """
    found = {}
    for key, value in config.evidence.items():
        if key not in EVIDENCE_KEYS:
            raise config.error(f"evidence: unknown key {key!r}; known: "
                               f"{', '.join(EVIDENCE_KEYS)}", f"evidence.{key}")
        setting, bounds = EVIDENCE_KEYS[key]
        if bounds is None and not isinstance(value, bool):
            raise config.error(f"evidence: {key}: must be true or false: {value!r}",
                               f"evidence.{key}")
        if bounds is not None and (isinstance(value, bool) or not isinstance(value, int)
                                   or not bounds[0] <= value <= bounds[1]):
            raise config.error(f"evidence: {key}: must be an integer from {bounds[0]} to "
                               f"{bounds[1]}: {value!r}", f"evidence.{key}")
        found[setting] = value
    return found
