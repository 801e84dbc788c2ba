"""After a scan is tracked: keep the pages of its new and reopened issues, and screenshot them.

Which pages carry findings is known only once the rules have run, so the crawl spools every
body it reads (:class:`govwatch.core.kept.Spool`); here the bodies the scan's new and
reopened issues were judged on are copied into the database (``kept_bodies``, once per
body), each issue gets its ``kept_pages`` row, the screenshots are made
(:mod:`govwatch.evidence.shots`), and the spool is deleted.

The page of an issue is its finding's source page when it has one (a broken link: the page
carrying the anchor, with the link check's verdict in ``link_status``), the first page of a
column's list, else its subject (the home page, the page a pattern matched on). A problem
found in an attachment (a PDF, a workbook) keeps the page linking it, the attachment's
anchor outlined, and says so with the attachment's content fingerprint. A page that
answered 304 was not downloaded this scan: it is fetched again and kept if unchanged
(:mod:`govwatch.evidence.refetch`), and ``kept_note`` says so; a page neither spooled nor
fetched again has a row that says why (存证缺失) and no body.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govwatch.core import kept
from govwatch.core.schema import now_iso, open_db
from govwatch.core.vocabulary import IssueCause
from govwatch.evidence.mask import decode, mask_text
from govwatch.evidence.refetch import refetch
from govwatch.evidence.shots import MISSING, WINDOW, Job, render
from govwatch.evidence.styles import Sheets

NOT_DOWNLOADED = "存证缺失：本次扫描没有下载到该页面"
OVER_REFETCH = "存证缺失：页面未变（304），超过本次扫描后重新下载的上限"
OVER_CAP = f"{MISSING}：超过本次扫描的截图上限"
ATTACHMENT = "附件中的问题：存证为链接该附件的页面"
_MATCH = re.compile(r"【(.+?)】")  # a pattern's match, as its evidence marks it
_QUOTED = re.compile(r"「(.+?)」")  # what a page printed (an empty column's 暂无信息)


@dataclass
class Kept:
    """What keeping one scan's evidence did."""

    issues: int = 0  # new and reopened issues of the scan
    pages: int = 0  # of which kept with a body
    bodies: int = 0  # distinct bodies kept
    styles: int = 0  # distinct stylesheets kept with them
    shots: int = 0  # screenshots made
    missing: list[str] = field(default_factory=list)  # notes of screenshots not made


def keep_scan(db_path: str | Path, scan_id: int, *, screenshots: bool = False,
              max_shots: int = 500, pages: int = 4, user_agent: str | None = None,
              refetch_max: int = 200,
              after_each: Callable[[int], None] | None = None) -> Kept | None:
    """Keep the evidence of tracked scan *scan_id* from its spool, then delete the spool
    (and any older scan's left behind). None when there is no spool: evidence was off.

    With *user_agent*, up to *refetch_max* pages the scan found unchanged (304) are fetched
    again under it (:mod:`govwatch.evidence.refetch`), and, with *screenshots*, the kept
    pages' stylesheets (:mod:`govwatch.evidence.styles`: they serve the screenshots only);
    without, nothing is fetched: those pages are kept without body, and screenshots drawn
    unstyled."""
    spool = kept.spool_path(db_path, scan_id)
    if not spool.exists():
        _drop_spools(db_path, scan_id)
        return None
    db = open_db(db_path)
    try:
        result = _keep(db, spool, scan_id, user_agent, refetch_max, styled=screenshots)
        if screenshots:
            _screenshots(db, scan_id, result, max_shots, pages, after_each)
    finally:
        db.close()
    _drop_spools(db_path, scan_id)
    return result


