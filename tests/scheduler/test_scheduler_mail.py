"""The bulletin job: publish into the output folder, then mail the files (a local SMTP server)."""

from __future__ import annotations

import email
import socket
from datetime import date, datetime
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from support.scanbuilder import ScanBuilder

from govwatch import scheduler
from govwatch.core.config import load_config
from govwatch.core.schema import open_db
from govwatch.reports.tracker import track_scan
from govwatch.rules.engine import evaluate_scan
from govwatch.scheduler.jobs import JobOutcome

WEDNESDAY = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def tracked_db(tmp_path) -> Path:
    """A database with a complete, evaluated and tracked scan (one site with problems)."""
    path = tmp_path / "govwatch.db"
    builder = ScanBuilder(path, sites=("a",), as_of=date(2026, 11, 23), healthy_home=False)
    scan_id = builder.complete()
    evaluate_scan(path, scan_id)
    track_scan(open_db(path), scan_id)
    return path


def service(tmp_path: Path, db_path: Path, mail: str):
    config = tmp_path / "govwatch.yaml"
    config.write_text(mail + "sites:\n  - {id: a, name: 站点a, url: 'http://a.gov.cn/'}\n",
                      encoding="utf-8")
    return scheduler.Service(load_config(config), db_path, tmp_path / "out",
                             clock=lambda: WEDNESDAY)


def test_the_bulletin_is_published_and_mailed_with_its_files(tmp_path, tracked_db, inbox):
    handler, port = inbox
    mail = (f"mail:\n  host: 127.0.0.1\n  port: {port}\n  from: govwatch@example.gov.cn\n"
            "  to: [jc@example.gov.cn, ban@example.gov.cn]\n")
    assert service(tmp_path, tracked_db, mail).run("bulletin") == JobOutcome.DONE
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "bulletin-001-2026-11-25.html" in written and "scorecard-2026-11-25.xlsx" in written
    (envelope,), (message,) = handler.envelopes, handler.messages
    assert envelope.rcpt_tos == ["jc@example.gov.cn", "ban@example.gov.cn"]
    assert message["Subject"] == "政府网站纠错通报 第1期 2026-11-25"
    assert "新发现问题" in message.get_body(("plain",)).get_content()
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert sorted(attached) == written
    html = (tmp_path / "out" / "bulletin-001-2026-11-25.html").read_text(encoding="utf-8")
    assert attached["bulletin-001-2026-11-25.html"].replace("\r\n", "\n") == html  # MIME text


def test_a_missing_smtp_password_fails_the_job_with_its_cause(tmp_path, tracked_db, caplog,
                                                              monkeypatch):
    monkeypatch.delenv("GOVWATCH_TEST_SMTP_PASSWORD", raising=False)
    mail = ("mail:\n  host: 127.0.0.1\n  from: govwatch@example.gov.cn\n  to: jc@example.gov.cn\n"
            "  starttls: true\n  username: govwatch\n  password_env: GOVWATCH_TEST_SMTP_PASSWORD\n")
    assert service(tmp_path, tracked_db, mail).run("bulletin") == JobOutcome.FAILED
    assert "job bulletin failed: MailError: mail: the environment variable " \
           "GOVWATCH_TEST_SMTP_PASSWORD holding the SMTP password is not set" in caplog.text
    assert (tmp_path / "out" / "bulletin-001-2026-11-25.md").exists()  # published all the same
