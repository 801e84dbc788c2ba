"""The database schema: the one module that owns every table, column, index and view.

Part of the ground floor (it imports nothing of govwatch). Each layer keeps the SQL of
what it reads and writes in a store module of its own. The schema stays
friendly to ad-hoc SQL and Datasette: plain tables, readable column names, foreign keys and
indexes on what is queried. Rows of one scan are keyed by ``scan_id``, so a running or
interrupted scan never hides the last complete one: readers ask for
:func:`latest_complete_scan`.

Migrations: :func:`open_db` brings every database to this schema. A new one is made from
``TABLES``, ``INDEXES`` and ``VIEWS`` at once; one written by an earlier govwatch gets the
named, ordered migrations of :mod:`govwatch.core.migrations` it has not had, each once, in
its own transaction, recorded in ``_migrations`` (name, version, when), the newest one's
version in ``PRAGMA user_version``; the views are made again after any migration ran. A long
migration commits in steps, so one killed midway resumes (``govwatch db upgrade`` runs it
and reports the size of each table before and after). A database whose version or
migrations are newer than this govwatch's is refused untouched. To change the schema,
change ``TABLES``/``INDEXES``/``VIEWS`` and append a migration that makes the same change
to a database of the schema before it (a test upgrades a database of the previous release
and compares it with a new one).

Tables (one row per …):
- ``sites``: configured site (id, name, url, unit, and the ``region`` its identifiers are
  checked against).
- ``scans``: scan run; ``status`` is ``running`` → ``complete`` | ``failed``.
- ``scan_sites``: site within a scan: how the home page answered (``ok``, ``unreachable``,
  ``robots_forbidden``; ``partial`` when the crawl did not settle every link target it
  discovered) and what was found: pages, columns, link targets discovered, and how many of
  those were ``unsettled`` (neither fetched nor recorded as checked or skipped), and whether
  the page budget ``capped`` the crawl.
- ``columns``: column of a site, aggregated from its list pages when the scan completes; its
  ``role`` (:class:`ColumnRole`: list, text page, hub, form) and the note it printed when it
  lists nothing (``empty_note``, the text as found: the rules judge whether it exempts).
- The crawl's detail, compact (:mod:`govwatch.core.compact`): each URL and each distinct
  reading of a page stored once, so that a page unchanged since the last scan costs that scan
  one row:

  - ``urls``: URL, once, under the integer key the other tables use;
  - ``anchors``: link as printed (target, anchor text, kind), once;
  - ``readings``: distinct reading of a page, found again by the ``hash`` of its content
    (none for one written row by row, which one page owns): its visible text (for text
    rules) and, for a home page, its raw HTML; with ``reading_links`` (its anchors),
    ``reading_items`` (dated entries, 条目, with the column listing them),
    ``reading_footer_facts`` (footer identifiers, 页面底部标识: raw text, value, valid or
    not and why, the link it is printed in, typographic remarks) and
    ``reading_column_pages`` (for a column's list page, 栏目: the column, page number, name,
    class, role, the note it printed), ``reading_messages`` (a 互动交流 board's messages:
    title, asked and answered dates, status, board 政务咨询 or 信访) and
    ``reading_decisions`` (a 双公示 list's decisions: title, 许可 or 处罚, decision and
    publication dates);
  - ``scan_pages``: URL fetched in a scan (HTML page or document) with status, type, title,
    publication date, encoding, ``revalidated`` when it answered 304 and its stored reading
    was reused, and the reading it holds;
  - ``scan_link_checks``: link target checked once per scan: result class (ok, broken,
    blocked, skipped), status code and/or error name (``crawler.linkcheck.CheckError``:
    ``not-found``, ``timeout``, ``redirect-loop``, ``rate-limited``, ``private-address``…),
    final URL and the number of redirects to it.
- Attachments read as text (crawler/documents, docs/documents.md): ``document_contents``,
  each distinct content of an attachment once, found again by the ``hash`` of its bytes
  (format, status, reason, pages, characters, bytes), with ``document_parts``, the text of
  each page or sheet (its ``label``: 第3页, a sheet's name), zlib-compressed; and
  ``scan_documents``, each attachment a scan saw: its URL and the page linking it, status
  (:class:`DocumentStatus`) and reason, its validators for the next scan's conditional
  request, ``revalidated`` when it answered 304, ``extracted`` when this scan read it (an
  unchanged content is not read again), and the content it holds.
- Views (:data:`VIEWS`) show that detail as rows with their URLs and texts spelled out,
  under the names and columns of the tables that held it before: ``pages``, ``links``
  ((source page, target) pair, anchor text, kind), ``column_pages``, ``items``,
  ``footer_facts``, ``page_texts``, ``link_checks``, ``messages`` and ``decisions``; and the
  attachments: ``documents``, ``document_pages`` (each page's text as stored, compressed).
  Rules, reports, listings and plain SQL read these (they cannot be written: rows go in
  through ``crawler/store.py``); ``link_checks.target_url`` is spelled as
  ``links.target_url`` (percent-encoded, as requested), so the two join.
- ``findings``: problem a rule found in one complete scan; ``fingerprint`` (site + rule +
  normalised subject) links the same problem across scans.
- ``evaluations``: last evaluation of a scan's rules: the date judged at, the packs and
  versions used, when, and how many findings (rules/ writes it with the findings).
- ``issues``: life of one fingerprint across scans (reports/): stable id, state
  (:class:`IssueState`), first and last seen, bulletin it was published in, deadline (限时整改),
  claim (认领), dispute, fix.
- ``issue_events``: audit trail: every state change of an issue, with its time, cause
  (:class:`IssueCause`), scan or bulletin, actor and note.
- ``tracked_scans``: complete scan whose findings the tracker has applied, with counts.
- ``bulletins``: published 纠错 bulletin (第N期): date, the scan it reports, and its content as
  JSON, so the same date always gives the same bulletin.
- ``bulletin_units``: per bulletin and unit: new, outstanding, overdue, unclaimed and fixed
  counts (the scorecard's trend chart reads them).
- ``page_cache``: the newest reading of each HTML page, across scans: its validators
  (ETag, Last-Modified) for the next scan's conditional request, the key of the request meta
  it was read under, the scan whose rows hold it, and its leads (crawler/pages/reading.py) as
  JSON, compressed (zlib).
- ``users``: account of the 纠错 platform (govwatch/platform/): login, argon2 password hash,
  role (:class:`UserRole`: office, auditor, unit), whether disabled; ``user_units``: the
  units (the ``unit`` of sites) a unit account answers for; ``sessions``: signed-in session,
  by the SHA-256 of its cookie token, until it expires; ``login_attempts``: each sign-in
  attempt (login, client, when, whether it succeeded), which rate-limit wrong passwords.
- ``answers``: a unit's 已整改 answer to an issue (who, when, what was done); ``proof_files``:
  the images or PDFs proving it, stored outside any served folder under random names.
- ``probes``: availability probe (可用性监测) of a site's home page, outside any scan: when
  (UTC, and the local ``day``), outcome (:class:`ProbeOutcome`), seconds, status or error
  (crawler/probe.py writes them; the rule ``site.availability`` reads them).
- ``kept_bodies``, ``kept_shots``, ``kept_pages``: kept pages (存证) of new and reopened
  issues: the body the finding was judged on (compressed, by its SHA-256), its screenshot,
  and per issue and scan the response's facts and its stylesheets' hashes (``styles``: their
  bodies are kept bodies too) (govwatch/core/kept.py, docs/evidence.md).
- ``pruned_scans``: scan retention pruned (govwatch/prune.py): its status and date, what was
  dropped (:class:`Pruned`) and why, the rows dropped, the bytes of pages that freed, when.
  Kept when a failed scan's own row goes, as the record that it was there.

Space: a new database frees pages incrementally (``PRAGMA auto_vacuum = INCREMENTAL``), so
a prune can hand back what it freed; ``govwatch prune`` switches an older one over with one
``VACUUM``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from govwatch.core.migrations import MIGRATIONS

logger = logging.getLogger(__name__)  # a long migration's steps, as each commits

TABLES: dict[str, dict[str, Any]] = {
    "sites": {
        "columns": {"id": str, "name": str, "url": str, "unit": str, "region": str},
        "pk": "id",
    },
    "scans": {
        "columns": {
            "id": int, "started_at": str, "finished_at": str, "status": str, "as_of": str,
            "site_ids": str,
        },
        "pk": "id",
    },
    "scan_sites": {
        "columns": {
            "scan_id": int, "site_id": str, "status": str, "home_status": int, "error": str,
            "pages": int, "columns": int, "discovered": int, "unsettled": int, "capped": int,
        },
        "pk": ("scan_id", "site_id"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "columns": {
        "columns": {
            "scan_id": int, "site_id": str, "url": str, "name": str, "name_source": str,
            "class": str, "role": str, "empty_note": str, "newest_date": str,
            "item_count": int, "pages_walked": int,
        },
        "pk": ("scan_id", "url"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    # The crawl's detail, compact (govwatch/core/compact.py): each URL once, each distinct
    # reading of a page once; the views of VIEWS show them as rows of URLs and text.
    "urls": {
        "columns": {"id": int, "url": str},
        "pk": "id",
    },
    "anchors": {
        "columns": {"id": int, "target_id": int, "anchor_text": str, "kind": str},
        "pk": "id",
    },
    "readings": {
        "columns": {"id": int, "hash": bytes, "text": str, "html": str},
        "pk": "id",
    },
    "reading_links": {
        "columns": {"reading_id": int, "anchor_id": int},
        "pk": ("reading_id", "anchor_id"),
        "foreign_keys": [("reading_id", "readings", "id"), ("anchor_id", "anchors", "id")],
    },
    "reading_items": {
        "columns": {
            "reading_id": int, "url_id": int, "column_url_id": int, "title": str, "date": str,
        },
        "pk": ("reading_id", "url_id"),
        "foreign_keys": [("reading_id", "readings", "id")],
    },
    "reading_footer_facts": {
        "columns": {
            "reading_id": int, "kind": str, "raw": str, "value": str, "valid": int,
            "problem": str, "link": str, "note": str,
        },
        "pk": ("reading_id", "kind"),
        "foreign_keys": [("reading_id", "readings", "id")],
    },
    "reading_column_pages": {
        "columns": {
            "reading_id": int, "column_url_id": int, "page_no": int, "name": str,
            "name_source": str, "class": str, "role": str, "empty_note": str,
            "item_count": int,
        },
        "pk": "reading_id",
        "foreign_keys": [("reading_id", "readings", "id")],
    },
    # Dated records a page publishes (crawler/pages/boards.py): a board's messages
    # (asked, answered, status answered|pending, board consult|petition) and a 双公示
    # list's decisions (kind permit|penalty, decided, published).
    "reading_messages": {
        "columns": {
            "reading_id": int, "url_id": int, "title": str, "asked": str, "answered": str,
            "status": str, "board": str,
        },
        "pk": ("reading_id", "url_id"),
        "foreign_keys": [("reading_id", "readings", "id")],
    },
    "reading_decisions": {
        "columns": {
            "reading_id": int, "url_id": int, "title": str, "kind": str, "decided": str,
            "published": str,
        },
        "pk": ("reading_id", "url_id"),
        "foreign_keys": [("reading_id", "readings", "id")],
    },
    "scan_pages": {
        "columns": {
            "scan_id": int, "url_id": int, "site_id": str, "status": int,
            "content_type": str, "kind": str, "title": str, "pub_date": str, "encoding": str,
            "declared_encoding": str, "depth": int, "error": str, "fetched_at": str,
            "revalidated": int, "reading_id": int,
        },
        "pk": ("scan_id", "url_id"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id"),
                         ("reading_id", "readings", "id")],
    },
    "scan_link_checks": {
        "columns": {
            "scan_id": int, "target_id": int, "result": str, "status_code": int,
            "error": str, "final_url": str, "redirects": int, "checked_at": str,
        },
        "pk": ("scan_id", "target_id"),
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    # Attachments read as text (crawler/documents): each distinct content once, by its hash,
    # with its pages' texts compressed; the scan's documents refer to it.
    "document_contents": {
        "columns": {
            "id": int, "hash": bytes, "format": str, "status": str, "reason": str,
            "pages": int, "chars": int, "bytes": int,
        },
        "pk": "id",
    },
    "document_parts": {
        "columns": {"content_id": int, "part_no": int, "label": str, "chars": int,
                    "text": bytes},
        "pk": ("content_id", "part_no"),
        "foreign_keys": [("content_id", "document_contents", "id")],
    },
    "scan_documents": {
        "columns": {
            "scan_id": int, "url_id": int, "site_id": str, "source_id": int, "format": str,
            "status": str, "reason": str, "content_id": int, "etag": str,
            "last_modified": str, "fetched_at": str, "revalidated": int, "extracted": int,
        },
        "pk": ("scan_id", "url_id"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id"),
                         ("content_id", "document_contents", "id")],
    },
    "findings": {
        "columns": {
            "scan_id": int, "site_id": str, "rule_id": str, "severity": str, "points": float,
            "subject_url": str, "source_url": str, "title": str, "detail": str,
            "evidence": str, "fingerprint": str, "pack": str, "pack_version": str,
        },
        "pk": ("scan_id", "fingerprint"),
        "foreign_keys": [("scan_id", "scans", "id"), ("site_id", "sites", "id")],
    },
    "evaluations": {
        "columns": {
            "scan_id": int, "as_of": str, "packs": str, "evaluated_at": str, "findings": int,
        },
        "pk": "scan_id",
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    # crawler/writer.py: what the next scan's conditional requests and 304s need.
    "page_cache": {
        "columns": {
            "url": str, "site_id": str, "etag": str, "last_modified": str,
            "reading_key": str, "scan_id": int, "leads": bytes,
        },
        "pk": "url",
    },
    # reports/: issues across scans, their audit trail, bulletins.
    "issues": {
        "columns": {
            "id": int, "fingerprint": str, "site_id": str, "rule_id": str, "severity": str,
            "points": float, "title": str, "subject_url": str, "source_url": str,
            "detail": str, "evidence": str, "state": str, "prior_state": str,
            "first_seen_scan": int, "first_seen_on": str, "last_seen_scan": int,
            "last_seen_on": str, "published_in": int, "published_on": str, "deadline": str,
            "deadline_estimated": int, "claimed_by": str, "claimed_at": str, "claim_note": str,
            "disputed_by": str, "dispute_reason": str, "fixed_scan": int, "fixed_on": str,
            "updated_at": str, "answered_by": str, "answered_at": str,
        },
        "pk": "id",
        "foreign_keys": [("site_id", "sites", "id")],
    },
    "issue_events": {
        "columns": {
            "id": int, "issue_id": int, "at": str, "recorded_at": str, "from_state": str,
            "to_state": str, "cause": str, "scan_id": int, "bulletin": int, "actor": str,
            "note": str,
        },
        "pk": "id",
        "foreign_keys": [("issue_id", "issues", "id")],
    },
    "tracked_scans": {
        "columns": {
            "scan_id": int, "as_of": str, "tracked_at": str, "seen": int, "found": int,
            "reopened": int, "fixed": int,
        },
        "pk": "scan_id",
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    "bulletins": {
        "columns": {
            "number": int, "date": str, "scan_id": int, "published_at": str, "content": str,
        },
        "pk": "number",
        "foreign_keys": [("scan_id", "scans", "id")],
    },
    "bulletin_units": {
        "columns": {
            "bulletin": int, "unit": str, "new": int, "outstanding": int, "overdue": int,
            "unclaimed": int, "fixed": int,
        },
        "pk": ("bulletin", "unit"),
        "foreign_keys": [("bulletin", "bulletins", "number")],
    },
    # govwatch/platform/: the 纠错 platform's accounts, sessions and the units' answers.
    "users": {
        "columns": {
            "id": int, "login": str, "password_hash": str, "role": str, "disabled": int,
            "created_at": str,
        },
        "pk": "id",
    },
    "user_units": {
        "columns": {"user_id": int, "unit": str},
        "pk": ("user_id", "unit"),
        "foreign_keys": [("user_id", "users", "id")],
    },
    "sessions": {
        "columns": {"token_hash": str, "user_id": int, "created_at": str, "expires_at": str},
        "pk": "token_hash",
        "foreign_keys": [("user_id", "users", "id")],
    },
    "login_attempts": {
        "columns": {"id": int, "login": str, "remote": str, "at": float, "ok": int},
        "pk": "id",
    },
    "answers": {
        "columns": {
            "id": int, "issue_id": int, "user_id": int, "at": str, "note": str,
        },
        "pk": "id",
        "foreign_keys": [("issue_id", "issues", "id"), ("user_id", "users", "id")],
    },
    "proof_files": {
        "columns": {
            "id": int, "answer_id": int, "issue_id": int, "stored_name": str,
            "original_name": str, "content_type": str, "size": int, "sha256": str,
        },
        "pk": "id",
        "foreign_keys": [("answer_id", "answers", "id"), ("issue_id", "issues", "id")],
    },
    # crawler/probe.py: availability probes, between scans.
    "probes": {
        "columns": {
            "id": int, "site_id": str, "url": str, "probed_at": str, "day": str,
            "outcome": str, "ok": int, "seconds": float, "status_code": int, "error": str,
        },
        "pk": "id",
        "foreign_keys": [("site_id", "sites", "id")],
    },
    # govwatch/evidence (存证): kept pages of new and reopened issues, see core/kept.py.
    "kept_bodies": {
        "columns": {"hash": str, "size": int, "body": bytes},
        "pk": "hash",
    },
    "kept_shots": {
        "columns": {"hash": str, "format": str, "width": int, "height": int, "image": bytes},
        "pk": "hash",
    },
    "kept_pages": {
        "columns": {
            "issue_id": int, "scan_id": int, "url": str, "final_url": str, "status": int,
            "headers": str, "encoding": str, "fetched_at": str, "body_hash": str,
            "link_status": str, "locate": str, "kept_note": str, "shot_hash": str, "shot_note": str,
            "kept_at": str, "styles": str,
        },
        "pk": ("issue_id", "scan_id"),
        "foreign_keys": [("issue_id", "issues", "id")],
    },
    # govwatch/prune.py: what retention dropped. No foreign key: the record outlives the
    # row of a failed scan dropped whole.
    "pruned_scans": {
        "columns": {
            "scan_id": int, "status": str, "as_of": str, "dropped": str, "reason": str,
            "rows": int, "freed": int, "pruned_at": str,
        },
        "pk": "scan_id",
    },
}

# Tables keyed by their primary key alone (no rowid): half the size where the key is most
# of the row, as in a page's links. Only tables of small rows: a row over a kilobyte or so
# spills into pages of its own.
WITHOUT_ROWID = frozenset({
    "reading_links", "reading_items", "reading_footer_facts", "scan_pages", "scan_link_checks",
    "scan_documents",
    "reading_messages", "reading_decisions",
})

INDEXES: dict[str, list[list[str]]] = {
    "scans": [["status"]],
    "anchors": [["kind"]],  # the links of one kind (documents) in a scan, from the few
    "reading_links": [["anchor_id"]],
    "reading_items": [["column_url_id"]],
    "reading_column_pages": [["column_url_id"]],
    "scan_pages": [["scan_id", "site_id"], ["reading_id"]],
    "scan_link_checks": [["scan_id", "result"]],
    "scan_documents": [["content_id"], ["url_id"]],
    "columns": [["scan_id", "site_id"]],
    "findings": [["scan_id", "site_id"], ["scan_id", "rule_id"], ["fingerprint"]],
    "issues": [["fingerprint"], ["state"], ["site_id"]],
    "issue_events": [["issue_id"]],
    "kept_pages": [["body_hash"], ["shot_hash"]],
    "bulletins": [["date"]],
    "probes": [["day", "site_id"]],
    "sessions": [["user_id"]],
    "login_attempts": [["login", "at"]],
    "answers": [["issue_id"]],
    "proof_files": [["issue_id"]],
}

# What is stored once: a URL, a link as printed (target, text, kind), a reading by its hash
# (NULL for one written row by row, which is never shared).
UNIQUE_INDEXES: dict[str, list[list[str]]] = {
    "urls": [["url"]],
    "anchors": [["target_id", "kind", "anchor_text"]],
    "readings": [["hash"]],
    "users": [["login"]],
    "document_contents": [["hash"]],
}

# The crawl's detail as rows, under the names and with the columns of the tables it was
# stored in before it was compact: what rules, reports and anyone with plain SQL read.
# Derived, so made again whenever a migration runs (see ensure_schema). A row of scan_pages
# without a kind holds a reading written without its page (row by row, in tests): it is no
# page.
VIEWS: dict[str, str] = {
    "pages": """
        select p.scan_id, p.site_id, u.url, p.status, p.content_type, p.kind, p.title,
               p.pub_date, p.encoding, p.declared_encoding, p.depth, p.error, p.fetched_at,
               p.revalidated
        from scan_pages p join urls u on u.id = p.url_id
        where p.kind is not null""",
    "links": """
        select p.scan_id, p.site_id, s.url as source_url, t.url as target_url,
               a.anchor_text, a.kind
        from scan_pages p join urls s on s.id = p.url_id
        join reading_links l on l.reading_id = p.reading_id
        join anchors a on a.id = l.anchor_id
        join urls t on t.id = a.target_id""",
    "column_pages": """
        select p.scan_id, p.site_id, cu.url as column_url, pu.url as page_url, c.page_no,
               c.name, c.name_source, c.class, c.role, c.empty_note, c.item_count
        from scan_pages p join urls pu on pu.id = p.url_id
        join reading_column_pages c on c.reading_id = p.reading_id
        join urls cu on cu.id = c.column_url_id""",
    # The column's URL by a subquery, not a left join: a view with a left join is read
    # whole before another left join can use it (the home page's items are joined so).
    "items": """
        select p.scan_id, p.site_id, pu.url as page_url,
               (select cu.url from urls cu where cu.id = i.column_url_id) as column_url,
               iu.url, i.title, i.date
        from scan_pages p join urls pu on pu.id = p.url_id
        join reading_items i on i.reading_id = p.reading_id
        join urls iu on iu.id = i.url_id""",
    "footer_facts": """
        select p.scan_id, p.site_id, u.url as page_url, f.kind, f.raw, f.value, f.valid,
               f.problem, f.link, f.note
        from scan_pages p join urls u on u.id = p.url_id
        join reading_footer_facts f on f.reading_id = p.reading_id""",
    "page_texts": """
        select p.scan_id, p.site_id, u.url, r.text, r.html
        from scan_pages p join urls u on u.id = p.url_id
        join readings r on r.id = p.reading_id
        where r.text is not null""",
    "messages": """
        select p.scan_id, p.site_id, pu.url as page_url, mu.url, m.title, m.asked,
               m.answered, m.status, m.board
        from scan_pages p join urls pu on pu.id = p.url_id
        join reading_messages m on m.reading_id = p.reading_id
        join urls mu on mu.id = m.url_id""",
    "decisions": """
        select p.scan_id, p.site_id, pu.url as page_url, du.url, d.title, d.kind, d.decided,
               d.published
        from scan_pages p join urls pu on pu.id = p.url_id
        join reading_decisions d on d.reading_id = p.reading_id
        join urls du on du.id = d.url_id""",
    "link_checks": """
        select c.scan_id, t.url as target_url, c.result, c.status_code, c.error, c.final_url,
               c.redirects, c.checked_at
        from scan_link_checks c join urls t on t.id = c.target_id""",
    # Attachments: each scan's, with the page linking it and what its content gave; its
    # pages' (or sheets') texts are zlib-compressed (SQLite has no function to inflate them:
    # ``govwatch documents --text`` and the rules read them).
    "documents": """
        select d.scan_id, d.site_id, u.url, (select s.url from urls s where s.id = d.source_id)
               as source_url, d.format, d.status, d.reason, c.pages, c.chars, c.bytes,
               lower(hex(c.hash)) as hash, d.fetched_at, d.revalidated, d.extracted
        from scan_documents d join urls u on u.id = d.url_id
        left join document_contents c on c.id = d.content_id""",
    "document_pages": """
        select d.scan_id, d.site_id, u.url, p.part_no, p.label, p.chars, p.text as text_zlib
        from scan_documents d join urls u on u.id = d.url_id
        join document_parts p on p.content_id = d.content_id""",
}

# The rows the crawl pipeline writes (crawler/store.py turns them into the compact tables),
# and so the only ones a record may name.
SCANTABLES = frozenset(
    {"pages", "links", "column_pages", "items", "footer_facts", "page_texts", "link_checks",
     "documents", "messages", "decisions"}
)
WRITTEN_BY_CRAWL = SCANTABLES | {"page_cache"}


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string, seconds precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# The schema's version, kept in the database (PRAGMA user_version): the number of migrations
# this govwatch knows. A database is at the version of the newest migration applied to it; 0:
# one from before versions were recorded.
SCHEMA_VERSION = len(MIGRATIONS)

# The record of the migrations a database has had: name, version, when (see ensure_schema).
MIGRATIONS_TABLE = "_migrations"


class StoreError(Exception):
    """A database govwatch cannot use (not SQLite, not openable, written by a newer
    govwatch): str(e) is one line naming the file."""


class Store(sqlite_utils.Database):
    """The database, whose write transactions take the write lock when they begin.

    A deferred transaction (plain ``BEGIN``) that reads and then writes cannot wait for the
    lock in WAL mode: when another process committed after its read, SQLite answers
    "database is locked" at once, whatever the busy timeout. ``BEGIN IMMEDIATE`` waits (up
    to the busy timeout) before reading, so its reads are of the latest state.
    """

    @contextmanager
    def atomic(self) -> Iterator[Store]:
        """A transaction (a savepoint inside one) that holds the write lock from its start."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.rollback()  # a no-op when the error ended the transaction already
            raise