def _keep(db: Any, spool: Path, scan_id: int, user_agent: str | None,
          refetch_max: int, *, styled: bool) -> Kept:
    issues = list(db.query(
        "select i.id, i.rule_id, i.subject_url, i.source_url, i.evidence from issue_events e "
        "join issues i on i.id = e.issue_id where e.scan_id = ? and e.cause in (?, ?) "
        "order by i.id", [scan_id, IssueCause.FOUND, IssueCause.SEEN_AGAIN]))
    result = Kept(issues=len(issues))
    attachment_notes = {}
    for issue in issues:
        found = _attachment(db, scan_id, issue)
        if found is not None:
            # judged on an attachment: its evidence is the page publishing it (the issue may
            # name only the attachment, as annual_report.* does)
            issue["source_url"] = issue["source_url"] or found[0]
            attachment_notes[issue["id"]] = found[1]
    page_of = {issue["id"]: _page_url(db, scan_id, issue) for issue in issues}
    fetched = kept.spooled(spool, page_of.values())
    notes = _refetched(db, scan_id, set(page_of.values()) - set(fetched), fetched, user_agent,
                       refetch_max)
    # before the write lock; only for screenshots, the one thing stylesheets are kept for
    styles_of = _styles(fetched, set(page_of.values()), user_agent) if styled else {}
    bodies: set[str] = set()
    sheets: set[str] = set()
    now = now_iso()
    with db.conn:
        for issue in issues:
            url = page_of[issue["id"]]
            got: Mapping[str, Any] = fetched.get(url, {})
            styles = styles_of.get(url, {})
            if got:
                kept.keep_body(db, got["hash"], got["zbody"])
                bodies.add(got["hash"])
                result.pages += 1
                for digest, zbody in styles.values():
                    kept.keep_body(db, digest, zbody)
                    sheets.add(digest)
            db.execute(
                "insert or replace into kept_pages (issue_id, scan_id, url, final_url, status, "
                "headers, encoding, fetched_at, body_hash, link_status, locate, kept_note, "
                "shot_hash, shot_note, kept_at, styles) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, ?, ?)",
                [issue["id"], scan_id, url, url if got else None, got.get("status"),
                 json.dumps(got.get("headers", {}), ensure_ascii=False), got.get("encoding"),
                 got.get("fetched_at"), got.get("hash"), _link_status(db, scan_id, issue),
                 json.dumps(_locate(db, scan_id, issue), ensure_ascii=False),
                 _joined(notes.get(url, None if got else NOT_DOWNLOADED),
                         attachment_notes.get(issue["id"]) if got else None), now,
                 json.dumps({u: h for u, (h, _) in styles.items()}) if styles else None])
    result.bodies, result.styles = len(bodies), len(sheets)
    return result


def _styles(fetched: dict[str, dict[str, Any]], urls: set[str], user_agent: str | None
            ) -> dict[str, dict[str, tuple[str, bytes]]]:
    """The stylesheets of the pages of *urls* kept with a body (:meth:`Sheets.of`), each
    fetched once under *user_agent*: page url → stylesheet url → (hash, compressed body).
    None fetched without *user_agent*: then nothing leaves the machine."""
    if not user_agent:
        return {}
    sheets = Sheets(user_agent)
    return {url: sheets.of(decode(zlib.decompress(fetched[url]["zbody"]),
                                  fetched[url]["encoding"]), url)
            for url in sorted(urls & set(fetched))}


def _refetched(db: Any, scan_id: int, urls: set[str], fetched: dict[str, dict[str, Any]],
               user_agent: str | None, most: int) -> dict[str, str]:
    """Fetch again (:mod:`govwatch.evidence.refetch`) the pages of *urls* this scan found
    unchanged (304), at most *most*, adding those still the same to *fetched*; url → note."""
    if not user_agent:
        return {}
    notes = {}
    for url in sorted(urls):
        row = db.execute("select p.encoding, c.etag, c.last_modified from pages p "
                         "join page_cache c on c.url = p.url where p.scan_id = ? and p.url = ? "
                         "and p.revalidated", [scan_id, url]).fetchone()
        if row is None:
            continue  # not a page the scan found unchanged: it failed, or is no page
        if len(notes) >= most:
            notes[url] = OVER_REFETCH
            continue
        got, notes[url] = refetch(url, row[1], row[2], user_agent)
        if got is not None:
            fetched[url] = {**got, "encoding": row[0]}
    return notes


def _attachment(db: Any, scan_id: int, issue: Mapping[str, Any]
                ) -> tuple[str | None, str] | None:
    """When *issue*'s subject is an attachment the scan read: the page linking it, and the
    note its kept page carries (the attachment's content fingerprint, what ``govwatch
    documents`` lists it by); None for a problem of a page."""
    if not issue["subject_url"]:
        return None
    row = db.execute("select source_url, hash from documents where scan_id = ? and url = ?",
                     [scan_id, issue["subject_url"]]).fetchone()
    if row is None:
        return None
    said = f"；附件内容指纹 {row[1]}" if row[1] else "；附件未能读取"
    return row[0], f"{ATTACHMENT}{said}"


def _joined(*notes: str | None) -> str | None:
    return "；".join(n for n in notes if n) or None


