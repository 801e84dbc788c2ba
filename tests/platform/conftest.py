"""Fixtures of the platform's tests: the city world with an account of every role, served
by Starlette's test client (support/platform.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support.platform import city_platform, sign_in

from govwatch.platform.app import create_app
from govwatch.platform.settings import PlatformSettings


@pytest.fixture(scope="session")
def city_db(tmp_path_factory) -> Path:
    """The city's database with its accounts, made once."""
    return city_platform(tmp_path_factory.mktemp("city")).db_path


@pytest.fixture
def settings(tmp_path: Path, city_db: Path) -> PlatformSettings:
    """A fresh copy of the city for one test."""
    return city_platform(tmp_path, template=city_db)


@pytest.fixture
def client_for(settings: PlatformSettings) -> Callable[[str], TestClient]:
    """A client signed in as *login* (a browser of its own: its own cookies)."""
    app = create_app(settings)

    def make(login: str) -> TestClient:
        client = TestClient(app)
        assert sign_in(client, login).status_code == 303
        return client

    return make
