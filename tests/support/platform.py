"""A platform over the city world (support/world.py): accounts of every role and the
settings to serve it, for the platform's tests and its benchmark.

The city's issues after its second bulletin (2026-10-14): 咸阳市交通运输局 has #1 (claimed,
overdue) and #2 (a broken link whose title holds a ``<script>``, fixed);
咸阳市人力资源和社会保障局 #3 (fixed) and #6 (open); 咸阳市某某县人民政府 #4 and #5 (overdue,
unclaimed).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from starlette.testclient import TestClient

from govwatch.platform import auth, store
from govwatch.platform.settings import PlatformSettings
from support.world import city

JTJ_UNIT, SX_UNIT, RSJ_UNIT = "咸阳市交通运输局", "咸阳市某某县人民政府", "咸阳市人力资源和社会保障局"
PASSWORD = "correct horse battery"
# login → (role, units)
ACCOUNTS = {
    "office": ("office", ()),
    "auditor": ("auditor", ()),
    "jtj": ("unit", (JTJ_UNIT,)),
    "sx": ("unit", (SX_UNIT,)),
    "rsj": ("unit", (RSJ_UNIT,)),
}
# A PNG (the smallest: one transparent pixel) and a PDF, as a unit's proof files.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56  # an executable, whatever its name says


def add_accounts(db_path: Path) -> None:
    """The accounts of :data:`ACCOUNTS`, each with :data:`PASSWORD`."""
    from govwatch.core.schema import open_db

    db = open_db(db_path)
    password_hash = auth.hash_password(PASSWORD)  # argon2 is slow on purpose: once
    try:
        for login, (role, units) in ACCOUNTS.items():
            store.add_user(db, login, password_hash, role, units)
    finally:
        db.close()


def city_platform(folder: Path, template: Path | None = None) -> PlatformSettings:
    """The city world with its accounts in *folder*, and the settings to serve it; a copy
    of the database *template* (one made by this function) when given."""
    path = folder / "govwatch.db"
    if template is not None:
        shutil.copyfile(template, path)
    else:
        world, _ = city(path)
        world.db.close()
        add_accounts(path)
    return PlatformSettings(db_path=path, out_dir=folder / "out",
                            uploads_dir=folder / "uploads", csrf_secret="test secret")


_TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


def token_of(client: TestClient, path: str = "/bulletins") -> str:
    """The CSRF token the forms of *path* carry for *client*'s session."""
    return _TOKEN.search(client.get(path).text).group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD):
    """Post the sign-in form as a browser would: its page first, for the token."""
    page = client.get("/login")
    token = _TOKEN.search(page.text).group(1)
    return client.post("/login", data={"login": login, "password": password,
                                       "csrftoken": token}, follow_redirects=False)
