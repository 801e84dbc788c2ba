"""CSRF tokens: a synchronizer token bound to the browser's session, signed with
itsdangerous.

Every form that changes something posts the token back (htmx posts the form's fields too);
a POST without it, with one of another session, or with one older than a session lives, is
refused. Before sign-in the token is bound to a random sign-in cookie instead, so a page of
another site cannot post a sign-in either. The token is never stored: it is the signature
of the SHA-256 of the session (or sign-in) cookie under the platform's secret.

The secret is ``GOVWATCH_SECRET`` when set; otherwise one made the first time the platform
starts and kept in a file beside the database (mode 0600, see :func:`kept_secret`), so that a
restart leaves the forms open in browsers valid.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from govwatch.platform.settings import SESSION_HOURS


class Csrf:
    """Make and check the tokens of one running platform (its secret)."""

    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="govwatch-csrf")

    def token(self, cookie: str) -> str:
        """The token of forms shown to the browser holding *cookie*."""
        return self._signer.dumps(_digest(cookie))

    def valid(self, token: str | None, cookie: str | None) -> bool:
        """Whether *token* was made for the browser holding *cookie*, within a session's
        life."""
        if not token or not cookie:
            return False
        try:
            bound = self._signer.loads(token, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return False
        return isinstance(bound, str) and hmac.compare_digest(bound, _digest(cookie))


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def kept_secret(path: Path) -> str:
    """The secret kept in *path*, made (random, readable by its owner only) when there is
    none yet. Written whole under another name, then linked into place: two platforms
    starting at once both keep the one linked first, and neither reads half a file."""
    if not path.exists():
        secret = secrets.token_hex(32)
        spare = path.with_name(f"{path.name}.{secrets.token_hex(4)}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secret + "\n")
        try:
            os.link(spare, path)
        except FileExistsError:
            pass  # another start kept its own first: that one it is
        finally:
            spare.unlink()
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise ValueError(f"{path.name}: the kept secret is too short; remove the file and the "
                         "platform makes a new one")
    return secret
