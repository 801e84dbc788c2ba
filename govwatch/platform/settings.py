"""The platform's knobs, each stated once: where it reads and writes, and its limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govwatch.core.config import MailSettings
from govwatch.core.defaults import TIMEZONE
from govwatch.reports.settings import ReportSettings

# Sign-in: this many wrong passwords for one login within a minute, and the next attempt is
# refused, even with the right password, until the minute has passed.
LOGIN_FAILURES_PER_MINUTE = 10
# ... and this many wrong passwords from one address within a minute, whatever the logins
# (one password tried across many accounts): every attempt from it is refused until then.
ADDRESS_FAILURES_PER_MINUTE = 30
SESSION_HOURS = 12  # a session ends this long after sign-in
SESSION_COOKIE = "govwatch_session"
SIGN_IN_COOKIE = "govwatch_sign_in"  # binds the sign-in form's CSRF token, before a session
# Proof files: images or PDF, checked by their content, each at most this big.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
UPLOAD_MAX_FILES = 5
UPLOAD_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                "image/webp": "webp", "application/pdf": "pdf"}
# A request body larger than this is refused before it is read (files plus the form).
BODY_MAX_BYTES = UPLOAD_MAX_FILES * UPLOAD_MAX_BYTES + 64 * 1024


@dataclass(frozen=True)
class PlatformSettings:
    """What one running platform serves: the database, the folder bulletins are written to,
    the folder proof files are kept in (never served as a folder), the report settings and
    time zone of the config file, and whether it is reached over https (cookies are then
    sent over https only); with *mail* (the config's ``mail:``), a bulletin the office
    publishes is mailed as the scheduler mails its own."""

    db_path: Path
    out_dir: Path
    uploads_dir: Path
    report_settings: ReportSettings = field(default_factory=ReportSettings)
    timezone: str = TIMEZONE
    https: bool = False
    csrf_secret: str | None = None  # None: the one kept beside the database (secret_path_for)
    mail: MailSettings | None = None  # the config's mail: a bulletin published is mailed


def uploads_dir_for(db_path: str | Path) -> Path:
    """The default folder of proof files: beside the database, named after it."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}-uploads")


def secret_path_for(db_path: str | Path) -> Path:
    """Where the platform keeps its signing secret when none is configured: beside the
    database, readable by its owner only."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}-secret")