def schema_version(conn: sqlite3.Connection, path: str | Path) -> int:
    """The schema version of the database open on *conn* (at *path*); StoreError when the
    file is not a SQLite database or a newer govwatch wrote it (it is never read or
    written then)."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise _store_error(path, error) from None
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer govwatch (schema {version} > "
                         f"{SCHEMA_VERSION}); upgrade govwatch")
    return version


def database_size(conn: sqlite3.Connection, *, tables: bool = True,
                  indexes_apart: bool = False) -> dict[str, Any]:
    """How big the database open on *conn* is: ``file`` (bytes of its pages), ``used`` (of
    those, the pages in use), ``tables``, the bytes of each table with its indexes (SQLite's
    ``dbstat``, which reads every page; empty without *tables*), largest first, and
    ``slack``, the bytes left unused inside the pages in use (None without *tables*): rows
    deleted from a page that still holds others, which no vacuum but a full one gives back;
    *indexes_apart*: each index on its own, named ``table.index``. Checkpoint the WAL first
    for the file's whole content."""
    size, count, free = (conn.execute(f"PRAGMA {name}").fetchone()[0]
                         for name in ("page_size", "page_count", "freelist_count"))
    owners = dict(conn.execute("select name, tbl_name from sqlite_master"))
    by_table: dict[str, int] = {}
    slack = 0 if tables else None
    pages_of = (conn.execute("select name, sum(pgsize), sum(unused) from dbstat group by name")
                if tables else ())
    for name, pages, unused in pages_of:
        owner = owners.get(name, name)
        key = f"{owner}.{name}" if indexes_apart and owner != name else owner
        by_table[key] = by_table.get(key, 0) + pages
        slack += unused
    return {"file": size * count, "used": size * (count - free), "slack": slack,
            "tables": dict(sorted(by_table.items(), key=lambda item: (-item[1], item[0])))}


