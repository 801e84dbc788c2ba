"""The platform's web application (Starlette): pages, actions and the guards around them.

Guards, outermost first: security headers on every answer; a cap on the request body
before it is read; then every handler signs the account in from its session cookie,
checks a POST's CSRF token (:mod:`govwatch.platform.csrf`: bound to the session; without
it, or with another, 403), refuses an auditor's change (403), and looks each issue, proof
file and action up among the issues of the account's own units, so that another unit's
answers 404, as if nothing were there.

Reads run on read-only connections in worker threads, so a scan holding the write lock
slows no page; a change waits (up to the busy timeout) for the lock in a worker thread too.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlite_utils
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govwatch.core import kept
from govwatch.core.defaults import bulletin_stem
from govwatch.core.schema import Store, open_db, open_read_only
from govwatch.core.vocabulary import IssueCause, IssueState, LinkResult, UserRole
from govwatch.evidence.mask import masked_body
from govwatch.platform import auth, lists, store
from govwatch.platform.answers import record_answer
from govwatch.platform.auth import PlatformError, TooManyAttempts, User
from govwatch.platform.csrf import Csrf, kept_secret
from govwatch.platform.settings import (
    BODY_MAX_BYTES,
    SESSION_COOKIE,
    SESSION_HOURS,
    SIGN_IN_COOKIE,
    UPLOAD_MAX_BYTES,
    UPLOAD_MAX_FILES,
    PlatformSettings,
    secret_path_for,
)
from govwatch.platform.uploads import check_proof, proof_path
from govwatch.reports import ReportError, tracker
from govwatch.reports.tables import Section

CAUSE_LABELS = {
    IssueCause.FOUND: "扫描发现", IssueCause.SEEN_AGAIN: "再次发现",
    IssueCause.ABSENT: "复查已整改",
    IssueCause.PUBLISHED: "通报", IssueCause.DEADLINE_PASSED: "逾期",
    IssueCause.CLAIMED: "认领", IssueCause.REJECTED: "申请复核", IssueCause.CONFIRMED: "维持问题",
    IssueCause.WITHDRAWN: "撤销问题", IssueCause.ANSWERED: "报已整改",
    IssueCause.STILL_SEEN: "复查未通过",
}
# A unit disputes what was published to it (the tracker also takes new ones, for the office).
_DISPUTABLE = (IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE)
# The scorecard files the CLI and the scheduler write to the output folder (scorecard-DATE).
_SCORECARD_FILE = re.compile(r"scorecard-(\d{4}-\d\d-\d\d)\.(html|xlsx)")
_BULLETIN_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
# A kept page is the site's HTML: downloaded, never run inside the platform, never cached.
_KEPT_HEADERS = {"Content-Security-Policy": "sandbox", "Cache-Control": "private, no-store"}
# A screenshot's URL names its hash: the bytes under it never change, the browser keeps them.
_SHOT_CACHE = "private, max-age=31536000, immutable"
_SHOT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_ALL = tuple(UserRole)
_READERS = (UserRole.OFFICE, UserRole.AUDITOR)
_OFFICE = (UserRole.OFFICE,)

Body = Callable[[Request, User, FormData | None], Response]


class Platform:
    """The application over one database: its settings, templates and handlers."""

    def __init__(self, settings: PlatformSettings) -> None:
        self.settings = settings
        env = Environment(loader=PackageLoader("govwatch.platform", "templates"),
                          autoescape=select_autoescape(default=True, default_for_string=True))
        env.globals.update(state_label=lambda s: IssueState(s).label if s else "",
                           cause_label=lambda c: CAUSE_LABELS.get(c, c),
                           role_label=lambda r: UserRole(r).label)
        self.templates = Jinja2Templates(env=env)
        self.csrf = Csrf(settings.csrf_secret
                         or kept_secret(secret_path_for(settings.db_path)))

    # -- connections -----------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection: it never waits for a scan's write lock."""
        conn = open_read_only(self.settings.db_path)
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """The database for one change (its transactions wait for the write lock)."""
        db = open_db(self.settings.db_path)
        try:
            yield db
        finally:
            db.close()

    # -- helpers -----------------------------------------------------------------------

    def today(self) -> date:
        """Today in the office's time zone (deadlines and bulletins are dated so)."""
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    def now(self) -> str:
        """The local time, to the second: what the audit trail records."""
        return datetime.now(ZoneInfo(self.settings.timezone)).replace(microsecond=0).isoformat()

    def render(self, request: Request, name: str, context: dict[str, Any],
               status: int = 200, cookie: str | None = None) -> Response:
        """Template *name* with *context* and the CSRF token of the browser's session (or
        of its sign-in *cookie*, before sign-in)."""
        cookie = cookie or request.cookies.get(SESSION_COOKIE)
        return self.templates.TemplateResponse(
            request, name, {"csrftoken": self.csrf.token(cookie) if cookie else "", **context},
            status_code=status)

    def csrf_ok(self, request: Request, form: FormData, cookie_name: str) -> bool:
        """Whether a POST carries the token of the browser's *cookie_name* cookie."""
        token = form.get("csrftoken") or request.headers.get("x-csrftoken")
        return self.csrf.valid(token if isinstance(token, str) else None,
                               request.cookies.get(cookie_name))

    def user_of(self, request: Request) -> User | None:
        """The account signed in with the request's session cookie, or None."""
        with self.reading() as conn:
            return auth.session_user(conn, request.cookies.get(SESSION_COOKIE))

    def endpoint(self, body: Body, roles: tuple[UserRole, ...] = _ALL,
                 change: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """The endpoint around *body*: the account signed in (else to /login), allowed to
        change things when the body does (*change*: else 403, an auditor), of
        one of *roles* (else 404: the page is not there for it); the posted form parsed
        within limits and carrying the session's CSRF token (else 403); then *body* in a
        worker thread."""

        async def handle(request: Request) -> Response:
            user = await run_in_threadpool(self.user_of, request)
            if user is None:
                return RedirectResponse("/login", status_code=303)
            if change and not user.may_change:
                raise HTTPException(403, "审计账号只能查看，不能修改")
            if user.role not in roles:
                raise HTTPException(404)
            form = None
            if request.method == "POST":
                form = await request.form(max_files=UPLOAD_MAX_FILES, max_fields=20)
                if not self.csrf_ok(request, form, SESSION_COOKIE):
                    await form.close()
                    raise HTTPException(403, "页面已过期，请刷新后重试")
            try:
                return await run_in_threadpool(body, request, user, form)
            finally:
                if form is not None:
                    await form.close()

        return handle

    def issue_or_404(self, conn: sqlite3.Connection, request: Request, user: User) -> dict:
        """The issue of the URL, if the account may see it; 404 otherwise."""
        issue = store.get_issue(conn, request.path_params["issue_id"], user.visible_units)
        if issue is None:
            raise HTTPException(404)
        return issue

    # -- sign in and out -----------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        """The sign-in page (home, when already signed in)."""
        if await run_in_threadpool(self.user_of, request):
            return RedirectResponse("/", status_code=303)
        return self.sign_in_form(request, {})

    def sign_in_form(self, request: Request, context: dict[str, Any],
                     status: int = 200) -> Response:
        """The sign-in page, with the sign-in cookie its token is bound to."""
        cookie = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
        response = self.render(request, "login.html", context, status, cookie=cookie)
        response.set_cookie(SIGN_IN_COOKIE, cookie, max_age=SESSION_HOURS * 3600, path="/",
                            httponly=True, samesite="strict", secure=self.secure(request))
        return response

    async def login(self, request: Request) -> Response:
        """Sign in: a session cookie and home, or the form again saying why not."""
        form = await request.form(max_files=0, max_fields=5)
        if not self.csrf_ok(request, form, SIGN_IN_COOKIE):
            raise HTTPException(403, "页面已过期，请刷新后重试")
        login, password = str(form.get("login") or "").strip(), str(form.get("password") or "")
        remote = request.client.host if request.client else ""

        def sign_in() -> str:
            with self.writing() as db:
                return auth.sign_in(db, login, password, remote)

        try:
            token = await run_in_threadpool(sign_in)
        except TooManyAttempts as error:
            return self.sign_in_form(request, {"error": str(error), "login": login}, 429)
        except PlatformError as error:
            return self.sign_in_form(request, {"error": str(error), "login": login}, 400)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_HOURS * 3600, path="/",
                            httponly=True, samesite="lax", secure=self.secure(request))
        return response

    def secure(self, request: Request) -> bool:
        """Whether cookies go over https only: configured so, or reached over https."""
        return self.settings.https or request.url.scheme == "https"

    async def logout(self, request: Request) -> Response:
        """Sign out: the session ends, its cookie is dropped."""
        token = request.cookies.get(SESSION_COOKIE)
        form = await request.form(max_files=0, max_fields=5)
        if token and self.csrf_ok(request, form, SESSION_COOKIE):
            def end() -> None:
                with self.writing() as db:
                    store.end_session(db, auth.token_hash(token))
            await run_in_threadpool(end)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=self.secure(request))
        return response

    # -- pages -----------------------------------------------------------------------------

    def home(self, request: Request, user: User, form: FormData | None) -> Response:
        """A unit to its problems, the office and auditors to the dashboard."""
        target = "/issues" if user.role == UserRole.UNIT else "/dashboard"
        return RedirectResponse(target, status_code=303)

    def issue_rows(self, conn: sqlite3.Connection, request: Request,
                   user: User) -> list[dict]:
        """The issues the list of the URL shows the account: its units' (all, for the office
        and auditors), of ``?unit=`` if given, closed with ``?closed=1``, else outstanding."""
        unit = request.query_params.get("unit") or None
        closed = request.query_params.get("closed") == "1"
        return store.list_issues(conn, user.visible_units, unit=unit,
                                 states=store.CLOSED if closed else store.OUTSTANDING)

    def issues(self, request: Request, user: User, form: FormData | None) -> Response:
        """我的问题 (a unit) or every unit's open problems, with the days left; with
        ``?closed=1`` the closed ones (已关闭: fixed or withdrawn) instead."""
        unit = request.query_params.get("unit") or None
        closed = request.query_params.get("closed") == "1"
        with self.reading() as conn:
            rows = self.issue_rows(conn, request, user)
            units = user.units if user.role == UserRole.UNIT else store.known_units(conn)
        today = self.today()
        for row in rows:
            row["days_left"] = ((date.fromisoformat(row["deadline"]) - today).days
                                if row["deadline"] else None)
        return self.render(request, "issues.html", {
            "user": user, "issues": rows, "units": units, "unit": unit, "closed": closed,
            "title": "我的问题" if user.role == UserRole.UNIT else "问题列表"})

    def download(self, request: Request, sections: tuple[Section, ...],
                 content: dict[str, Any], stem: str) -> Response:
        """*sections* of *content* as the URL's format asks: CSV (the first section, UTF-8
        with BOM, for Excel and WPS) or XLSX (a sheet each), as an attachment."""
        fmt = request.path_params["fmt"]
        name = f"{stem}-{self.today().isoformat()}.{fmt}"
        headers = {"Content-Disposition": _attachment(name)}
        if fmt == "csv":
            return Response(lists.csv_text(sections[0], content), media_type=lists.CSV_TYPE,
                            headers=headers)
        if fmt == "xlsx":
            return Response(lists.xlsx_bytes(sections, content, name),
                            media_type=lists.XLSX_TYPE, headers=headers)
        raise HTTPException(404)

    def issues_export(self, request: Request, user: User, form: FormData | None) -> Response:
        """The list of the URL (its unit, open or closed) as a download."""
        with self.reading() as conn:
            rows = self.issue_rows(conn, request, user)
        for row in rows:
            row["state"] = IssueState(row["state"]).label
        return self.download(request, (lists.ISSUES,), {"issues": rows}, "问题列表")

    def issue(self, request: Request, user: User, form: FormData | None,
              error: str | None = None, status: int = 200) -> Response:
        with self.reading() as conn:
            issue = self.issue_or_404(conn, request, user)
            events = store.issue_events(conn, issue["id"])
            page = store.fetched(conn, issue)
            answers = store.answers(conn, issue["id"])
            evidence = _evidence(kept.kept_page(conn, issue["id"]))
        state = IssueState(issue["state"])
        acts = user.may_change
        return self.render(request, "issue.html", {
            "user": user, "issue": issue, "events": events, "page": page, "answers": answers,
            "error": error, "evidence": evidence,
            "days_left": (date.fromisoformat(issue["deadline"]) - self.today()).days
            if issue["deadline"] else None,
            "can": {
                "claim": acts and state in tracker.CLAIMABLE and not issue["claimed_by"],
                "answer": acts and state in tracker.ANSWERABLE,
                "dispute": acts and state in _DISPUTABLE,
                "decide": user.role == UserRole.OFFICE and state == IssueState.DISPUTED,
            },
            "max_mb": UPLOAD_MAX_BYTES // (1024 * 1024), "max_files": UPLOAD_MAX_FILES,
        }, status=status)

    def proof(self, request: Request, user: User, form: FormData | None) -> Response:
        """A proof file, as a download, to an account that may see its issue."""
        with self.reading() as conn:
            proof = store.get_proof(conn, request.path_params["proof_id"], user.visible_units)
        if proof is None:
            raise HTTPException(404)
        path = proof_path(self.settings.uploads_dir, proof["stored_name"])
        if not path.is_file():
            raise HTTPException(404)
        # always as an attachment: a proof file is never rendered inside the platform
        return FileResponse(path, media_type=proof["content_type"],
                            headers={"Content-Disposition": _attachment(proof["original_name"])})

    def screenshot(self, request: Request, user: User, form: FormData | None) -> Response:
        """An issue's screenshot (截图), to an account that may see the issue, and only under
        that issue: another issue's hash in the URL finds nothing (404)."""
        digest = request.path_params["digest"]
        with self.reading() as conn:
            issue = self.issue_or_404(conn, request, user)
            found = kept.issue_shot(conn, issue["id"], digest)
        if found is None:
            raise HTTPException(404)
        image, fmt = found
        headers = {"Cache-Control": _SHOT_CACHE, "ETag": f'"{digest}"'}
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        return Response(image, media_type=_SHOT_TYPES.get(fmt, "application/octet-stream"),
                        headers=headers)

    def kept_body(self, request: Request, user: User, form: FormData | None,
                  raw: bool = False) -> Response:
        """The page an issue was judged on (存证), as a download: masked (personal data
        hidden, :mod:`govwatch.evidence.mask`) for everyone who may see the issue; as
        received (``/raw``) for the office only, whose proof it is (docs/evidence.md)."""
        with self.reading() as conn:
            issue = self.issue_or_404(conn, request, user)
            page = kept.kept_page(conn, issue["id"])
            body = kept.body(conn, page["body_hash"]) if page and page["body_hash"] else None
        if body is None:
            raise HTTPException(404)
        data = body if raw else masked_body(body, page["encoding"])
        name = f"issue-{issue['id']}-page{'-raw' if raw else ''}.html"
        return Response(data, media_type="text/html",
                        headers={"Content-Disposition": _attachment(name), **_KEPT_HEADERS})

    def kept_raw(self, request: Request, user: User, form: FormData | None) -> Response:
        """The kept page as received, unmasked: the office's (routed for the office only)."""
        return self.kept_body(request, user, form, raw=True)

    def dashboard_content(self) -> dict[str, Any]:
        """Every unit's open, overdue, unclaimed and disputed problems today, with its
        outstanding problems in the last bulletins (as many as the scorecard charts)."""
        from govwatch.reports.scorecard import outstanding_trend

        today = self.today()
        with self.reading() as conn:
            units = store.unit_counts(conn, today.isoformat())
            trend = outstanding_trend(sqlite_utils.Database(conn), today,
                                      self.settings.report_settings.trend_bulletins)
        return {"units": lists.with_trend(units, trend), "bulletins": trend["bulletins"]}

    def dashboard(self, request: Request, user: User, form: FormData | None) -> Response:
        """Every unit's problems today and over the last bulletins (a sparkline, ↑/↓)."""
        content = self.dashboard_content()
        units, bulletins = content["units"], content["bulletins"]
        totals = {key: sum(u[key] for u in units)
                  for key in ("open", "overdue", "unclaimed", "disputed")}
        return self.render(request, "dashboard.html", {
            "user": user, "units": units, "totals": totals, "bulletins": bulletins,
            "latest": bulletins[-1] if bulletins else None,
            "change_label": lists.change_label,
            "spark": {"width": lists.SPARK_WIDTH, "height": lists.SPARK_HEIGHT}})

    def dashboard_export(self, request: Request, user: User, form: FormData | None) -> Response:
        """The dashboard's table, with a column per bulletin of the trend, as a download."""
        content = self.dashboard_content()
        return self.download(request, (lists.dashboard_section(content["bulletins"]),),
                             content, "整改概览")

    def scorecard_content(self) -> dict[str, Any] | None:
        """The scorecard of the newest complete scan up to today (reports' own), or None
        before any scan completed."""
        from govwatch.reports.scorecard import build_scorecard

        with self.reading() as conn:
            try:
                return build_scorecard(sqlite_utils.Database(conn), self.today(),
                                       self.settings.report_settings)
            except ReportError:
                return None

    def written_scorecards(self) -> list[Path]:
        """The newest scorecard files in the output folder (HTML, XLSX), if any."""
        found: dict[str, list[Path]] = {}
        if self.settings.out_dir.is_dir():
            for path in self.settings.out_dir.iterdir():
                match = _SCORECARD_FILE.fullmatch(path.name)
                if match and path.is_file():
                    found.setdefault(match.group(1), []).append(path)
        return sorted(found[max(found)]) if found else []

    def scorecard(self, request: Request, user: User, form: FormData | None) -> Response:
        """检查评分表: per site its score, veto items, deductions and result, with the files
        written for it."""
        from govwatch.reports.render import points
        from govwatch.reports.scorecard import SECTIONS

        return self.render(request, "scorecard.html", {
            "user": user, "card": self.scorecard_content(),
            "sections": {s.key: s for s in SECTIONS}, "points": points,
            "files": [p.name for p in self.written_scorecards()]})

    def scorecard_export(self, request: Request, user: User, form: FormData | None) -> Response:
        """The scorecard's tables (评分汇总, 单项否决, 扣分明细) as a download."""
        from govwatch.reports.scorecard import SECTIONS

        card = self.scorecard_content()
        if card is None:
            raise HTTPException(404)
        return self.download(request, SECTIONS, card, "检查评分表")

    def scorecard_file(self, request: Request, user: User, form: FormData | None) -> Response:
        """A scorecard file as written to the output folder; only those names, only there."""
        name = request.path_params["name"]
        match = _SCORECARD_FILE.fullmatch(name)
        path = self.settings.out_dir / name
        if match is None or not path.is_file():
            raise HTTPException(404)
        if match.group(2) == "html":  # its styles and chart inline, no script: as a bulletin
            return Response(path.read_bytes(), media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": _BULLETIN_CSP})
        return Response(path.read_bytes(), media_type=lists.XLSX_TYPE,
                        headers={"Content-Disposition": _attachment(name)})

    def bulletin_list(self, request: Request, user: User, form: FormData | None,
                      error: str | None = None, status: int = 200) -> Response:
        with self.reading() as conn:
            rows = store.bulletins(conn)
        return self.render(request, "bulletins.html",
                           {"user": user, "bulletins": rows, "error": error,
                            "today": self.today().isoformat()}, status=status)

    def bulletin_file(self, request: Request, user: User, form: FormData | None) -> Response:
        """A bulletin as the file publishing wrote (HTML or XLSX); made again from its stored
        content when the file is not in the output folder (the same content, the same
        bulletin)."""
        from govwatch.reports.bulletin import BULLETIN
        from govwatch.reports.render import render_html

        number, fmt = request.path_params["number"], request.path_params["fmt"]
        if fmt not in ("html", "xlsx"):
            raise HTTPException(404)
        with self.reading() as conn:
            raw = store.bulletin_content(conn, number)
        if raw is None:
            raise HTTPException(404)
        content = json.loads(raw)
        name = f"{bulletin_stem(number, content['date'])}.{fmt}"
        written = self.settings.out_dir / name
        if fmt == "html":
            body = (written.read_bytes() if written.is_file()
                    else render_html(BULLETIN, content).encode())
            # a bulletin carries its own styles inline, and no script: allow the one only
            return Response(body, media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": _BULLETIN_CSP})
        data = (written.read_bytes() if written.is_file()
                else lists.xlsx_bytes(BULLETIN.sections, content, name))
        return Response(data, headers={"Content-Disposition": _attachment(name)},
                        media_type=lists.XLSX_TYPE)

    # -- actions ---------------------------------------------------------------------------

    def act(self, request: Request, user: User, action: Callable[[Store, dict], None]) -> Response:
        """Run *action* on the issue of the URL, if the account may see it (else 404), in
        one transaction; back to the issue's page, saying what went wrong if anything."""
        with self.reading() as conn:
            issue = self.issue_or_404(conn, request, user)
        try:
            with self.writing() as db, db.atomic():
                action(db, issue)
        except (PlatformError, ReportError) as error:
            return self.issue(request, user, None, error=_chinese(error), status=400)
        return RedirectResponse(f"/issues/{issue['id']}", status_code=303)

    def claim(self, request: Request, user: User, form: FormData | None) -> Response:
        """认领: the unit names its contact person and phone number."""
        contact, phone = _field(form, "contact"), _field(form, "phone")
        note = _field(form, "note")

        def action(db: Store, issue: dict) -> None:
            if not contact or not phone:
                raise PlatformError("请填写联系人和联系电话")
            if not all(c.isdigit() or c in "+-() " for c in phone) or len(phone) > 30:
                raise PlatformError("联系电话只能包含数字、空格和 +-()")
            said = f"联系电话 {phone}" + (f"；{note}" if note else "")
            tracker.claim(db, [issue["id"]], contact, said, self.now(), actor=user.login)

        return self.act(request, user, action)

    def answer(self, request: Request, user: User, form: FormData | None) -> Response:
        """已整改: what was done, with proof files; the issue waits for the next scan."""
        note = _field(form, "note")
        uploads = [f for f in (form.getlist("proof") if form else [])
                   if isinstance(f, UploadFile) and f.filename]
        written: list[Path] = []

        def action(db: Store, issue: dict) -> None:
            if not note:
                raise PlatformError("请说明整改情况")
            if not uploads:
                raise PlatformError("请上传整改证明（图片或 PDF）")
            proofs = [check_proof(f.filename or "", f.file.read(UPLOAD_MAX_BYTES + 1))
                      for f in uploads]
            written.extend(record_answer(db, self.settings.uploads_dir, issue["id"], user.login,
                                         note, self.now(), proofs, user_id=user.id,
                                         actor=user.login))

        try:
            return self.act(request, user, action)
        except BaseException:
            for path in written:  # the answer was not recorded: neither are its files
                path.unlink(missing_ok=True)
            raise

    def dispute(self, request: Request, user: User, form: FormData | None) -> Response:
        """申请复核: the unit disputes the problem, saying why."""
        reason = _field(form, "reason")

        def action(db: Store, issue: dict) -> None:
            if not reason:
                raise PlatformError("请说明申请复核的理由")
            tracker.reject(db, issue["id"], user.login, reason, self.now(), actor=user.login)

        return self.act(request, user, action)

    def decide(self, request: Request, user: User, form: FormData | None) -> Response:
        """The office confirms (维持) or withdraws (撤销) a disputed issue."""
        decision = request.path_params["decision"]
        if decision not in ("confirm", "withdraw"):
            raise HTTPException(404)
        note = _field(form, "note") or None

        def action(db: Store, issue: dict) -> None:
            getattr(tracker, decision)(db, issue["id"], user.login, note, self.now())

        return self.act(request, user, action)

    def publish(self, request: Request, user: User, form: FormData | None) -> Response:
        """The office publishes today's bulletin (the same day twice: the same bulletin),
        and mails it, when newly published, if the config says to whom."""
        from govwatch.workflow import publish

        with self.reading() as conn:
            before = len(store.bulletins(conn))
        try:
            published = publish(self.settings.db_path, self.today(), self.settings.out_dir,
                                self.settings.report_settings, ("html", "xlsx", "json"))
        except ReportError as error:
            return self.bulletin_list(request, user, None, error=_chinese(error), status=400)
        mail = self.settings.mail
        if mail is not None and published.bulletin["number"] > before:  # new: mail it once
            from govwatch.scheduler.mail import MailError, publication_message, send

            try:
                send(mail, publication_message(mail, published.bulletin, published.paths))
            except (MailError, OSError) as error:  # published all the same: say so
                return self.bulletin_list(
                    request, user, None, status=502,
                    error=f"第{published.bulletin['number']}期已发布，但邮件未能发出：{error}")
        return RedirectResponse("/bulletins", status_code=303)

    # -- assembly --------------------------------------------------------------------------

    def routes(self) -> list:
        """Every route of the platform, each behind :meth:`endpoint` but sign-in."""
        e = self.endpoint
        static = Path(__file__).parent / "static"
        return [
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/", e(self.home)),
            Route("/issues", e(self.issues)),
            Route("/issues.{fmt:str}", e(self.issues_export, _READERS)),
            Route("/issues/{issue_id:int}", e(self.issue)),
            Route("/issues/{issue_id:int}/claim", e(self.claim, change=True), methods=["POST"]),
            Route("/issues/{issue_id:int}/answer", e(self.answer, change=True),
                  methods=["POST"]),
            Route("/issues/{issue_id:int}/dispute", e(self.dispute, change=True),
                  methods=["POST"]),
            Route("/issues/{issue_id:int}/{decision:str}", e(self.decide, _OFFICE, True),
                  methods=["POST"]),
            Route("/issues/{issue_id:int}/screenshot/{digest:str}", e(self.screenshot)),
            Route("/issues/{issue_id:int}/page", e(self.kept_body)),
            Route("/issues/{issue_id:int}/page/raw", e(self.kept_raw, _OFFICE)),
            Route("/proofs/{proof_id:int}", e(self.proof)),
            Route("/dashboard", e(self.dashboard, _READERS)),
            Route("/dashboard.{fmt:str}", e(self.dashboard_export, _READERS)),
            Route("/scorecard", e(self.scorecard, _READERS)),
            Route("/scorecard.{fmt:str}", e(self.scorecard_export, _READERS)),
            Route("/scorecard/files/{name:str}", e(self.scorecard_file, _READERS)),
            Route("/bulletins", e(self.bulletin_list)),
            Route("/bulletins/publish", e(self.publish, _OFFICE, True), methods=["POST"]),
            Route("/bulletins/{number:int}.{fmt:str}", e(self.bulletin_file)),
            Mount("/static", StaticFiles(directory=static), name="static"),
        ]

    async def http_error(self, request: Request, error: Exception) -> Response:
        """A refused or missing page, in Chinese."""
        assert isinstance(error, HTTPException)
        messages = {403: "没有权限", 404: "页面不存在", 405: "不支持的请求"}
        detail = error.detail if error.status_code == 403 and error.detail != "Forbidden" \
            else messages.get(error.status_code, "请求有误")
        return self.render(request, "error.html", {"message": detail},
                           status=error.status_code)


def create_app(settings: PlatformSettings) -> ASGIApp:
    """The platform's ASGI application over *settings*' database."""
    platform = Platform(settings)
    app = Starlette(routes=platform.routes(),
                    exception_handlers={HTTPException: platform.http_error})
    return SecurityHeaders(BodyLimit(app, BODY_MAX_BYTES))


class BodyLimit:
    """Refuse (413) a request body larger than *limit*, by its Content-Length or as it
    arrives, before anything reads it whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _too_large(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413)
            return message

        try:
            await self.app(scope, limited, send)
        except HTTPException as error:
            if error.status_code != 413:
                raise
            await _too_large(send)


async def _too_large(send: Send) -> None:
    body = "上传内容过大".encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Headers on every answer: nothing loads from elsewhere, nothing frames the platform,
    no content-type guessing."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"content-security-policy",
         b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
         b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                have = {name.lower() for name, _ in headers}  # a response's own stands
                message = {**message, "headers": [
                    *headers, *((n, v) for n, v in self.HEADERS if n not in have)]}
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def _evidence(page: dict[str, Any] | None) -> dict[str, Any] | None:
    """An issue's newest kept page as its page shows it: the link check read into Chinese."""
    if page is None:
        return None
    check = json.loads(page["link_status"]) if page["link_status"] else None
    if check is not None:
        result = check.get("result")
        check["label"] = (LinkResult(result).label if result in LinkResult._value2member_map_
                          else result)
    return {**page, "link_check": check}


def _field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form else None
    return value.strip() if isinstance(value, str) else ""


def _attachment(name: str) -> str:
    """A Content-Disposition that downloads under *name* (any script, RFC 6266)."""
    ascii_name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


_MESSAGES = {
    "must not be blank": "必填项不能为空",
    "is claimed already": "该问题已被认领",
    "no tracked scan yet": "还没有已纳入跟踪的扫描，暂不能发布通报",
}


def _chinese(error: Exception) -> str:
    """The sentence a person reads for a refused action (the tracker speaks English)."""
    text = str(error)
    for key, said in _MESSAGES.items():
        if key in text:
            return said
    if isinstance(error, ReportError) and "only" in text:
        return "该问题当前状态不允许此操作"
    return text
