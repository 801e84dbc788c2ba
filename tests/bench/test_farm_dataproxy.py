"""The farm's Hanweb lists paged by dataproxy.jsp: each server answers the groups a browser
asks for, and a scan judges such a list by all its records (truth from the generator)."""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest

from bench.farm import generate_farm
from bench.serve import LOOPBACK_ONLY, ensure_nginx, scan_sites, serve_farm
from govwatch.crawler.runner import run_scan

SCAN_DATE = date(2026, 11, 24)
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture(scope="module")
def farm(tmp_path_factory) -> tuple[Path, dict, dict]:
    """4 sites × 300 pages, seed 7: its Hanweb site pages two long lists by dataproxy."""
    root = tmp_path_factory.mktemp("proxied") / "farm"
    truth = generate_farm(root, 4, 300, 7)
    site = next(s for s in truth["sites"] if s["cms"] == "hanweb")
    return root, truth, site


def proxied(site: dict) -> list[dict]:
    columns = [c for c in site["columns"] if c.get("dataproxy")]
    assert columns, "the farm has no Hanweb list paged by its dataproxy"
    return columns


def records(root: Path, site: dict, col: dict) -> list[str]:
    """The article of each record of *col*, in list order, as the generator wrote them."""
    columnid = col["dataproxy"]["params"]["columnid"]
    text = (root / site["dir"] / "_dataproxy" / f"{columnid}.xml").read_text(encoding="utf-8")
    return HREF.findall(text)


def post(url: str, query: dict, form: dict) -> str:
    request = urllib.request.Request(f"{url}?{urlencode(query)}", method="POST",
                                     data=urlencode(form).encode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "text/xml;charset=UTF-8"
        return answer.read().decode("utf-8")


@pytest.mark.parametrize("server", ["python", "nginx"])
def test_each_server_answers_the_groups_a_browser_asks_for(farm, tmp_path, server):
    if server == "nginx":
        ensure_nginx(install=False)  # scripts/install-system-deps installs it for the tests
    root, truth, site = farm
    with serve_farm(truth, root, tmp_path, server) as served:
        base = served.urls[site["id"]]
        for col in proxied(site):
            proxy, listed = col["dataproxy"], records(root, site, col)
            for start, end in proxy["groups"]:
                answer = post(urljoin(base, proxy["url"]), {
                    "startrecord": start, "endrecord": end, "perpage": proxy["perpage"]},
                    proxy["params"])
                assert f"<totalrecord>{col['items']}</totalrecord>" in answer
                assert HREF.findall(answer) == listed[start - 1:end]
        with pytest.raises(urllib.error.HTTPError) as hidden:  # the records are no page
            urllib.request.urlopen(urljoin(base, "/_dataproxy/"), timeout=10)
        assert hidden.value.code == 404


def test_a_scan_judges_a_proxied_list_by_all_its_records(farm, tmp_path):
    root, truth, site = farm
    one = {**truth, "sites": [site]}
    with serve_farm(one, root, tmp_path, "python") as served:
        sites = scan_sites(one, served.urls, tmp_path / "sites.yaml")
        outcome = run_scan(sites, tmp_path / "g.db", as_of=SCAN_DATE, progress_interval=0,
                           settings=dict(LOOPBACK_ONLY))
    assert outcome.status == "complete"
    db = sqlite3.connect(tmp_path / "g.db")
    for col in proxied(site):
        folder = col["path"].rsplit("/", 1)[0] + "/"
        found = db.execute("select item_count, newest_date, pages_walked from columns "
                           "where url like ?", [f"%{folder}"]).fetchone()
        assert found == (col["items"], col["newest_date"], col["walked"]), col["name"]