def _store_error(path: str | Path, error: sqlite3.Error) -> Exception:
    """The StoreError for a file SQLite cannot open or read as a database; *error* itself
    for anything else (a locked database is not the file's fault)."""
    if error.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
        return StoreError(f"{path} is not a SQLite database")
    if error.sqlite_errorcode == sqlite3.SQLITE_CANTOPEN:
        return StoreError(f"{path}: cannot open the database there")
    return error


def open_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that can only read the database at *path*: for readers beside the one
    writer (WAL lets them work at once). The path goes in as a file URI, so a folder named
    with ``?`` or ``#`` cannot be taken for URI parameters."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA query_only = ON")
    return conn


def open_db(path: str | Path) -> Store:
    """Open (creating if needed) the govwatch database at *path*, in WAL mode with the schema.

    WAL lets a reader query (``govwatch columns``, Datasette) while a scan writes. StoreError
    for a file that is not a govwatch database this version can use.
    """
    try:
        db = Store(path)
        db.execute("PRAGMA busy_timeout = 10000")  # first: even switching to WAL may wait
        schema_version(db.conn, path)
        if db.execute("PRAGMA page_count").fetchone()[0] == 0:
            # a new file: only before its first page (WAL writes one) is this free
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        ensure_schema(db)
    except sqlite3.Error as error:  # one that opens but cannot be written, too (a read-only
        raise _store_error(path, error) from None  # folder: no WAL file beside it)
    return db


