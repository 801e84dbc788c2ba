"""The synthetic portal farm (bench.farm): deterministic, self-consistent, truthful, servable."""

from __future__ import annotations

import html
import json
import posixpath
import re
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
import yaml

from bench import farm as farm_mod
from bench.accuracy import compare, list_key
from govwatch.demo.server import PortalServer, read_portal_meta

LINK = re.compile(r'(?:href|src)\s*=\s*"([^"]*)"')
EXTERNAL = ("http:", "https:", "//", "javascript:", "mailto:", "#")
# A list item as the farm writes it: the title link, then its printed date.
ITEM = re.compile(
    r'<a href="(?P<href>[^"]+)"[^>]*title="[^"]*">[^<]*</a>'
    r'(?:</td><td class="date">|<span class="date">)(?P<date>[^<]+)<'
)
BANNER = re.compile(r"今天是\d{4}年\d{1,2}月\d{1,2}日")
FULL_DATE = re.compile(r"^\[?(\d{4})[-/年](\d{2})[-/月](\d{2})日?\]?$")
MONTH_DAY = re.compile(r"^\[?(\d{2})-(\d{2})\]?$")


def _generate(root: Path, sites: int, pages: int, seed: int) -> dict:
    return farm_mod.generate_farm(root, sites, pages, seed)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict]:
    """3 sites × 60 pages."""
    root = tmp_path_factory.mktemp("tiny") / "farm"
    return root, _generate(root, 3, 60, 1)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    """4 sites (one of each CMS) × 300 pages."""
    root = tmp_path_factory.mktemp("small") / "farm"
    return root, _generate(root, 4, 300, 7)


@pytest.fixture(params=["tiny", "small"])
def any_farm(request) -> tuple[Path, dict]:
    return request.getfixturevalue(request.param)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _html_pages(site_dir: Path):
    for path in sorted(site_dir.rglob("*")):
        if path.suffix in (".html", ".shtml"):
            yield "/" + path.relative_to(site_dir).as_posix(), path


def _read(site_dir: Path, path: str, charset: str) -> str:
    return (site_dir / path.lstrip("/")).read_bytes().decode(charset)


def _resolve(page: str, ref: str) -> str | None:
    """Site-absolute file path a link points to, or None for external and script links."""
    ref = html.unescape(ref).split("#")[0].split("?")[0]
    if not ref or ref.startswith(EXTERNAL):
        return None
    target = ref if ref.startswith("/") else posixpath.join(posixpath.dirname(page), ref)
    folder = target.endswith("/")
    target = posixpath.normpath(target)
    # A folder link is served by its index.html (nginx's default index).
    return (target.rstrip("/") + "/index.html") if folder else target


def _parse_day(text: str, href: str) -> date:
    match = FULL_DATE.match(text)
    if match:
        return date(*map(int, match.groups()))
    month_day = MONTH_DAY.match(text)
    assert month_day, text
    # [MM-DD]: the year is in the article's /YYYYMM/ folder, as on real county sites.
    year = int(re.search(r"/(\d{4})\d{2}/", href).group(1))
    return date(year, *map(int, month_day.groups()))


def test_same_seed_same_bytes(tmp_path):
    first = _generate(tmp_path / "a", 3, 60, 5)
    second = _generate(tmp_path / "b", 3, 60, 5)
    assert first == second
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    _generate(tmp_path / "c", 3, 60, 6)
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_tiny_farm_is_fast_and_varied(tmp_path):
    started = time.monotonic()
    truth = _generate(tmp_path / "farm", 3, 60, 2)
    assert time.monotonic() - started < 2  # "well under a second"; slack for slow CI
    sites = truth["sites"]
    assert len({s["cms"] for s in sites}) == 3
    assert any(s["charset"] == "gbk" for s in sites)
    for site in sites:
        assert 40 <= site["files"] <= 120
        classes = {c["class"] for c in site["columns"]}
        assert classes == {"news", "notice-policy", "personnel-planning", "overview",
                           "annual-report", "interaction", "other"}  # interaction: 互动交流
        assert any(c["list_pages"] >= 3 for c in site["columns"]) or site["cms"] == "hanweb"
        assert any(c["empty_note"] for c in site["columns"])
        assert site["broken_links"]
        assert site["annual_reports"]


def test_first_four_sites_cover_every_cms(small):
    _, truth = small
    assert sorted(s["cms"] for s in truth["sites"]) == ["county", "gkmlpt", "hanweb", "trs"]


def test_cli_writes_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "farm"
    assert farm_mod.main(["--out", str(out), "--sites", "2", "--pages", "40", "--seed", "3"]) == 0
    assert (out / "truth.json").is_file()
    assert "2 sites" in capsys.readouterr().out
    assert farm_mod.main(["--out", str(out), "--sites", "2", "--pages", "40"]) == 2
    assert farm_mod.main(["--out", str(out), "--sites", "1", "--pages", "40", "--force"]) == 0
    assert len(json.loads((out / "truth.json").read_text("utf-8"))["sites"]) == 1


