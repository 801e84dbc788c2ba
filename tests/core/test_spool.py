"""The evidence spool (govwatch/core/kept.py): the reader adds page bodies, a thread of the
spool writes them in batches; what was added is there after close, and a failure while
writing costs evidence only, never the reader's progress."""

from __future__ import annotations

import threading
import zlib

import pytest

from govwatch.core import kept
from govwatch.core.kept import Spool, spooled

HEADERS = {"Content-Type": "text/html", "ETag": '"a"', "Last-Modified": None}


def _add(spool: Spool, n: int) -> None:
    for i in range(n):
        spool.add(f"http://a.gov.cn/{i}.html", 200, HEADERS, "utf-8",
                  "2026-11-24T00:00:00+00:00", f"<p>第{i}页</p>".encode())


def _close_in_time(spool: Spool, seconds: float = 10) -> None:
    closing = threading.Thread(target=spool.close, daemon=True)
    closing.start()
    closing.join(seconds)
    assert not closing.is_alive(), "close() hung"


def test_every_body_added_is_spooled_across_batches_and_the_newest_fetch_wins(tmp_path):
    path = tmp_path / "db.evidence-1"
    spool = Spool(path, batch=7)
    _add(spool, 30)  # four whole batches and a part one, written at close
    spool.add("http://a.gov.cn/0.html", 404, HEADERS, "utf-8", "2026-11-25T00:00:00+00:00",
              b"gone")
    _close_in_time(spool)
    found = spooled(path, [f"http://a.gov.cn/{i}.html" for i in range(31)])
    assert len(found) == 30
    assert zlib.decompress(found["http://a.gov.cn/29.html"]["zbody"]) == "<p>第29页</p>".encode()
    assert found["http://a.gov.cn/29.html"]["headers"] == {"Content-Type": "text/html",
                                                          "ETag": '"a"'}
    assert (found["http://a.gov.cn/0.html"]["status"],
            zlib.decompress(found["http://a.gov.cn/0.html"]["zbody"])) == (404, b"gone")


def test_a_spool_that_cannot_be_opened_says_so_at_once(tmp_path):
    with pytest.raises(Exception):  # noqa: B017 - sqlite3's own error, whatever its class
        Spool(tmp_path / "missing-folder" / "db.evidence-1")


def test_a_failure_while_writing_drops_the_rest_and_never_holds_the_reader(
        tmp_path, monkeypatch, capsys):
    calls = 0
    compress = zlib.compress

    def failing(data: bytes, level: int = -1) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 12:
            raise OSError("No space left on device")
        return compress(data, level)

    monkeypatch.setattr(kept.zlib, "compress", failing)
    path = tmp_path / "db.evidence-1"
    spool = Spool(path, batch=5)
    adding = threading.Thread(target=_add, args=(spool, 200), daemon=True)
    adding.start()
    adding.join(10)
    assert not adding.is_alive(), "add() blocked after the spool failed"
    _close_in_time(spool)
    assert spool.failed
    assert "No space left on device" in capsys.readouterr().err
    # the two batches written before the failure are kept; nothing after it
    assert len(spooled(path, [f"http://a.gov.cn/{i}.html" for i in range(200)])) == 10
