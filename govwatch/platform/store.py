"""The platform's SQL: accounts, sessions, sign-in attempts, answers and proof files, and the
reads its pages make of issues, their audit trail and bulletins.

Reads take a plain :class:`sqlite3.Connection` (the platform opens them read-only);
writes take the :class:`govwatch.core.schema.Store`. Every read of
issues takes *units*: the units the reader may see, or None for every unit. The unit of an
issue is its site's ``unit`` (the site's name when it has none), as in the bulletins.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlite_utils

from govwatch.core.schema import now_iso
from govwatch.core.vocabulary import IssueState

# Still the unit's to act on: listed under 我的问题 and counted as open on the dashboard.
OUTSTANDING = (IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE, IssueState.DISPUTED,
               IssueState.ANSWERED)
# Closed: fixed (a scan no longer finds it) or withdrawn; listed under 已关闭.
CLOSED = (IssueState.FIXED, IssueState.WITHDRAWN)
_UNIT = "coalesce(s.unit, s.name)"


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    """The rows of *sql* as dicts, whatever the connection's row factory."""
    cursor = conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _one(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> dict | None:
    rows = _rows(conn, sql, params)
    return rows[0] if rows else None


def _in(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


# -- accounts ---------------------------------------------------------------------------


def add_user(db: sqlite_utils.Database, login: str, password_hash: str, role: str,
             units: Iterable[str]) -> int:
    """Create an account with its units; return its id."""
    with db.atomic():
        user_id = db["users"].insert(
            {"login": login, "password_hash": password_hash, "role": role, "disabled": 0,
             "created_at": now_iso()}).last_pk
        db["user_units"].insert_all({"user_id": user_id, "unit": unit} for unit in units)
    return user_id


def user_by_login(conn: sqlite3.Connection, login: str) -> dict | None:
    """The account named *login*, or None."""
    return _one(conn, "select * from users where login = ?", [login])


def set_password(db: sqlite_utils.Database, user_id: int, password_hash: str) -> None:
    """Change an account's password and end its sessions (a stolen one stops working)."""
    with db.atomic():
        db["users"].update(user_id, {"password_hash": password_hash})
        db.execute("delete from sessions where user_id = ?", [user_id])


def disable_user(db: sqlite_utils.Database, user_id: int) -> None:
    """Disable an account and end its sessions."""
    with db.atomic():
        db["users"].update(user_id, {"disabled": 1})
        db.execute("delete from sessions where user_id = ?", [user_id])


def list_users(conn: sqlite3.Connection) -> list[dict]:
    """Every account with its units (joined by ``、``), by login."""
    return _rows(conn, """
        select u.login, u.role, u.disabled, u.created_at,
               (select group_concat(unit, '、') from
                  (select unit from user_units where user_id = u.id order by unit)) as units
        from users u order by u.login""")


def units_of(conn: sqlite3.Connection, user_id: int) -> tuple[str, ...]:
    """The units an account answers for, sorted."""
    return tuple(row[0] for row in conn.execute(
        "select unit from user_units where user_id = ? order by unit", [user_id]))


def known_units(conn: sqlite3.Connection) -> list[str]:
    """Every unit that has a site, sorted."""
    return [row[0] for row in conn.execute(
        f"select distinct {_UNIT} from sites s order by 1")]


# -- sessions and sign-in attempts -------------------------------------------------------


def create_session(db: sqlite_utils.Database, token_hash: str, user_id: int,
                   expires_at: str) -> None:
    """Record a signed-in session by the hash of its token (the token itself is never
    stored, so a copy of the database opens no session)."""
    with db.atomic():
        db.execute("delete from sessions where expires_at < ?", [now_iso()])  # ended ones
        db["sessions"].insert({"token_hash": token_hash, "user_id": user_id,
                               "created_at": now_iso(), "expires_at": expires_at})


def session_user(conn: sqlite3.Connection, token_hash: str, now: str) -> dict | None:
    """The enabled account of an unexpired session, or None."""
    return _one(conn, """
        select u.* from sessions s join users u on u.id = s.user_id
        where s.token_hash = ? and s.expires_at > ? and not u.disabled""", [token_hash, now])


def end_session(db: sqlite_utils.Database, token_hash: str) -> None:
    """Sign out: the session is gone."""
    db.execute("delete from sessions where token_hash = ?", [token_hash])
    db.conn.commit()


def record_attempt(db: sqlite_utils.Database, login: str, remote: str, at: float,
                   ok: bool) -> None:
    """Record one sign-in attempt; forget those older than a day."""
    with db.atomic():
        db["login_attempts"].insert({"login": login, "remote": remote, "at": at, "ok": int(ok)})
        db.execute("delete from login_attempts where at < ?", [at - 86400])


def failures_since(conn: sqlite3.Connection, login: str, since: float) -> int:
    """How many wrong passwords were given for *login* since *since* (epoch seconds)."""
    return conn.execute(
        "select count(*) from login_attempts where login = ? and at >= ? and not ok",
        [login, since]).fetchone()[0]


def failures_from(conn: sqlite3.Connection, remote: str, since: float) -> int:
    """How many wrong passwords came from address *remote* since *since*, for any login."""
    return conn.execute(
        "select count(*) from login_attempts where remote = ? and at >= ? and not ok",
        [remote, since]).fetchone()[0]


# -- issues as the platform shows them ---------------------------------------------------


def _visible(units: Sequence[str] | None) -> tuple[str, list[Any]]:
    """The condition (on ``i``, the issue) that keeps issues of *units* only."""
    if units is None:
        return "1 = 1", []
    # by the sites of the units, so that the index on issues.site_id finds their issues
    return (f"i.site_id in (select id from sites s where {_UNIT} in ({_in(units)}))",
            list(units))


def list_issues(conn: sqlite3.Connection, units: Sequence[str] | None,
                states: Sequence[str] = OUTSTANDING, unit: str | None = None) -> list[dict]:
    """Issues in *states* of the units visible, newest bulletin first, then by deadline;
    *unit* narrows them to one unit."""
    where, params = _visible(units)
    if unit:
        where += f" and {_UNIT} = ?"
        params.append(unit)
    # A unit's few issues are found by their sites; the state then only filters them (the
    # unary + keeps SQLite from scanning every open issue by the index on state instead).
    state = "i.state" if units is None else "+i.state"
    return _rows(conn, f"""
        select i.*, s.name as site_name, {_UNIT} as unit from issues i
        join sites s on s.id = i.site_id
        where {where} and {state} in ({_in(states)})
        order by i.published_in is null, i.published_in desc, i.deadline, i.id""",
        [*params, *map(str, states)])


def get_issue(conn: sqlite3.Connection, issue_id: int,
              units: Sequence[str] | None) -> dict | None:
    """One issue with its site's name and unit, if one of *units*; else None."""
    where, params = _visible(units)
    return _one(conn, f"""
        select i.*, s.name as site_name, s.url as site_url, {_UNIT} as unit from issues i
        join sites s on s.id = i.site_id where i.id = ? and {where}""", [issue_id, *params])


def issue_events(conn: sqlite3.Connection, issue_id: int) -> list[dict]:
    """The audit trail of one issue, oldest first."""
    return _rows(conn, "select * from issue_events where issue_id = ? order by id", [issue_id])


def fetched(conn: sqlite3.Connection, issue: dict) -> dict | None:
    """How the scan that last saw *issue* fetched its page: the subject page, or else the
    page carrying its link (time, status, title); and the link's text there, if any."""
    page = _one(conn, """
        select url, fetched_at, status, title from pages
        where scan_id = ? and url in (?, ?) order by url = ? desc limit 1""",
        [issue["last_seen_scan"], issue["subject_url"], issue["source_url"],
         issue["subject_url"]])
    if page is None:
        return None
    anchor = None
    if issue["source_url"] and issue["source_url"] != issue["subject_url"]:
        anchor = conn.execute("""
            select anchor_text from links where scan_id = ? and source_url = ?
            and target_url = ? limit 1""",
            [issue["last_seen_scan"], issue["source_url"], issue["subject_url"]]).fetchone()
    return {**page, "anchor_text": anchor[0] if anchor else None}


def unit_counts(conn: sqlite3.Connection, today: str) -> list[dict]:
    """Per unit with a site: open (outstanding), overdue, unclaimed and disputed issues.

    Unclaimed (未认领) is the bulletin's: published in an earlier bulletin than one of
    *today*, still open or overdue, claimed by nobody (an issue published today is not
    counted before its unit had a day to claim it). Overdue counts the issues the tracker
    holds overdue and the open and claimed ones whose deadline passed before *today*: the
    tracker moves those by the same rule at the next bulletin or scan, the office wants to
    know now (the column says 截至今日)."""
    from govwatch.reports.bulletin import is_unclaimed

    day = date.fromisoformat(today)
    counts = {unit: {"unit": unit, "open": 0, "overdue": 0, "unclaimed": 0, "disputed": 0}
              for unit in known_units(conn)}
    rows = _rows(conn, f"""
        select {_UNIT} as unit, i.state, i.claimed_by, i.published_on,
               coalesce(i.deadline < ?, 0) as late from issues i
        join sites s on s.id = i.site_id where i.state in ({_in(OUTSTANDING)})""",
        [today, *map(str, OUTSTANDING)])
    for issue in rows:
        row, state = counts[issue["unit"]], issue["state"]
        row["open"] += 1
        row["overdue"] += state == IssueState.OVERDUE or (
            bool(issue["late"]) and state in (IssueState.OPEN, IssueState.CLAIMED))
        row["disputed"] += state == IssueState.DISPUTED
        row["unclaimed"] += is_unclaimed(issue, day)
    return list(counts.values())


# -- answers and proof files -------------------------------------------------------------


def insert_answer(db: sqlite_utils.Database, issue_id: int, user_id: int | None, at: str,
                  note: str) -> int:
    """Record a unit's answer (已整改), by an account or (None) at the command line; return
    its id."""
    return db["answers"].insert(
        {"issue_id": issue_id, "user_id": user_id, "at": at, "note": note}).last_pk


def insert_proof(db: sqlite_utils.Database, row: dict) -> int:
    """Record one stored proof file of an answer; return its id."""
    return db["proof_files"].insert(row).last_pk


def answers(conn: sqlite3.Connection, issue_id: int) -> list[dict]:
    """The answers to an issue, oldest first, each with its proof files (``proofs``)."""
    found = _rows(conn, """
        select a.*, u.login from answers a left join users u on u.id = a.user_id
        where a.issue_id = ? order by a.id""", [issue_id])
    proofs = _rows(conn, "select * from proof_files where issue_id = ? order by id", [issue_id])
    for answer in found:
        answer["proofs"] = [p for p in proofs if p["answer_id"] == answer["id"]]
    return found


def get_proof(conn: sqlite3.Connection, proof_id: int,
              units: Sequence[str] | None) -> dict | None:
    """One proof file, if its issue is of one of *units*; else None."""
    where, params = _visible(units)
    return _one(conn, f"""
        select p.* from proof_files p join issues i on i.id = p.issue_id
        join sites s on s.id = i.site_id where p.id = ? and {where}""", [proof_id, *params])


# -- bulletins ----------------------------------------------------------------------------


def bulletins(conn: sqlite3.Connection) -> list[dict]:
    """Every published bulletin, newest first, with its totals."""
    return _rows(conn, """
        select number, date, scan_id, published_at,
               json_extract(content, '$.totals.new') as new,
               json_extract(content, '$.totals.outstanding') as outstanding,
               json_extract(content, '$.totals.overdue') as overdue
        from bulletins order by number desc""")


def bulletin_content(conn: sqlite3.Connection, number: int) -> str | None:
    """The stored content (JSON) of bulletin 第*number*期, or None."""
    row = conn.execute("select content from bulletins where number = ?", [number]).fetchone()
    return row[0] if row else None