def test_portal_yaml_is_what_portalserver_reads(tiny):
    root, truth = tiny
    for site in truth["sites"]:
        meta = yaml.safe_load((root / site["dir"] / "_portal.yaml").read_text("utf-8"))
        assert meta == {"id": site["id"], "name": site["name"], "unit": site["unit"],
                        "charset": site["charset"]}


def test_internal_links_resolve_except_the_broken_ones(any_farm):
    root, truth = any_farm
    for site in truth["sites"]:
        site_dir = root / site["dir"]
        # a Hanweb site's dataproxy (its datastores' next-group links) answers, not a file
        answered = set(read_portal_meta(site_dir).get("dataproxy", {}))
        dangling: dict[str, set[str]] = {}
        for page, path in _html_pages(site_dir):
            text = path.read_bytes().decode(site["charset"])
            for ref in LINK.findall(text):
                target = _resolve(page, ref)
                if target in answered:
                    continue
                if target is not None and not (site_dir / target.lstrip("/")).is_file():
                    dangling.setdefault(target, set()).add(page)
        expected = {b["target"]: set(b["pages"]) for b in site["broken_links"]}
        assert dangling == expected, site["id"]


def test_gbk_sites_are_gbk_and_say_so(any_farm):
    root, truth = any_farm
    for site in truth["sites"]:
        for _, path in _html_pages(root / site["dir"]):
            raw = path.read_bytes()
            text = raw.decode(site["charset"])  # strict
            head = text[: text.index("</head>")]
            assert f"charset={site['declared_charset']}" in head or \
                f'charset="{site["declared_charset"]}"' in head
            if site["charset"] == "gbk":
                assert site["declared_charset"] in ("gbk", "gb2312")
                with pytest.raises(UnicodeDecodeError):
                    raw.decode("utf-8")


def test_list_pages_agree_with_truth(any_farm):
    root, truth = any_farm
    for site in truth["sites"]:
        site_dir, charset = root / site["dir"], site["charset"]
        for col in site["columns"]:
            paths = col["list_page_paths"]
            assert paths[0] == col["path"] and len(paths) == col["list_pages"]
            hrefs, days = set(), []
            for path in _list_sources(site_dir, col):
                text = BANNER.sub("", _read(site_dir, path, charset))
                for match in ITEM.finditer(text):
                    target = _resolve(path, match["href"])
                    hrefs.add(target)
                    days.append(_parse_day(match["date"], target))
                if col["empty_note"]:
                    assert any(note in text for note in farm_mod.NOTES)
            where = f"{site['id']} {col['name']}"
            assert len(days) == len(hrefs) == col["items"], where
            newest = max(days).isoformat() if days else None
            assert newest == col["newest_date"], where
            if col["kind"] == "list" and site["cms"] == "trs":
                first = _read(site_dir, paths[0], charset)
                assert re.search(rf"createPageHTML\((?:'page_div', )?{len(paths)}, 0,", first)


def _list_sources(site_dir: Path, col: dict) -> list[str]:
    """Where a column's items are written: its list pages, or for a Hanweb list paged by its
    dataproxy, the records the dataproxy answers from (its page embeds the first group)."""
    proxy = col.get("dataproxy")
    if not proxy:
        return col["list_page_paths"]
    embedded = ITEM.findall(_read(site_dir, col["path"], "utf-8"))
    assert len(embedded) == proxy["embedded"] < col["items"], col["name"]
    return [f"/_dataproxy/{proxy['params']['columnid']}.xml"]


def test_articles_print_their_list_date(small):
    root, truth = small
    for site in truth["sites"]:
        site_dir, charset = root / site["dir"], site["charset"]
        for col in site["columns"]:
            for path in col["list_page_paths"][:1]:
                for match in ITEM.finditer(_read(site_dir, path, charset)):
                    target = _resolve(path, match["href"])
                    if not target.endswith((".html", ".shtml")):
                        continue
                    day = _parse_day(match["date"], target)
                    article = _read(site_dir, target, charset)
                    assert (day.isoformat() in article
                            or f"{day.year}年{day.month:02d}月{day.day:02d}日" in article), target


def test_footer_truth_matches_the_home_page(any_farm):
    root, truth = any_farm
    markers = {"icp": "ICP备", "psb": "公网安备", "site_code": "网站标识码", "conac": "conac.cn",
               "jiucuo": "jiucuo", "sponsor": "主办单位"}
    for site in truth["sites"]:
        home = html.unescape(_read(root / site["dir"], site["home"], site["charset"]))
        for kind, fact in site["footer"].items():
            if fact["present"]:
                assert fact["raw"] in home, (site["id"], kind)
            elif kind == "site_code_meta":  # an empty SiteIDCode may stand in the head
                assert not re.search(r'name="SiteIDCode" content="\w', home)
            else:
                assert markers[kind] not in home, (site["id"], kind)
                assert not fact["valid"]


