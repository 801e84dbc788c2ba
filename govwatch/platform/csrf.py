"""CSRF tokens: a synchronizer token bound to the browser's session, signed with
itsdangerous.

Every form that changes something posts the token back (htmx posts the form's fields too);
a POST without it, with one of another session, or with one older than a session lives, is
refused. Before sign-in the token is bound to a random sign-in cookie instead, so a page of
another site cannot post a sign-in either. The token is never stored: it is the signature
of the SHA-256 of the session (or sign-in) cookie under the platform's secret.
"""

from __future__ import annotations

import hashlib
import hmac

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