def ensure_schema(db: Store) -> list[str]:
    """Bring the database to this version's schema; return the names of the migrations it
    had now.

    A new database (no table of :data:`TABLES` in it) gets every table, index and view at
    once and records every migration as applied, since TABLES holds their changes. Any other
    database gets, in order, the migrations it has not had, each in a transaction of its own
    that also records it and sets the schema version (a long one does its work first in
    steps, a transaction each, so that one killed midway resumes where it stopped). The
    views, derived from the tables, are dropped before migrations run and made again after.
    An up-to-date database is only read. StoreError when a migration recorded in the
    database is not one of this govwatch's.
    """
    names = [migration.name for migration in MIGRATIONS]
    applied = _applied(db)
    if applied == set(names) and not _views_missing(db):
        return []  # the usual case: no write, so no wait for a scan's write lock
    unknown = sorted(applied - set(names))
    if unknown:
        path = db.execute("PRAGMA database_list").fetchone()[2]
        raise StoreError(f"{path} was written by a newer govwatch (migration {unknown[0]} "
                         "unknown); upgrade govwatch")
    with db.atomic():
        # Checked under the write lock: another process may have just made the tables.
        if not any(db[name].exists() for name in TABLES):
            _create_schema(db)
            return []
        _drop_views(db)
    done = []
    for version, migration in enumerate(MIGRATIONS, start=1):
        while migration.step is not None:
            with db.atomic():
                said = None if migration.name in _applied(db) else migration.step(db)
            if not said:
                break
            logger.info("%s: %s", migration.name, said)  # committed
        with db.atomic():
            if migration.name in _applied(db):  # had before, or by another process meanwhile
                continue
            migration.apply(db)
            _record_migrations(db, [migration.name], version)
        done.append(migration.name)
    with db.atomic():
        _create_views(db)
    return done


