"""``govwatch users`` and ``govwatch serve``: accounts are made by the office at the command
line, with no default one, and passwords never pass as arguments."""

from __future__ import annotations

import re

from click.testing import CliRunner
from starlette.testclient import TestClient
from support.platform import sign_in

from govwatch.cli import cli
from govwatch.platform.app import create_app


def users(db, *args: str, password: str | None = None) -> tuple[int, str]:
    stdin = f"{password}\n" if password is not None else None
    extra = ["--password-stdin"] if password is not None else []
    result = CliRunner().invoke(cli, ["users", *args, "--db", str(db), *extra], input=stdin)
    return result.exit_code, result.output


def test_accounts_are_added_listed_disabled_and_given_new_passwords(settings) -> None:
    db = settings.db_path
    assert users(db, "add", "xy", "--role", "unit", password="long enough")[0] == 2  # no unit
    code, said = users(db, "add", "xy", "--role", "unit", "--unit", "某某局", password="long enough")
    assert code == 2 and "unknown unit 某某局" in said and "咸阳市交通运输局" in said
    assert "至少需要 8 个字符" in users(db, "add", "xy", "--role", "auditor", password="short")[1]
    code, said = users(db, "add", "xy", "--role", "unit", "--unit", "咸阳市交通运输局",
                       "--unit", "咸阳市某某县人民政府", password="xy password")
    assert code == 0, said
    assert users(db, "add", "xy", "--role", "auditor", password="xy password")[0] == 2  # exists
    listing = users(db, "list", "--format", "json")[1]
    assert '"units": "咸阳市交通运输局、咸阳市某某县人民政府"' in listing

    client = TestClient(create_app(settings))
    assert sign_in(client, "xy", "xy password").status_code == 303
    assert users(db, "set-password", "xy", password="new xy password")[0] == 0
    assert client.get("/issues", follow_redirects=False).status_code == 303  # session ended
    assert sign_in(client, "xy", "new xy password").status_code == 303
    assert users(db, "disable", "xy")[0] == 0
    assert client.get("/issues", follow_redirects=False).headers["location"] == "/login"
    assert sign_in(TestClient(create_app(settings)), "xy", "new xy password").status_code == 400


def test_no_password_as_an_argument_and_no_default_account(tmp_path) -> None:
    for command in (cli.commands["users"].commands["add"],
                    cli.commands["users"].commands["set-password"]):
        assert not [p for p in command.params if "password" in p.name and
                    p.name != "password_stdin"]
    from govwatch.core.schema import open_db
    from govwatch.platform.settings import PlatformSettings

    open_db(tmp_path / "new.db").close()
    app = create_app(PlatformSettings(tmp_path / "new.db", tmp_path, tmp_path / "u"))
    for login in ("admin", "office", "root"):
        assert sign_in(TestClient(app), login, "admin").status_code == 400


def test_serve_binds_the_local_address_unless_told() -> None:
    serve = cli.commands["serve"]
    (host,) = [p for p in serve.params if p.name == "host"]
    assert host.default == "127.0.0.1"


def test_the_demo_accounts_have_passwords_of_their_own(settings) -> None:
    from govwatch.cli.users import add_demo_accounts
    from govwatch.core.schema import open_db

    db = open_db(settings.db_path)
    try:
        accounts = add_demo_accounts(db)
        assert add_demo_accounts(db) == []  # once
    finally:
        db.close()
    assert [a["login"] for a in accounts] == ["demo-office", "demo-auditor", "demo-unit1",
                                              "demo-unit2", "demo-unit3"]
    assert len({a["password"] for a in accounts}) == 5
    unit = next(a for a in accounts if a["units"] == "咸阳市某某县人民政府")
    client = TestClient(create_app(settings))
    assert sign_in(client, unit["login"], unit["password"]).status_code == 303
    assert re.findall(r'href="/issues/(\d+)"', client.get("/issues").text) == ["4", "5"]


def test_answer_at_the_command_line_writes_as_the_platform_does(settings, tmp_path) -> None:
    from support.platform import PNG

    shot = tmp_path / "整改后.png"
    shot.write_bytes(PNG)
    not_an_image = tmp_path / "proof.png"
    not_an_image.write_text("#!/bin/sh\n")
    base = ["answer", "--db", str(settings.db_path), "--uploads", str(settings.uploads_dir)]
    refused = CliRunner().invoke(cli, [*base, "4", "--by", "李娜", "--note", "已发布",
                                       "--proof", str(not_an_image)])
    assert refused.exit_code != 0 and "不是图片或 PDF" in refused.output
    refused = CliRunner().invoke(cli, [*base, "2", "--by", "李娜", "--note", "已修复"])
    assert refused.exit_code != 0 and "issue 2 is fixed" in refused.output
    done = CliRunner().invoke(cli, [*base, "4", "--by", "李娜", "--note", "已发布2025年度报告",
                                    "--proof", str(shot)])
    assert done.exit_code == 0, done.output
    # the issue page shows the answer and its proof file, as one given on the platform
    client = TestClient(create_app(settings))
    sign_in(client, "sx")
    page = client.get("/issues/4").text
    assert "已报整改" in page and "已发布2025年度报告" in page and "整改后.png" in page
    proof = re.search(r'href="(/proofs/\d+)"', page).group(1)
    assert client.get(proof).content == PNG
    assert 'action="/issues/4/answer"' not in page  # answered: waits for the scan
