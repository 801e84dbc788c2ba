"""Link checks in a real scan: every class of answer, on the link lab (support/linklab.py)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from support.linklab import (
    BEHAVIOURS,
    LINKED,
    SETTINGS,
    Lab,
    _Handler,
    checks,
    html,
    link,
    ok,
    unused_port,
    write_sites,
)
from support.portals import scan

from govwatch.crawler.pages.links import target_url

DEAD_PORT_PATH = "/nobody-listens"
PRIVATE = ["http://10.255.255.1/", "http://169.254.169.254/latest/meta-data/",
           "http://224.0.0.1/", "http://[::1]:{port}/", "http://127.0.0.2:{port}/"]
SKIPPED = {"mailto:office@lab.gov.cn": "mailto", "tel:0931-8888888": "tel",
           "javascript:void(0)": "javascript", "#": "fragment",
           "data:image/png;base64,iVBORw0KGgo=": "data"}


@pytest.fixture(scope="module")
def lab_scan(tmp_path_factory) -> Iterator[tuple[Lab, Lab, int, dict[str, dict]]]:
    """Scan the lab portal; yield (site server, other server, dead port, link checks)."""
    work = tmp_path_factory.mktemp("lab")
    dead_port = unused_port()
    with Lab() as other:
        links = [link("", p) for p in LINKED] + [link(other.url, p) for p in LINKED]
        links += [link(other.url.replace("127.0.0.1", "localhost"), f"/cap/{i}.png")
                  for i in range(4)]
        links += ['<a href="/%E6%96%B0%E9%97%BB/%E9%80%9A%E7%9F%A5.html">通知</a>',
                  f'<img src="{other.url}/%E5%9B%BE%E7%89%87/%E6%A0%87%E5%BF%97.png">',
                  f'<a href="http://127.0.0.1:{dead_port}{DEAD_PORT_PATH}">停用</a>']
        links += [f'<a href="{u.format(port=other.port)}">内网</a>' for u in PRIVATE]
        links += [f'<a href="{u}">x</a>' for u in SKIPPED]
        with Lab({"/": html("链接实验室", "\n".join(links))}) as site:
            sites = write_sites(work / "sites.yaml", site, link_exclude=["/excluded/"],
                                link_accept=[418])
            outcome = scan(sites, work / "g.db", settings=SETTINGS)
            assert outcome.status == "complete"
            yield site, other, dead_port, checks(work / "g.db")


@pytest.mark.parametrize("path", LINKED)
@pytest.mark.parametrize("where", ["crawled", "checked"])
def test_each_answer_lands_in_its_class(lab_scan, path, where):
    site, other, _, found = lab_scan
    base = site.url if where == "crawled" else other.url
    row = found[target_url(base + path)]
    assert (row["result"], row["error"], row["status_code"]) == BEHAVIOURS[path][1]


def test_redirect_chains_are_recorded(lab_scan):
    site, other, _, found = lab_scan
    for base in (site.url, other.url):
        hops = found[base + "/hop-1"]
        assert (hops["redirects"], hops["final_url"]) == (2, base + "/landing.html")
        loop = found[base + "/loop-a"]
        assert loop["redirects"] == 2 and loop["final_url"] == base + "/loop-a"
        intranet = found[base + "/to-intranet"]
        assert (intranet["redirects"], intranet["final_url"]) == (1, "http://10.255.255.1/admin/")


def test_connection_refused_is_broken(lab_scan):
    _, _, dead_port, found = lab_scan
    row = found[f"http://127.0.0.1:{dead_port}{DEAD_PORT_PATH}"]
    assert (row["result"], row["error"]) == ("broken", "connection-refused")


def test_schemes_and_fragments_are_skipped_unrequested(lab_scan):
    *_, found = lab_scan
    assert {t: (found[t]["result"], found[t]["error"]) for t in SKIPPED} == {
        t: ("skipped", reason) for t, reason in SKIPPED.items()}


def test_private_addresses_are_never_requested(lab_scan):
    # Requested, 127.0.0.2 and [::1] would be refused (broken): only 127.0.0.1 listens.
    _, other, _, found = lab_scan
    for url in PRIVATE:
        row = found[target_url(url.format(port=other.port))]
        assert (row["result"], row["error"]) == ("skipped", "private-address"), url


def test_nothing_that_works_or_refuses_us_is_called_broken(lab_scan):
    *_, found = lab_scan
    broken = {t for t, row in found.items() if row["result"] == "broken"}
    expected = {p for p in LINKED if BEHAVIOURS[p][1][0] == "broken"}
    assert {urlsplit(t).path for t in broken} == {quote(p) for p in expected} | {DEAD_PORT_PATH}


def test_the_raw_and_the_encoded_chinese_path_are_one_target(lab_scan):
    site, other, _, found = lab_scan
    raw, encoded = site.url + "/新闻/通知.html", site.url + "/%E6%96%B0%E9%97%BB/%E9%80%9A%E7%9F%A5.html"
    assert target_url(raw) == encoded and found[encoded]["result"] == "ok"
    assert len(site.asked("/新闻/通知.html")) == 1
    assert [e[1] for e in other.asked("/图片/标志.png")] == ["HEAD"]


def test_requests_made_for_each_check(lab_scan):
    _, other, _, _ = lab_scan
    methods = {p: [e[1] for e in other.asked(p)] for p in LINKED}
    assert methods["/ok.html"] == ["GET"]
    assert methods["/logo.png"] == ["HEAD"]  # HEAD first for what is not a page
    assert methods["/nohead.pdf"] == ["HEAD", "GET"]  # 405 on HEAD, then GET
    assert methods["/forbidden.png"] == ["HEAD", "GET"]  # 403 on HEAD is asked again
    assert methods["/flaky"] == ["GET", "GET"]  # the retry heals it
    assert methods["/down"] == methods["/always-busy"] == ["GET"] * 3  # RETRY_TIMES = 2
    assert methods["/busy-for-an-hour"] == ["GET"]  # not waited for: blocked at once
    assert methods["/excluded/page.html"] == []


def test_retry_after_is_honoured(lab_scan):
    for server in lab_scan[:2]:
        first, second = (e[0] for e in server.asked("/busy"))
        assert second - first >= 0.95, server.url


def test_retries_back_off(lab_scan):
    _, other, _, _ = lab_scan
    times = [e[0] for e in other.asked("/down")]
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(times))


def test_an_external_host_gets_one_request_at_a_time(lab_scan):
    _, other, _, found = lab_scan
    assert len(other.asked("/cap/0.png", host="localhost")) == 1
    assert other.most_in_flight == 1  # GOVWATCH_LINKCHECK_HOST_CONCURRENCY
    assert all(found[f"http://localhost:{other.port}/cap/{i}.png"]["result"] == "ok"
               for i in range(4))


# -- once per scan ---------------------------------------------------------------------------

def test_a_link_on_500_pages_is_checked_once(tmp_path):
    with Lab() as other:
        shared = (f'<img src="{other.url}/logo.png"><a href="{other.url}/ok.html">外链</a>'
                  '<link rel="stylesheet" href="/style.css"><a href="mailto:a@lab.gov.cn">信箱</a>')
        pages = {f"/p/{i}.html": html(f"第{i}页", shared) for i in range(500)}
        pages["/"] = html("首页", "".join(f'<a href="/p/{i}.html">{i}</a>' for i in range(500)))
        # served as a stylesheet: a HEAD answered with a page would be read (soft 404s)
        with Lab(pages, routes={"/style.css": ok(b"body{}", "text/css")}) as site:
            outcome = scan(write_sites(tmp_path / "s.yaml", site), tmp_path / "g.db")
    assert outcome.status == "complete"
    assert [e[1] for e in other.asked("/logo.png")] == ["HEAD"]
    assert [e[1] for e in other.asked("/ok.html")] == ["GET"]
    assert [e[1] for e in site.asked("/style.css")] == ["HEAD"]
    with sqlite3.connect(tmp_path / "g.db") as conn:
        carried = dict(conn.execute(
            "select target_url, count(*) from links group by target_url having count(*) >= 500"))
        results = dict(conn.execute("select target_url, result from link_checks"))
    targets = {other.url + "/logo.png", other.url + "/ok.html", site.url + "/style.css",
               "mailto:a@lab.gov.cn"}
    assert set(carried) == targets  # every (page, target) pair is kept for the bulletin
    assert {t: results[t] for t in targets} == {
        **dict.fromkeys(targets, "ok"), "mailto:a@lab.gov.cn": "skipped"}


def test_external_hosts_stop_when_their_budget_is_spent(tmp_path):
    with Lab() as other:
        home = html("首页", f'<img src="http://localhost:{other.port}/logo.png">'
                           f'<img src="{other.url}/logo.png">')
        with Lab({"/": home}) as site:
            outcome = scan(write_sites(tmp_path / "s.yaml", site), tmp_path / "g.db",
                           settings={"GOVWATCH_LINKCHECK_EXTERNAL_BUDGET": 1e-6})
    assert outcome.status == "complete"
    found = checks(tmp_path / "g.db")
    external = found[f"http://localhost:{other.port}/logo.png"]
    assert (external["result"], external["error"]) == ("skipped", "external-budget")
    assert found[other.url + "/logo.png"]["result"] == "ok"  # a configured site's host
    assert not [e for e in other.log if e[3].startswith("localhost")]


# -- answers over the download size limit ----------------------------------------------------

def test_an_answer_over_the_size_limit_is_skipped_too_large_not_broken(tmp_path, monkeypatch):
    big = html("大文件", "x" * 30_000)  # over the 20 000 bytes allowed below

    def streamed(h: _Handler, n: int) -> None:  # no Content-Length: found too large on the way
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.end_headers()
        h.wfile.write(big)

    monkeypatch.setitem(BEHAVIOURS, "/streamed.html", (streamed, None))
    with Lab({"/big.html": big}) as other:
        home = html("首页", '<a href="/big.html">大</a><a href="/streamed.html">流</a>'
                           f'<a href="{other.url}/big.html">外</a><a href="/ok.html">好</a>')
        with Lab({"/": home, "/big.html": big}) as site:
            outcome = scan(write_sites(tmp_path / "s.yaml", site), tmp_path / "g.db",
                           settings={"DOWNLOAD_MAXSIZE": 20_000})
    assert outcome.status == "complete"
    found = checks(tmp_path / "g.db")
    for target in (site.url + "/big.html", site.url + "/streamed.html", other.url + "/big.html"):
        assert (found[target]["result"], found[target]["error"]) == ("skipped", "too-large")
    assert found[site.url + "/ok.html"]["result"] == "ok"  # the limit spares what is smaller