def _page_url(db: Any, scan_id: int, issue: Mapping[str, Any]) -> str:
    """The page *issue* was judged on: its finding's source page; for a column (whose URL
    may be no page fetched), the first page of its list; else its subject."""
    if issue["source_url"]:
        return issue["source_url"]
    row = db.execute("select page_url from column_pages where scan_id = ? and column_url = ? "
                     "order by page_no limit 1", [scan_id, issue["subject_url"]]).fetchone()
    return row[0] if row is not None else issue["subject_url"]


def _link_status(db: Any, scan_id: int, issue: Mapping[str, Any]) -> str | None:
    """A broken link's check, as ``result status error`` (JSON), or None for other issues."""
    if not _is_link(issue):
        return None
    row = db.execute("select result, status_code, error, final_url from link_checks "
                     "where scan_id = ? and target_url = ?",
                     [scan_id, issue["subject_url"]]).fetchone()
    if row is None:
        return None
    return json.dumps({"result": row[0], "status": row[1], "error": row[2],
                       "final_url": row[3]}, ensure_ascii=False)


def _is_link(issue: Mapping[str, Any]) -> bool:
    source = issue["source_url"]
    return bool(source) and source != issue["subject_url"]


def _locate(db: Any, scan_id: int, issue: Mapping[str, Any]) -> dict[str, Any]:
    """Where the offending element of *issue* is on its page (see govwatch.evidence.shots)."""
    evidence = issue["evidence"] or ""
    if _is_link(issue):
        return {"href": issue["subject_url"]}
    if match := _MATCH.search(evidence):
        return {"text": mask_text(match[1])}
    if issue["rule_id"].startswith("footer."):
        raw = evidence.split(" http", 1)[0].strip()
        return {"footer": True, "text": raw}
    # a freshness finding (rules.model.newest_evidence): its newest item
    row = db.execute(
        "select title, url, date from items where scan_id = ? and (column_url = ? or "
        "page_url = ?) and date is not null order by date desc, title limit 1",
        [scan_id, issue["subject_url"], issue["subject_url"]]
    ).fetchone() if evidence.startswith("最新信息日期") else None
    if row is not None:
        return {"item": {"title": row[0], "url": row[1], "date": row[2]}}
    if match := _QUOTED.search(evidence):
        return {"text": match[1]}
    return {}


def _screenshots(db: Any, scan_id: int, result: Kept, max_shots: int, pages: int,
                 after_each: Callable[[int], None] | None) -> None:
    rows = list(db.query("select issue_id, url, encoding, body_hash, locate, styles "
                         "from kept_pages where scan_id = ? and body_hash is not null "
                         "order by issue_id",
                         [scan_id]))
    jobs = []
    for row in rows[:max_shots]:
        html = mask_text(decode(kept.body(db, row["body_hash"]) or b"", row["encoding"]))
        styles = {url: css for url, digest in json.loads(row["styles"] or "{}").items()
                  if (css := kept.body(db, digest)) is not None}
        jobs.append(Job(row["issue_id"], row["url"], html, json.loads(row["locate"] or "{}"),
                        styles))
    shots = render(jobs, pages=pages, after_each=after_each)
    with db.conn:
        for row in rows[max_shots:]:
            _note(db, row["issue_id"], scan_id, OVER_CAP)
            result.missing.append(OVER_CAP)
        for issue_id, shot in shots.items():
            if shot.image is None:
                _note(db, issue_id, scan_id, shot.note)
                result.missing.append(shot.note or MISSING)
                continue
            digest = kept.keep_shot(db, shot.image, WINDOW["width"], WINDOW["height"])
            db.execute("update kept_pages set shot_hash = ?, shot_note = ? where issue_id = ? "
                       "and scan_id = ?", [digest, None if shot.outlined else
                                           "截图未能定位问题元素", issue_id, scan_id])
            result.shots += 1


def _note(db: Any, issue_id: int, scan_id: int, note: str | None) -> None:
    db.execute("update kept_pages set shot_note = ? where issue_id = ? and scan_id = ?",
               [note or MISSING, issue_id, scan_id])


def _drop_spools(db_path: str | Path, scan_id: int) -> None:
    """Delete the spool of *scan_id* and any older scan's (one interrupted and never
    resumed, say)."""
    db_path = Path(db_path)
    for path in db_path.parent.glob(f"{db_path.name}.evidence-*"):
        number = path.name.rsplit("-", 1)[1]
        if number.isdigit() and int(number) <= scan_id:
            path.unlink(missing_ok=True)