def applied_migrations(db: Store) -> list[str]:
    """The names of the migrations the database has had, in their order."""
    if not db[MIGRATIONS_TABLE].exists():
        return []
    return [row[0] for row in db.execute(f"select name from {MIGRATIONS_TABLE} order by version")]


def _applied(db: Store) -> set[str]:
    """The names of the migrations the database has had."""
    if not db[MIGRATIONS_TABLE].exists():
        return set()
    return {row[0] for row in db.execute(f"select name from {MIGRATIONS_TABLE}")}


def _views_missing(db: Store) -> bool:
    """Whether a view of :data:`VIEWS` is not in the database (one killed between its last
    migration and its views)."""
    have = {row[0] for row in db.execute("select name from sqlite_master where type = 'view'")}
    return not have >= set(VIEWS)


def _drop_views(db: Store) -> None:
    """Drop the views of :data:`VIEWS` (a database from before them has tables of their
    names, which its migrations replace)."""
    views = [row[0] for row in db.execute("select name from sqlite_master where type = 'view'")]
    for name in set(views) & set(VIEWS):
        db.execute(f"drop view [{name}]")


def _create_views(db: Store) -> None:
    """Make every view of :data:`VIEWS` as this version defines it."""
    _drop_views(db)
    for name, select in VIEWS.items():
        db.execute(f"create view [{name}] as {select.strip()}")