def test_annual_reports_are_listed_and_exist(any_farm):
    root, truth = any_farm
    for site in truth["sites"]:
        site_dir = root / site["dir"]
        column = next(c for c in site["columns"] if c["class"] == "annual-report")
        listed = "".join(_read(site_dir, p, site["charset"]) for p in column["list_page_paths"])
        for report in site["annual_reports"]:
            assert (site_dir / report["url"].lstrip("/")).is_file()
            assert f"{report['year']}年政府信息公开工作年度报告" in listed
            if report["form"] == "attachment":
                assert (site_dir / report["attachment"].lstrip("/")).read_bytes()[:4] == b"%PDF"
            else:
                assert "三、收到和处理政府信息公开申请情况" in _read(site_dir, report["url"],
                                                                     site["charset"])


def test_portalserver_serves_a_gbk_site(tiny):
    root, truth = tiny
    site = next(s for s in truth["sites"] if s["charset"] == "gbk")
    with PortalServer(root / site["dir"]) as server:
        with urllib.request.urlopen(server.url, timeout=10) as resp:
            assert "charset=gbk" in resp.headers["Content-Type"]
            assert site["name"] in resp.read().decode("gbk")
        column = site["columns"][-1]["path"]
        with urllib.request.urlopen(server.url.rstrip("/") + column, timeout=10) as resp:
            assert resp.status == 200


def test_accuracy_compare_matches_by_list_path():
    truth = {"columns": [
        {"name": "通知公告", "class": "notice-policy", "path": "/tzgg/index.html", "via": "menu",
         "kind": "list", "newest_date": "2026-11-20", "items": 3},
        {"name": "机构职能", "class": "overview", "path": "/jgzn/index.html", "via": "section",
         "kind": "text", "newest_date": None, "items": 0},
    ]}
    rows = [
        {"url": "http://127.0.0.1:9/tzgg/", "name": "通知公告", "class": "notice-policy",
         "newest_date": "2026-11-20", "item_count": 2},
        {"url": "http://127.0.0.1:9/tzgg/index.html", "name": "通知公告",
         "class": "notice-policy", "newest_date": "2026-11-20", "item_count": 2},
        {"url": "http://127.0.0.1:9/index.html", "name": "首页", "class": "other",
         "newest_date": None, "item_count": 9},
    ]
    tally = compare(truth, rows)
    assert (tally.truth, tally.found, tally.date_ok, tally.class_ok, tally.items_ok,
            tally.extra) == (2, 1, 1, 1, 0, 2)
    assert list_key("http://h/x/index.shtml") == list_key("/x/") == "/x/"


def test_a_weeks_edits_change_a_tenth_of_each_sites_pages_the_same_way_every_time(tmp_path):
    farms = [tmp_path / name for name in ("a", "b")]
    for root in farms:
        _generate(root, 3, 60, 1)
    before = _files(farms[0])
    changed = [farm_mod.change_pages(root, week=1) for root in farms]
    assert [p.relative_to(farms[0]) for p in changed[0]] == [
        p.relative_to(farms[1]) for p in changed[1]]
    assert _files(farms[0]) == _files(farms[1])  # the same edits, byte for byte
    for site in sorted(p for p in farms[0].iterdir() if p.is_dir()):
        pages = [path for _, path in _html_pages(site)]
        edited = [p for p in changed[0] if site in p.parents]
        assert len(edited) == round(len(pages) / 10) > 0, site.name
        charset = yaml.safe_load((site / "_portal.yaml").read_text(encoding="utf-8"))["charset"]
        for page in edited:  # a sentence more, in the page's charset, and nothing else
            old = before[page.relative_to(farms[0]).as_posix()].decode(charset)
            new = page.read_bytes().decode(charset)
            assert "本页内容于第1周更新。" in new and new.replace(
                '<p class="revised">本页内容于第1周更新。</p>', "") == old
    untouched = set(before) - {p.relative_to(farms[0]).as_posix() for p in changed[0]}
    assert all(_files(farms[0])[name] == before[name] for name in untouched)
    week2 = {p.relative_to(farms[0]) for p in farm_mod.change_pages(farms[0], week=2)}
    assert week2 != {p.relative_to(farms[0]) for p in changed[0]}  # another tenth


@pytest.mark.parametrize(("path", "fmt"), [("/a/P1.pdf", "pdf"), ("/a/P1.doc", "doc"),
                                           ("/a/P1.xls", "xls")])
def test_the_farms_attachments_are_real_documents_each_its_own(path, fmt):
    """A scan of the farm reads text from its attachments (not `corrupt` stand-ins), and no
    two attachments share a content (each is read, as on a portal)."""
    from bench.render import document_bytes
    from govwatch.crawler.documents import extract_bytes

    data = document_bytes(path)
    reading = extract_bytes(data, path.rsplit("/", 1)[1])
    assert (reading.status, reading.format) == ("read", fmt) and reading.chars > 40
    assert document_bytes(path.replace("P1", "P2")) != data
