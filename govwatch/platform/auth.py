"""Accounts and sign-in: argon2 password hashes, server-side sessions, and the limit on
wrong passwords.

A session is a random token in an HttpOnly cookie; the database keeps only its SHA-256, so
signing out, disabling an account or changing its password ends it at once. Wrong passwords
are counted in ``login_attempts`` per login and per address: past
:data:`govwatch.platform.settings.LOGIN_FAILURES_PER_MINUTE` for one login, or
:data:`govwatch.platform.settings.ADDRESS_FAILURES_PER_MINUTE` from one address (one password
tried across many logins), within a minute, the next attempt is refused without looking at
the password.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from govwatch.core.vocabulary import UserRole
from govwatch.platform import store
from govwatch.platform.settings import (
    ADDRESS_FAILURES_PER_MINUTE,
    LOGIN_FAILURES_PER_MINUTE,
    SESSION_HOURS,
)

_HASHER = PasswordHasher()
# Verified against when the login is unknown, so an unknown login costs the same time.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class PlatformError(Exception):
    """A request the platform refuses: str(e) is the sentence (Chinese) to show."""


class TooManyAttempts(PlatformError):
    """Too many wrong passwords for this login, or from this address, within a minute."""


@dataclass(frozen=True)
class User:
    """A signed-in account: its role, and the units it answers for (unit accounts)."""

    id: int
    login: str
    role: UserRole
    units: tuple[str, ...]

    @property
    def visible_units(self) -> tuple[str, ...] | None:
        """The units whose issues this account may see: None for every unit."""
        return self.units if self.role == UserRole.UNIT else None

    @property
    def may_change(self) -> bool:
        """Whether the account may change anything (an auditor only reads)."""
        return self.role != UserRole.AUDITOR


def hash_password(password: str) -> str:
    """The argon2 hash of *password*; PlatformError for one too short to keep."""
    if len(password) < 8:
        raise PlatformError("密码至少需要 8 个字符")
    return _HASHER.hash(password)


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(db: sqlite_utils.Database, login: str, password: str, remote: str) -> str:
    """Check a login and password and open a session; return its token.

    TooManyAttempts once the login, or the address *remote*, had too many wrong passwords
    within the last minute (the password is not even checked then); PlatformError for a
    wrong login or password or a disabled account, in one sentence that does not say which.
    """
    now = time.time()
    if (store.failures_since(db.conn, login, now - 60) >= LOGIN_FAILURES_PER_MINUTE
            or store.failures_from(db.conn, remote, now - 60) >= ADDRESS_FAILURES_PER_MINUTE):
        raise TooManyAttempts("密码错误次数过多，请一分钟后再试")
    user = store.user_by_login(db.conn, login)
    ok = _verify(user["password_hash"] if user else _DUMMY_HASH, password)
    ok = ok and user is not None and not user["disabled"]
    store.record_attempt(db, login, remote, now, ok)
    if not ok:
        raise PlatformError("用户名或密码错误")
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
    store.create_session(db, token_hash(token), user["id"],
                         expires.replace(microsecond=0).isoformat())
    return token


def session_user(conn: sqlite3.Connection, token: str | None) -> User | None:
    """The account signed in with session *token*, or None."""
    if not token:
        return None
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    row = store.session_user(conn, token_hash(token), now)
    if row is None:
        return None
    return User(row["id"], row["login"], UserRole(row["role"]), store.units_of(conn, row["id"]))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
