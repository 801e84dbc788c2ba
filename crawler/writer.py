"""The writer process: the one writer of a scan's rows, which reads the crawl's HTML pages too.

Profiling the crawl showed its one Python process spending more time reading pages
(parsing, dated lists, links, footers) and writing rows than Scrapy spent fetching them, and
Python runs one thread at a time. So reading and writing run in a process of their own, on
the other core: the crawl hands each HTML page over and gets back its leads (where to go
next); the reader parses it (:func:`crawler.pages.reading.read_page`), writes its records, and
remembers its validators and leads in ``page_cache`` for the next scan. It is the one writer
of scan rows: the crawl's own records (link checks, documents, failures, site statuses) come
to it too, in batches, through the same channel.

A page that answered a conditional request with 304 is *replayed*: the crawl looks up its
stored reading and leads itself (``page_cache``, on a read-only connection) and only tells
the reader, which copies the page's row from the scan that holds it into this one, a batch
of pages at a time with the other rows (:func:`store.replay_readings`): the row refers to
the stored reading, which is not copied. The page is not parsed again, and the crawl waits
on nothing. A page read is stored as one reading (:func:`store.write_readings`), once for
every scan and page that read the same.

The channel is a socket pair carrying frames of a 4-byte length and a pickle. The crawl's
side (:class:`ReaderClient`) never blocks its event loop: it writes when the socket takes
bytes and reads replies as they come, in the order of the requests that want one. The
reader's side (:func:`serve`) is a plain blocking loop. Messages, crawl → reader:

- ``("read", Visit, LinkCheckRecord)`` → :class:`~crawler.pages.reading.Leads`;
- ``("replayed", site_id, url, from_scan, home, LinkCheckRecord, fetched_at)``, no reply;
- ``("store", [records])``, no reply;
- ``("close",)`` → None, once every row is committed.

The reader ignores SIGINT: a Ctrl-C stops the crawl, which then closes the reader, so the
rows of the last seconds are written. If the crawl dies outright, the reader sees the socket
close, writes what it holds, and exits.

With evidence on (``GOVWATCH_EVIDENCE``), each page read is also kept in the scan's spool
(:class:`govwatch.core.kept.Spool`, a file of its own), here in the reader's process, so the
crawl's event loop does not wait on it, after the page's leads are sent back, by a thread.

Settings: ``GOVWATCH_STORE_BATCH`` (rows and replays buffered before one transaction,
default 1000), ``GOVWATCH_STORE_FLUSH_SECONDS`` (default 2), ``GOVWATCH_MAX_LIST_PAGES``,
``GOVWATCH_FOOTER_SAMPLE`` (inner pages whose footer is read, per site).
"""

from __future__ import annotations

import asyncio
import json
import pickle
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, BinaryIO

from govwatch.core.compact import Ids
from govwatch.core.kept import Spool, spool_path
from govwatch.core.schema import open_db
from govwatch.core.vocabulary import CheckError, LinkResult, SiteStatus
from govwatch.crawler import store
from govwatch.crawler.pages.errorpage import ErrorSigns
from govwatch.crawler.pages.reading import Leads, Visit, read_page, reading_key
from govwatch.crawler.records import LinkCheckRecord, SiteCappedRecord, SiteStatusRecord
from govwatch.crawler.scanlock import join

_LENGTH = struct.Struct("!I")


class ReaderError(Exception):
    """Reading a page failed in the writer process; the message carries its traceback."""


class ReaderGone(Exception):
    """The writer process ended before the crawl did: nothing more can be stored."""


# -- the reader's side ---------------------------------------------------------------------