def _create_schema(db: Store) -> None:
    """Make every table, index and view of a new database, and record every migration."""
    for name, spec in TABLES.items():
        sql = db.create_table_sql(name, spec["columns"], pk=spec["pk"],
                                  foreign_keys=spec.get("foreign_keys"))
        if name in WITHOUT_ROWID:
            sql = sql.rstrip().rstrip(";") + " WITHOUT ROWID"
        db.execute(sql)
    for unique, specs in ((False, INDEXES), (True, UNIQUE_INDEXES)):
        for name, indexes in specs.items():
            for columns in indexes:
                db[name].create_index(columns, unique=unique)
    _create_views(db)
    _record_migrations(db, [migration.name for migration in MIGRATIONS], SCHEMA_VERSION)


def _record_migrations(db: Store, names: list[str], version: int) -> None:
    """Record *names* as applied now, and set the schema version to *version*."""
    db[MIGRATIONS_TABLE].create({"name": str, "version": int, "applied_at": str}, pk="name",
                                if_not_exists=True)
    at = now_iso()
    first = version - len(names) + 1
    db[MIGRATIONS_TABLE].insert_all(
        {"name": name, "version": number, "applied_at": at}
        for number, name in enumerate(names, start=first)
    )
    db.execute(f"PRAGMA user_version = {version}")
