"""Mail a published bulletin and scorecard to the people who act on them (SMTP).

Reads the ``mail:`` section of govwatch.yaml (:class:`govwatch.core.config.MailSettings`):
``host``, ``port``, ``from``, ``to``, ``starttls`` (upgrade a plain connection, port 587),
``ssl`` (implicit TLS, port 465), ``username`` and ``password_env``. The password is read
when mailing from the environment variable that ``password_env`` names, so it never sits in
the config file; a login is only ever made over TLS. Every file written is attached.
"""

from __future__ import annotations

import mimetypes
import os
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from govwatch.core.config import MailSettings

TIMEOUT = 60.0  # seconds for each SMTP exchange


class MailError(Exception):
    """The bulletin could not be mailed because of the settings (not the server)."""


def publication_message(settings: MailSettings, bulletin: dict[str, Any],
                        paths: Sequence[Path]) -> EmailMessage:
    """The e-mail of one published bulletin (and scorecard): a summary and the files."""
    totals, title = bulletin["totals"], f"{bulletin['title']} 第{bulletin['number']}期"
    message = EmailMessage()
    message["Subject"] = f"{title} {bulletin['date']}"
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    message.set_content(
        f"{bulletin['issuer']} {title}（{bulletin['date']}）\n\n"
        f"新发现问题 {totals['new']} 个，待整改 {totals['outstanding']} 个"
        f"（逾期 {totals['overdue']} 个，未认领 {totals['unclaimed']} 个），"
        f"已整改 {totals['fixed']} 个；通报单位 {totals['named']} 个。\n\n"
        "附件：\n" + "".join(f"  {path.name}\n" for path in paths)
    )
    for path in paths:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        if main == "text":  # HTML and Markdown: UTF-8 text, said so, or clients guess wrong
            message.add_attachment(path.read_text(encoding="utf-8"), subtype=sub,
                                   filename=path.name)
        else:
            message.add_attachment(path.read_bytes(), maintype=main, subtype=sub,
                                   filename=path.name)
    return message


def send(settings: MailSettings, message: EmailMessage, timeout: float = TIMEOUT) -> None:
    """Send *message* through the configured SMTP server (smtplib errors pass through)."""
    password = None
    if settings.username:
        password = os.environ.get(settings.password_env or "")
        if not password:
            raise MailError(f"mail: the environment variable {settings.password_env} holding "
                            "the SMTP password is not set")
    context = ssl.create_default_context()
    if settings.ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                              context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with smtp:
        if settings.starttls:
            smtp.starttls(context=context)
        if settings.username and password:
            smtp.login(settings.username, password)
        smtp.send_message(message)