class ScanWriter:
    """Buffer rows and write them, batch by batch, one transaction each.

    A commit per row is what makes naive crawlers slow, while a crawl killed outright should
    lose seconds of work, not minutes: a batch is written at ``batch`` rows or after
    ``seconds``. Rows replace rows of the same key, so a resumed scan that fetches a page again
    does not duplicate it.
    """

    def __init__(self, db: Any, scan_id: int, batch: int, seconds: float) -> None:
        self.db = db
        self.scan_id = scan_id
        self.batch = batch
        self.seconds = seconds
        self.buffer: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.readings: list[dict[str, list[dict[str, Any]]]] = []  # a page's rows by table
        self.ids = Ids(db.conn)  # the keys of URLs and anchors met, kept across batches
        self.replays: list[tuple[str, int, str]] = []  # (url, from_scan, fetched_at)
        self.pending = 0  # rows and replays buffered since the last commit
        self.flushed_at = time.monotonic()

    def add(self, record: Any) -> None:
        """Buffer the rows of one record; a site status is written at once."""
        if isinstance(record, SiteStatusRecord):
            self.flush()
            with self.db.conn:
                store.set_site_status(self.db, self.scan_id, record.site_id,
                                      SiteStatus(record.status), record.home_status,
                                      record.error)
            return
        if isinstance(record, SiteCappedRecord):
            with self.db.conn:
                store.mark_site_capped(self.db, self.scan_id, record.site_id)
            return
        rows = record.rows()
        for row in rows:
            row["scan_id"] = self.scan_id
        self._buffer(record.table, rows)

    def add_reading(self, records: list[Any]) -> None:
        """Buffer the records of one page's reading (its page record first), stored as one
        reading (see :func:`store.write_readings`)."""
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            rows[record.table].extend(record.rows())
        self.readings.append(rows)
        self._count(sum(map(len, rows.values())))

    def remember(self, visit: Visit, leads: Leads) -> None:
        """Keep what the next scan needs to reuse this reading of *visit*'s page."""
        self._buffer("page_cache", [{
            "url": visit.url, "site_id": visit.site_id, "etag": visit.etag,
            "last_modified": visit.last_modified, "reading_key": reading_key(visit.meta),
            "scan_id": self.scan_id, "leads": leads.to_json(),
        }])

    def replayed(self, url: str, from_scan: int, fetched_at: str) -> None:
        """Buffer the copy of *url*'s reading stored in *from_scan* into this scan; copies
        are made batch by batch with the rows (see :func:`store.replay_readings`)."""
        self.replays.append((url, from_scan, fetched_at))
        self._count(1)  # copied set-based with the batch's others: about a row's cost

    def _buffer(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.buffer[table].extend(rows)
        self._count(len(rows))

    def _count(self, pending: int) -> None:
        self.pending += pending
        if self.pending >= self.batch or time.monotonic() - self.flushed_at > self.seconds:
            self.flush()

    def flush(self) -> None:
        """Write every buffered row and reading and copy every buffered replay, in one
        transaction."""
        try:
            with self.db.conn:
                for table, rows in self.buffer.items():
                    store.write_rows(self.db, table, rows, self.ids)
                if self.readings:
                    store.write_readings(self.db, self.scan_id, self.readings, self.ids)
                if self.replays:
                    store.replay_readings(self.db, self.scan_id, self.replays)
        except BaseException:
            self.ids.forget()  # keys made in the transaction rolled back are gone
            raise
        self.buffer.clear()
        self.readings.clear()
        self.replays.clear()
        self.pending = 0
        self.flushed_at = time.monotonic()


class PageReader:
    """Read pages, or replay their stored readings, into the scan's rows."""

    def __init__(self, writer: ScanWriter, *, today: date, max_list_pages: int,
                 footer_sample: int, signs: ErrorSigns | None = None) -> None:
        self.writer = writer
        self.today = today
        self.max_list_pages = max_list_pages
        self.footer_sample = footer_sample
        self.signs = signs  # of error pages (soft 404s); None: not looked for
        self.footers: Counter[str] = Counter()  # inner pages whose footer was read, per site

    def read(self, visit: Visit, check: LinkCheckRecord) -> Leads:
        """Read *visit*, write its records and its own link check; return its leads.

        An error page (a soft 404) has its check marked broken and is not remembered for
        the next scan, so it is fetched and judged afresh rather than replayed."""
        sampled = self._sample_footer(visit.site_id, visit.home)
        reading = read_page(visit, today=self.today, max_list_pages=self.max_list_pages,
                            sample_footer=sampled, signs=self.signs)
        if reading.error_page is not None:
            if sampled and not visit.home:
                self.footers[visit.site_id] -= 1  # no footer was read: the sample goes on
            if check.result == LinkResult.OK:
                check = replace(check, result=CheckError.SOFT_404.result,
                                error=CheckError.SOFT_404)
        self.writer.add(check)
        self.writer.add_reading(reading.records)
        if reading.error_page is None:
            self.writer.remember(visit, reading.leads)
        return reading.leads

    def replayed(self, site_id: str, url: str, from_scan: int, home: bool,
                 check: LinkCheckRecord, fetched_at: str) -> None:
        """Reuse the reading of an unchanged page stored in *from_scan*, with its own link
        *check*; the crawl has made sure the reading is there."""
        if not home and store.has_footer_facts(self.writer.db, from_scan, url):
            # the stored reading sampled its footer: it counts towards this scan's sample
            self.footers[site_id] += 1
        self.writer.add(check)
        self.writer.replayed(url, from_scan, fetched_at)

    def _sample_footer(self, site_id: str, home: bool) -> bool:
        """Whether this page's footer is read: the home page's, and the site's first few
        (pages replayed with their footer facts count too)."""
        if home:
            return True
        if self.footers[site_id] >= self.footer_sample:
            return False
        self.footers[site_id] += 1
        return True


def _read_frame(stream: BinaryIO) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError
    return pickle.loads(body)


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def serve(sock: socket.socket, config: dict[str, Any]) -> None:
    """The reader's loop: answer the crawl's messages on *sock* until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl says when to stop
    if config.get("lock_fd") is not None:
        join(config["lock_fd"], "writer")
    db = open_db(config["db"])
    writer = ScanWriter(db, config["scan_id"], config["batch"], config["seconds"])
    signs = config.get("soft404")
    reader = PageReader(writer, today=date.fromisoformat(config["as_of"]),
                        max_list_pages=config["max_list_pages"],
                        footer_sample=config["footer_sample"],
                        signs=ErrorSigns.from_config(signs) if signs else None)
    spool = Spool(spool_path(config["db"], config["scan_id"])) if config.get("evidence") else None
    stream = sock.makefile("rb")
    try:
        while True:
            try:
                kind, *args = _read_frame(stream)
            except EOFError:
                return  # the crawl is gone: keep what was read
            if kind == "store":
                for record in args[0]:
                    writer.add(record)
                continue
            if kind == "replayed":
                reader.replayed(*args)
                continue
            if kind == "close":
                writer.flush()
                sock.sendall(_frame(None))
                return
            try:
                reply = reader.read(*args)
            except Exception:  # one odd page must not end the scan; the crawl logs it
                reply = ReaderError(traceback.format_exc())
            sock.sendall(_frame(reply))
            if spool is not None:  # after the reply: the crawl waits on its leads, not this
                _spool(spool, args[0])
    finally:
        writer.flush()
        db.close()
        if spool is not None:
            spool.close()


def _spool(spool: Spool, visit: Visit) -> None:
    """Keep the body of *visit* in the scan's spool (a spool failure costs evidence only)."""
    headers = {"Content-Type": visit.content_type, "ETag": visit.etag,
               "Last-Modified": visit.last_modified}
    try:
        spool.add(visit.url, visit.status, headers, visit.encoding, visit.fetched_at,
                  visit.body)
    except Exception:  # a full disk, say: the scan goes on without this page's evidence
        traceback.print_exc()


# -- the crawl's side ----------------------------------------------------------------------


class ReaderClient:
    """The crawl's handle on its writer process."""

    def __init__(self, process: subprocess.Popen, sock: socket.socket,
                 on_lost: Callable[[], None] = lambda: None) -> None:
        self.process = process
        self.sock = sock
        self.on_lost = on_lost  # the crawl stops: what it fetched could no longer be kept
        self.outgoing = bytearray()
        self.incoming = bytearray()
        self.waiting: deque[asyncio.Future] = deque()  # one per message that wants a reply
        self.loop: asyncio.AbstractEventLoop | None = None
        self.writing = False
        self.gone = False

    @classmethod
    def start(cls, config: dict[str, Any],
              on_lost: Callable[[], None] = lambda: None) -> ReaderClient:
        """Start a writer process for *config* (db, scan_id, as_of, batch, seconds,
        max_list_pages, footer_sample, soft404: the signs of error pages as
        :meth:`ErrorSigns.config` gives them, lock_fd). It imports while the crawl starts
        up; *on_lost* is
        called once if it ends before the crawl closes it."""
        ours, theirs = socket.socketpair()
        # The scan lock (crawler/scanlock.py) too: the database stays locked until the
        # reader, the last writer of the scan, has ended.
        lock = (config["lock_fd"],) if config.get("lock_fd") is not None else ()
        process = subprocess.Popen(
            [sys.executable, "-m", "govwatch.crawler.writer", str(theirs.fileno()),
             json.dumps(config)],
            pass_fds=(theirs.fileno(), *lock),
        )
        theirs.close()
        ours.setblocking(False)
        return cls(process, ours, on_lost)

    def read(self, visit: Visit, check: LinkCheckRecord) -> asyncio.Future:
        """Have *visit* read and stored, with its own link *check*; resolves to its Leads."""
        return self._ask(("read", visit, check))

    def replayed(self, site_id: str, url: str, from_scan: int, home: bool,
                 check: LinkCheckRecord, fetched_at: str) -> None:
        """Have the reading of *url* stored in *from_scan* copied into this scan, with its
        own link *check*, *fetched_at* when it answered 304 (no reply)."""
        self._send(("replayed", site_id, url, from_scan, home, check, fetched_at))

    def store(self, records: list[Any]) -> None:
        """Have *records* written (no reply)."""
        self._send(("store", records))

    def close(self, timeout: float = 600.0) -> None:
        """Send what is left, wait until the reader has committed every row, and let it end."""
        if self.loop is not None:
            self.loop.remove_reader(self.sock.fileno())
            if self.writing:
                self.loop.remove_writer(self.sock.fileno())
        try:
            if not self.gone:
                self.sock.setblocking(True)
                self.sock.sendall(bytes(self.outgoing) + _frame(("close",)))
                stream = self.sock.makefile("rb")
                while self.waiting:  # replies still owed come before the close's
                    self._resolve(_read_frame(stream))
                _read_frame(stream)
        except (OSError, EOFError):
            pass  # the reader ended on its own: it wrote what it held
        finally:
            self.sock.close()
            self.process.wait(timeout=timeout)

    def _ask(self, message: tuple) -> asyncio.Future:
        future = self._event_loop().create_future()
        if self.gone:
            future.set_exception(ReaderGone("the writer process has ended"))
            return future
        self.waiting.append(future)
        self._send(message)
        return future

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            self.loop = asyncio.get_event_loop()  # the reactor's loop, first used in a callback
            self.loop.add_reader(self.sock.fileno(), self._on_readable)
        return self.loop

    def _send(self, message: tuple) -> None:
        if self.gone:
            raise ReaderGone("the writer process has ended")
        self._event_loop()
        self.outgoing += _frame(message)
        self._write()

    def _write(self) -> None:
        try:
            sent = self.sock.send(self.outgoing) if self.outgoing else 0
        except BlockingIOError:
            sent = 0
        except OSError:
            self._lost()
            return
        del self.outgoing[:sent]
        if self.outgoing and not self.writing:
            self.loop.add_writer(self.sock.fileno(), self._write)
            self.writing = True
        elif not self.outgoing and self.writing:
            self.loop.remove_writer(self.sock.fileno())
            self.writing = False

    def _on_readable(self) -> None:
        try:
            chunk = self.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._lost()
            return
        self.incoming += chunk
        while len(self.incoming) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self.incoming)
            if len(self.incoming) < _LENGTH.size + size:
                break
            payload = bytes(self.incoming[_LENGTH.size:_LENGTH.size + size])
            del self.incoming[:_LENGTH.size + size]
            try:
                reply = pickle.loads(payload)
            except Exception as error:  # still this caller's reply: the next is the next's
                reply = ReaderError(f"unreadable reply: {error!r}")
            self._resolve(reply)

    def _resolve(self, reply: Any) -> None:
        future = self.waiting.popleft()
        if future.done():
            return
        if isinstance(reply, ReaderError):
            future.set_exception(reply)
        else:
            future.set_result(reply)

    def _lost(self) -> None:
        """The reader ended: every caller waiting for it is told, nothing more is sent, and
        the crawl is asked to stop."""
        if self.gone:
            return
        self.gone = True
        self.on_lost()
        self.loop.remove_reader(self.sock.fileno())
        if self.writing:
            self.loop.remove_writer(self.sock.fileno())
            self.writing = False
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(ReaderGone("the writer process has ended"))


if __name__ == "__main__":
    # Through the module's own name, so that a ReaderError sent back unpickles in the crawl
    # as crawler.writer.ReaderError, not as __main__'s.
    from govwatch.crawler import writer

    writer.serve(socket.socket(fileno=int(sys.argv[1])), json.loads(sys.argv[2]))
