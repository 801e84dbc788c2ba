"""PortalServer, and the fixture/demo portals it serves (tests/portals, govwatch/demo/portals)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
import yaml

from govwatch.demo.server import PortalServer, read_portal_meta

REPO = Path(__file__).resolve().parents[2]
PORTALS = REPO / "tests" / "portals"
DEMO = REPO / "govwatch" / "demo" / "portals"
TEST_PORTALS = ["trs", "hanweb", "gbk"]
DEMO_PORTALS = sorted(p.name for p in DEMO.iterdir() if (p / "_portal.yaml").is_file())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str, method: str = "GET", data: bytes | None = None):
    """(status, headers, body) for one request, errors included."""
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read()


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------
TYPES = {
    "r.pdf": "application/pdf",
    "r.doc": "application/msword",
    "r.xls": "application/vnd.ms-excel",
    "r.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "r.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "r.jpg": "image/jpeg",
    "r.png": "image/png",
    "r.gif": "image/gif",
    "r.css": "text/css",
    "r.js": "application/javascript",
    "r.xml": "text/xml",
    "r.htm": "text/html; charset=gbk",
}


@pytest.fixture()
def portal(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "tzgg").mkdir(parents=True)
    (root / "files").mkdir()
    (root / "wzdt").mkdir()
    (root / "index.html").write_bytes("<html><body>首页 网站</body></html>".encode("gbk"))
    (root / "tzgg" / "index.html").write_bytes("<html>通知公告</html>".encode("gbk"))
    (root / "tzgg" / "a.shtml").write_bytes("<html>正文</html>".encode("gbk"))
    (root / "wzdt" / "index.shtml").write_bytes(b'<a href="wzdt/index.shtml">map</a>')
    for name in TYPES:
        (root / "files" / name).write_bytes(b"x" * 10)
    (root / "_portal.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "tmp",
                "name": "某某市交通运输局",
                "unit": "某某市交通运输局办公室",
                "charset": "gbk",
                "headers": {
                    "/tzgg/index.html": {"Content-Type": "text/html; charset=utf-8"},
                    "/tzgg/*.shtml": {"Content-Type": "text/html", "X-Extra": "1"},
                },
                "trap": "/calendar/",
                "status": {"/old/page.html": 500, "/files/r.gif": 404},
                "fallback": {"/wzdt/": "/wzdt/index.shtml"},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    (root / "expected.yaml").write_text("columns: []\n", encoding="utf-8")
    return root


def test_read_portal_meta(portal: Path, tmp_path: Path) -> None:
    meta = read_portal_meta(portal)
    assert meta["id"] == "tmp" and meta["name"] == "某某市交通运输局" and meta["charset"] == "gbk"
    assert read_portal_meta(tmp_path) == {}


def test_serves_files_with_content_types(portal: Path) -> None:
    with PortalServer(portal) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url)
        status, headers, body = fetch(server.url)
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=gbk"
        assert body.decode("gbk") == "<html><body>首页 网站</body></html>"
        for name, ctype in TYPES.items():
            if name == "r.gif":
                continue
            status, headers, body = fetch(server.url + "files/" + name)
            assert (status, headers["Content-Type"]) == (200, ctype), name
            assert body == b"x" * 10


def test_index_for_directories_and_redirect(portal: Path) -> None:
    with PortalServer(portal) as server:
        status, headers, body = fetch(server.url + "tzgg/")
        assert status == 200 and body.decode("gbk") == "<html>通知公告</html>"
        status, headers, _ = fetch(server.url + "tzgg")
        assert status == 301 and headers["Location"] == "/tzgg/"
        status, _, body = fetch(server.url + "wzdt/")  # index.shtml when no index.html
        assert status == 200 and b"map" in body


def test_header_overrides(portal: Path) -> None:
    with PortalServer(portal) as server:
        _, headers, body = fetch(server.url + "tzgg/index.html")
        assert headers["Content-Type"] == "text/html; charset=utf-8"  # declared UTF-8, sent GBK
        assert body.decode("gbk") == "<html>通知公告</html>"
        _, headers, _ = fetch(server.url + "tzgg/")  # the override follows the served file
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        _, headers, _ = fetch(server.url + "tzgg/a.shtml")  # pattern key
        assert headers["Content-Type"] == "text/html" and headers["X-Extra"] == "1"


def test_missing_hidden_and_forced_status(portal: Path) -> None:
    with PortalServer(portal) as server:
        status, headers, body = fetch(server.url + "nope/page.html")
        assert status == 404 and headers["Content-Type"].startswith("text/html")
        assert "页面不存在" in body.decode("utf-8")
        assert fetch(server.url + "_portal.yaml")[0] == 404
        assert fetch(server.url + "expected.yaml")[0] == 404
        assert fetch(server.url + "../../etc/passwd")[0] == 404
        assert fetch(server.url + "%2e%2e/%2e%2e/etc/passwd")[0] == 404
        assert fetch(server.url + "a%00b.html")[0] == 404
        assert fetch(server.url + "x" * 3000)[0] == 404
        assert fetch(server.url + "old/page.html")[0] == 500
        assert fetch(server.url + "files/r.gif")[0] == 404  # exists, but forced


def test_head_has_headers_only(portal: Path) -> None:
    with PortalServer(portal) as server:
        _, _, full = fetch(server.url + "index.html")
        status, headers, body = fetch(server.url + "index.html", method="HEAD")
        assert status == 200 and body == b""
        assert int(headers["Content-Length"]) == len(full)
        assert headers["Content-Type"] == "text/html; charset=gbk"
        assert fetch(server.url + "missing.html", method="HEAD")[:3:2] == (404, b"")


def test_post_is_answered(portal: Path) -> None:
    with PortalServer(portal) as server:
        status, _, body = fetch(
            server.url + "tzgg/index.html", method="POST", data=b"col=1&webid=1&columnid=10421"
        )
        assert status == 200 and "通知公告" in body.decode("gbk")


def test_session_ids_and_query_strings_are_ignored(portal: Path) -> None:
    with PortalServer(portal) as server:
        status, _, body = fetch(server.url + "tzgg/index.html;jsessionid=0A1B2C3D4E5F")
        assert status == 200 and "通知公告" in body.decode("gbk")
        status, _, _ = fetch(server.url + "tzgg/a.shtml?" + "&".join(f"p{i}=" for i in range(12)))
        assert status == 200


def test_fallback_makes_repeating_segments(portal: Path) -> None:
    with PortalServer(portal) as server:
        url = server.url + "wzdt/index.shtml"
        for _ in range(4):
            status, _, body = fetch(url)
            assert status == 200
            url = urljoin(url, re.search(rb'href="([^"]+)"', body).group(1).decode())
        assert url.endswith("/wzdt/wzdt/wzdt/wzdt/wzdt/index.shtml")
        assert fetch(server.url + "tzgg/nothing.html")[0] == 404  # no fallback there


def test_calendar_trap_links_onward_forever(portal: Path) -> None:
    with PortalServer(portal) as server:
        url = server.url + "calendar/2026-12/"
        seen = []
        for _ in range(3):
            status, headers, body = fetch(url)
            assert status == 200 and headers["Content-Type"] == "text/html; charset=gbk"
            text = body.decode("gbk")
            links = re.findall(r'href="([^"]+)"', text)
            assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # nothing dated
            seen.append(url.split("/calendar/")[1])
            nxt = next(link for link in links if "下一月" in text.split(link, 1)[1][:40])
            prev = next(link for link in links if link != nxt)
            assert prev.startswith("/calendar/") and nxt.startswith("/calendar/")
            url = urljoin(url, nxt)
        assert seen == ["2026-12/", "2027-01/", "2027-02/"]
        assert fetch(url)[0] == 200
        status, _, body = fetch(server.url + "calendar/")
        assert status == 200 and "/calendar/2026-12/" in body.decode("gbk")
        assert fetch(server.url + "calendar/2026-13/")[0] == 404


def test_request_log_and_quiet(portal: Path, capfd: pytest.CaptureFixture[str]) -> None:
    server = PortalServer(portal).start()
    try:
        fetch(server.url + "tzgg/?page=2")
        fetch(server.url + "index.html", method="HEAD")
        fetch(server.url + "nope")
        fetch(server.url + "tzgg/a.shtml", method="POST", data=b"x=1")
    finally:
        server.stop()
    assert server.requests == [
        ("GET", "/tzgg/?page=2"),
        ("HEAD", "/index.html"),
        ("GET", "/nope"),
        ("POST", "/tzgg/a.shtml"),
    ]
    out, err = capfd.readouterr()
    assert err == "" and out == ""
    server.stop()  # idempotent


def test_two_servers_get_their_own_ports(portal: Path) -> None:
    with PortalServer(portal) as one, PortalServer(portal) as two:
        assert one.url != two.url
        assert fetch(one.url)[0] == fetch(two.url)[0] == 200


# --------------------------------------------------------------------------------------------
# the fixture portals agree with their expected.yaml
# --------------------------------------------------------------------------------------------
ARTICLE_LINK = {
    "trs": re.compile(r'href="(\./\d{6}/t\d{8}_\d+\.html)"'),
    "hanweb": re.compile(r'href="(/(?:art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|attach/[^"]+))"'),
    "county": re.compile(r'href="(/\d{6}/[0-9a-f]{32}\.shtml)"'),
}


def page_charset(headers, body: bytes) -> str:  # type: ignore[no-untyped-def]
    """What a careful crawler would use: GB2312/GBK declared -> GBK, UTF-8 only if it decodes."""
    declared = re.findall(
        rb"charset=([\w-]+)", (headers.get("Content-Type") or "").encode() + b" " + body[:600]
    )
    names = [d.decode().lower() for d in declared]
    if any(n in ("gbk", "gb2312", "gb18030") for n in names):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return "gbk"
    return "utf-8"


def decode(headers, body: bytes) -> str:  # type: ignore[no-untyped-def]
    return body.decode(page_charset(headers, body))


def dataproxy_answers(server: PortalServer, col: dict) -> list[str]:
    """The dataproxy's answers to the POSTs a browser makes for the groups of *col*'s list
    that its page does not embed (none for a list embedded whole)."""
    proxy = col.get("dataproxy")
    if not proxy:
        return []
    answers = []
    for start, end in proxy["groups"]:
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": proxy["perpage"]})
        status, headers, body = fetch(urljoin(server.url, f"{proxy['url']}?{query}"), "POST",
                                      urlencode(proxy["params"]).encode())
        assert (status, headers["Content-Type"]) == (200, "text/xml;charset=UTF-8")
        text = body.decode("utf-8")
        assert f"<totalrecord>{col['items']}</totalrecord>" in text
        answers.append(text)
    return answers


def test_dataproxy_answers_the_records_asked_for(tmp_path: Path) -> None:
    """Hanweb's dataproxy.jsp: records startrecord to endrecord of the list the columnid
    names, whether the parameters come in the query (GET) or the form (POST); a list it does
    not hold is empty; the records themselves are never served as files."""
    root = tmp_path / "site"
    (root / "lists").mkdir(parents=True)
    (root / "lists" / "7.xml").write_text("".join(
        f"<record><![CDATA[<li>第{n}条</li>]]></record>\n" for n in range(1, 8)),
        encoding="utf-8")
    (root / "_portal.yaml").write_text(yaml.safe_dump({"dataproxy": {"/proxy.jsp": "lists"}}),
                                       encoding="utf-8")
    with PortalServer(root) as server:
        _, _, body = fetch(server.url + "proxy.jsp?startrecord=4&endrecord=6&perpage=3", "POST",
                           b"columnid=7&webid=1")
        text = body.decode("utf-8")
        assert re.findall(r"第(\d)条", text) == ["4", "5", "6"]
        assert "<totalrecord>7</totalrecord>" in text and "<totalpage>3</totalpage>" in text
        _, _, body = fetch(server.url + "proxy.jsp?columnid=7&startrecord=7&endrecord=9")
        assert re.findall(r"第(\d)条", body.decode("utf-8")) == ["7"]
        _, _, body = fetch(server.url + "proxy.jsp?startrecord=1&endrecord=3", "POST",
                           b"columnid=8")
        assert "<totalrecord>0</totalrecord>" in body.decode("utf-8")
        assert fetch(server.url + "lists/7.xml")[0] == 404


@pytest.fixture(scope="module", params=TEST_PORTALS)
def served(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    root = PORTALS / request.param
    with PortalServer(root) as server:
        expected = yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))
        yield root, server, expected


def test_portal_size_and_meta(served) -> None:  # type: ignore[no-untyped-def]
    root, _server, expected = served
    files = [p for p in root.rglob("*") if p.is_file()]
    assert 30 <= len(files) <= 120
    meta = read_portal_meta(root)
    assert meta["id"] == expected["site"]["id"] and meta["name"] == expected["site"]["name"]
    assert meta["unit"]


def test_columns_match_expected(served) -> None:  # type: ignore[no-untyped-def]
    _root, server, expected = served
    style = expected["site"]["style"]
    status, headers, body = fetch(server.url)
    assert status == 200
    home = decode(headers, body)
    for col in expected["columns"]:
        assert col["url"] in home or "." + col["url"] in home, col["name"]
        links: list[str] = []
        for n, page in enumerate(col.get("list_pages", [col["url"]])):
            status, headers, body = fetch(urljoin(server.url, page))
            assert status == 200, page
            text = decode(headers, body)
            assert col["name"] in text
            if style == "trs" and col["class"] != "overview":
                pages = re.search(r'createPageHTML\((\d+), (\d+), "index", "html"\)', text)
                assert pages and (int(pages[1]), int(pages[2])) == (col["pages"], n), page
            if style == "hanweb":
                assert f'<meta name="ColumnName" content="{col["name"]}">' in text
                if col["class"] != "overview":
                    embedded = col.get("dataproxy", {}).get("embedded", col["items"])
                    assert text.count("<record>") == embedded
            links += ARTICLE_LINK[style].findall(text)
        for answer in dataproxy_answers(server, col):  # the groups a browser's jpage POSTs
            links += ARTICLE_LINK[style].findall(answer)
        assert len(set(links)) == len(links) == col["items"], col["name"]
        if col["newest_date"]:
            d = col["newest_date"]
            _, headers, body = fetch(urljoin(server.url, col["list_pages"][0]))
            first = decode(headers, body)
            assert any(
                form in first for form in (f"{d:%Y-%m-%d}", f"[{d:%m-%d}]", f"{d:%Y/%m/%d}")
            ), col["name"]
        if col["empty_note"]:
            assert "暂无" in text
        elif col["items"] == 0:
            assert "暂无" not in text


def test_articles_match_expected(served) -> None:  # type: ignore[no-untyped-def]
    _root, server, expected = served
    for art in expected["articles"]:
        status, headers, body = fetch(urljoin(server.url, art["url"]))
        assert status == 200, art["url"]
        if art.get("kind") == "attachment":
            assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
            continue
        text = decode(headers, body)
        assert f"<h1>{html.escape(art['title'], quote=False)}</h1>" in text, art["url"]
        assert str(art["date"]) in text
        has_meta = '<meta name="PubDate"' in text
        assert has_meta == art.get("pubdate_meta", True)
        if art.get("attachment"):
            assert fetch(urljoin(server.url, art["attachment"]))[0] == 200
    for path in expected["attachments"]:
        assert fetch(urljoin(server.url, path))[0] == 200


def test_footer_matches_expected(served) -> None:  # type: ignore[no-untyped-def]
    _root, server, expected = served
    _, headers, body = fetch(server.url)
    text = html.unescape(decode(headers, body))
    for kind, fact in expected["footer"].items():
        if "value" in fact:  # as printed: the raw text where it differs from the value
            shown = str(fact.get("raw", fact["value"]))
            assert shown in text or "." + shown in text, kind
        else:
            assert fact == {"valid": False, "problem": "missing"}
    if "missing" in str(expected["footer"]["jiucuo"]):
        assert "jiucuo" not in text


def test_every_internal_link_resolves(served) -> None:  # type: ignore[no-untyped-def]
    """A small crawl: every same-site link answers 200 (traps are followed a few hops only)."""
    _root, server, _expected = served
    queue, seen, broken = [server.url], set(), []
    while queue and len(seen) < 400:
        url = queue.pop()
        key = re.sub(r";jsessionid=\w+", "", url)
        if key in seen:
            continue
        seen.add(key)
        status, headers, body = fetch(url)
        if status != 200:
            broken.append(url)
            continue
        if not (headers["Content-Type"] or "").startswith("text/html"):
            continue
        for href in re.findall(r'(?:href|src)="([^"#]+)"', decode(headers, body)):
            href = html.unescape(href)
            target = urljoin(url, href)
            if not target.startswith(server.url) or "/calendar/" in target:
                continue
            if target.count("/wzdt/") > 2:
                continue
            queue.append(target)
    assert broken == []
    assert len(seen) >= 40


def test_trs_calendar_trap() -> None:
    root = PORTALS / "trs"
    expected = yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))
    with PortalServer(root) as server:
        _, _, home = fetch(server.url)
        entry = expected["trap"][0]["entry"]
        assert f'href=".{entry}"' in home.decode()
        url = urljoin(server.url, entry)
        for _ in range(3):
            status, _, body = fetch(url)
            assert status == 200
            url = urljoin(url, re.search(r'<a class="next" href="([^"]+)"', body.decode())[1])
        assert url.endswith("/calendar/2027-02/")


def test_gbk_portal_encodings_and_traps() -> None:
    root = PORTALS / "gbk"
    expected = yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))
    with PortalServer(root) as server:
        _, headers, body = fetch(server.url + "tzgg/index.shtml")
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert "关于赵珺等同志任职前公示的公告" in body.decode("gbk")
        _, headers, body = fetch(server.url + "rsxx/index.shtml")
        assert headers["Content-Type"] == "text/html"
        assert b"charset=gb2312" in body and "刘昇" in body.decode("gbk")
        gbk_only = [
            a
            for a in expected["articles"]
            if any(ch in a["title"] for ch in expected["gbk_only_characters"])
        ]
        assert len(gbk_only) >= 4
        for art in gbk_only:
            _, headers, body = fetch(urljoin(server.url, art["url"]))
            with pytest.raises(UnicodeDecodeError):
                body.decode("gb2312")
            assert art["title"] in body.decode("gbk")
        assert [
            a
            for a in gbk_only
            if fetch(urljoin(server.url, a["url"]))[1]["Content-Type"] == "text/html"
        ], "a GBK-only title on a page without a header charset"
        _, _, home = fetch(server.url)
        sessions = re.findall(r'href="(/[^"]+;jsessionid=[0-9A-F]{32})"', home.decode("gbk"))
        assert len(sessions) == 4
        assert all(fetch(urljoin(server.url, s))[0] == 200 for s in sessions)
        many = next(t["example"] for t in expected["trap"] if t["kind"] == "many-query-params")
        assert many.count("&") >= 11 and html.escape(many) in home.decode("gbk")
        assert fetch(urljoin(server.url, many))[0] == 200
        assert fetch(server.url + "wzdt/wzdt/wzdt/index.shtml")[0] == 200
        assert fetch(server.url + "robots.txt")[0] == 404
    # [MM-DD] dates cross the year boundary on the third page of 瓜州要闻
    page3 = (root / "gzyw" / "index_3.shtml").read_bytes().decode("gbk")
    assert re.findall(r"\[(\d\d)-\d\d\]", page3) == ["02", "01", "12", "12", "12"]


def test_hanweb_footer_is_broken_as_documented() -> None:
    text = (PORTALS / "hanweb" / "index.html").read_text(encoding="utf-8")
    assert "苏ICP备12034567</a>" in text  # no 号
    assert re.search(r"苏公网安备 (\d+)号", text)[1] == "3209020200123"  # 13 digits
    assert "jiucuo" not in text and "dcs.conac.cn/image/red.png" in text
    assert "charset" not in read_portal_meta(PORTALS / "hanweb")


def test_annual_report_arithmetic() -> None:
    """一 + 二 = （七）总计 + 四 in every column of table 三 of every HTML report."""
    from lxml import html as lhtml

    checked = 0
    for name in TEST_PORTALS:
        root = PORTALS / name
        expected = yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))
        for report in expected["annual_reports"]:
            if report["tables"] != "2021":
                assert (root / report["url"].lstrip("/")).read_bytes().startswith(b"%PDF-")
                continue
            raw = (root / report["url"].lstrip("/")).read_bytes()
            doc = lhtml.fromstring(raw.decode("gbk" if name == "gbk" else "utf-8"))
            table = doc.xpath('//table[@class="report-table"]')[1]
            rows = {}
            for tr in table.xpath(".//tr"):
                cells = [td.text_content().strip() for td in tr.xpath("./td")]
                values = [int(c) for c in cells if c.isdigit()]
                if len(values) == 7:
                    rows[[c for c in cells if not c.isdigit()][-1]] = values
            new = rows["一、本年新收政府信息公开申请数量"]
            prev = rows["二、上年结转政府信息公开申请数量"]
            total, carry = rows["（七）总计"], rows["四、结转下年度继续办理"]
            for i in range(7):
                assert new[i] + prev[i] == total[i] + carry[i]
            assert all(sum(v[:6]) == v[6] for v in rows.values())
            checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------------------------
# demo portals
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DEMO_PORTALS)
def test_demo_portal_serves(name: str) -> None:
    root = DEMO / name
    meta = read_portal_meta(root)
    assert meta["id"] and meta["name"] and meta["unit"] and meta["problems"]
    files = [p for p in root.rglob("*") if p.is_file()]
    assert 15 <= len(files) <= 30
    with PortalServer(root) as server:
        status, headers, body = fetch(server.url)
        assert status == 200 and meta["name"] in decode(headers, body)
        for path, code in (meta.get("status") or {}).items():
            assert fetch(urljoin(server.url, path))[0] == code
            name = path.rsplit("/", 1)[1].encode()
            assert any(name in p.read_bytes() for p in root.rglob("*.*htm*"))


def test_demo_portals_cover_the_problems() -> None:
    metas = [read_portal_meta(DEMO / n) for n in DEMO_PORTALS]
    assert len(metas) >= 2
    assert any(m.get("charset") == "gbk" for m in metas)
    text = " ".join(" ".join(m["problems"]) for m in metas)
    for needle in ("not updated", "empty column", "号", "answers"):
        assert needle in text
    assert {m["id"] for m in metas} & {"xy-jtj"}


# --------------------------------------------------------------------------------------------
# the generator is deterministic and its output is what is committed
# --------------------------------------------------------------------------------------------
def test_generator_output_is_committed(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(PORTALS / "generate.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for fresh_root, committed_root in (
        (tmp_path / "tests" / "portals", PORTALS),
        (tmp_path / "govwatch" / "demo" / "portals", DEMO),
    ):
        for site in sorted(p.name for p in fresh_root.iterdir()):
            fresh = {
                p.relative_to(fresh_root / site): p
                for p in (fresh_root / site).rglob("*")
                if p.is_file()
            }
            committed = {
                p.relative_to(committed_root / site): p
                for p in (committed_root / site).rglob("*")
                if p.is_file()
            }
            assert sorted(fresh) == sorted(committed), site
            for rel, path in fresh.items():
                if rel.suffix == ".yaml":
                    assert yaml.safe_load(path.read_text("utf-8")) == yaml.safe_load(
                        committed[rel].read_text("utf-8")
                    ), f"{site}/{rel}"
                else:
                    assert path.read_bytes() == committed[rel].read_bytes(), f"{site}/{rel}"
