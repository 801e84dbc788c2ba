"""govwatch.core.config: loading govwatch.yaml, and a line-numbered message for each mistake."""

from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner

from govwatch.cli import cli
from govwatch.core.config import Config, ConfigError, CrawlPolicy, Site, load_config

GOOD = """\
timezone: Asia/Shanghai
schedule:
  scan: "mon 02:00"
  bulletins: ["wed 09:00", "fri 09:00"]
rectification:
  deadline_working_days: 5
sites:
  - id: gs-jtt
    name: 甘肃省交通运输厅
    url: https://JTYS.gansu.gov.cn/
    unit: 甘肃省交通运输厅办公室
    max_pages: 800
    obey_robots: false
    start_urls: [https://jtys.gansu.gov.cn/col/col123/index.html]
  - id: lz_gov
    name: 兰州市人民政府
    url: http://www.lanzhou.gov.cn:8080/index.html
"""


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "govwatch.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(dedent(text), encoding="utf-8")
    return path


def error(tmp_path: Path, text: str | bytes) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert "\n" not in str(info.value)  # always one line
    return info.value


def test_good_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert isinstance(config, Config)
    assert config.timezone == "Asia/Shanghai"
    assert config.schedule == {"scan": "mon 02:00", "bulletins": ["wed 09:00", "fri 09:00"]}
    assert config.rectification == {"deadline_working_days": 5}
    jtt, lz = config.sites
    assert jtt == Site(id="gs-jtt", name="甘肃省交通运输厅", url="https://JTYS.gansu.gov.cn/",
                       unit="甘肃省交通运输厅办公室", max_pages=800, obey_robots=False,
                       start_urls=("https://jtys.gansu.gov.cn/col/col123/index.html",), line=8)
    assert jtt.host == "jtys.gansu.gov.cn"
    # Defaults applied; unit defaults to name; host keeps a non-default port.
    assert (lz.unit, lz.max_pages, lz.max_depth, lz.obey_robots, lz.allow_private) == (
        "兰州市人民政府", 5000, 10, True, False)
    assert (lz.start_urls, lz.line, lz.host) == ((), 15, "www.lanzhou.gov.cn:8080")
    assert config.site("lz_gov") is lz
    assert config.select([]) == config.sites
    assert config.select(["lz_gov", "gs-jtt", "lz_gov"]) == (lz, jtt)


def test_unknown_site_ids_name_the_known_ones(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"unknown site id 'nope' \(known: gs-jtt, lz_gov\)"):
        config.site("nope")
    with pytest.raises(ConfigError, match="'x', 'y'"):
        config.select(["gs-jtt", "x", "y"])


def test_bare_list_is_a_sites_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """\
        - {id: a, name: A, url: "https://a.gov.cn"}
        - {id: b, name: B, url: "https://b.gov.cn", max_depth: 0}
        """))
    assert [s.id for s in config.sites] == ["a", "b"]
    assert config.sites[1].max_depth == 0
    assert (config.timezone, dict(config.schedule)) == ("Asia/Shanghai", {})


def test_anchors_share_settings_between_sites(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """\
        x-small: &small {max_pages: 50, obey_robots: no}
        sites:
          - <<: *small
            id: a
            name: A
            url: https://a.gov.cn/
            max_pages: 60
        """))
    assert (config.sites[0].max_pages, config.sites[0].obey_robots) == (60, False)


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    text = "sites:\n  - {id: a, name: 甲, url: 'https://a.gov.cn'}\n"
    assert load_config(write(tmp_path, "\ufeff" + text)).sites[0].name == "甲"


# --- the file itself ---------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: file not found"
    assert info.value.line is None


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read file"):
        load_config(tmp_path)  # a directory


def test_not_utf8(tmp_path: Path) -> None:
    e = error(tmp_path, "sites:\n  - id: a\n    name: 甘肃省\n".encode("gbk"))
    assert (e.line, e.site) == (3, None)
    assert "not UTF-8" in e.message


def test_yaml_syntax_error(tmp_path: Path) -> None:
    e = error(tmp_path, """\
        sites:
          - id: a
            name: A: B
        """)
    assert str(e) == f"{e.path}:3: YAML syntax error: mapping values are not allowed here"


def test_bad_indent_reports_its_line(tmp_path: Path) -> None:
    e = error(tmp_path, """\
        sites:
          - id: a
            name: A
           url: https://a.gov.cn/
          - id: b
        """)
    assert e.line == 4
    assert "YAML syntax error: bad indentation" in e.message


@pytest.mark.parametrize(("text", "line", "phrase"), [
    ("", None, "file is empty"),
    ("just text\n", 1, "top level must be a mapping with a 'sites:' list"),
    ("timezone: Asia/Shanghai\n", 1, "no 'sites:' list"),
    ("timezone: UTC\nsites: []\n", 2, "no sites"),
    ("timezone: UTC\nsites:\n", 2, "no sites"),
    ("sites: {id: a}\n", 1, "sites must be a list"),
    ("sites: [a.gov.cn]\n", 1, "each site must be a mapping"),
    ("sites: []\nsite: []\n", 2, "unknown key 'site'; did you mean 'sites'?"),
    ("schedule: weekly\nsites: []\n", 1, "schedule must be a mapping"),
    ("timezone: Beijing\nsites: []\n", 1, "timezone must be a zoneinfo name"),
    ("timezone: 8\nsites: []\n", 1, "timezone must be a zoneinfo name"),
])
def test_top_level_problems(tmp_path: Path, text: str, line: int | None, phrase: str) -> None:
    e = error(tmp_path, text)
    assert (e.line, e.site) == (line, None)
    assert phrase in e.message


# --- one site ----------------------------------------------------------------------------

def site_error(tmp_path: Path, extra: str, site_id: str = "a") -> ConfigError:
    """Error from a file whose second site is 'a' plus `extra` lines (line 5 onwards)."""
    e = error(tmp_path, f"""\
sites:
  - {{id: ok, name: OK, url: "https://ok.gov.cn/"}}
  - id: {site_id}
    name: 甲单位
{extra}""")
    return e


@pytest.mark.parametrize(("extra", "line", "phrase"), [
    ("    url: https://a.gov.cn/\n    max_page: 9\n", 6,
     "unknown key 'max_page'; did you mean 'max_pages'?"),
    ("    url: https://a.gov.cn/\n    colour: red\n", 6, "unknown key 'colour'; known: id, name"),
    ("    url: https://a.gov.cn/\n    url: https://b.gov.cn/\n", 6,
     "duplicate key 'url' (first at line 5)"),
    ("    unit: 办公室\n", 3, "missing 'url'"),
    ("    url: ftp://x\n", 5, "url must be http(s)://host/...: 'ftp://x'"),
    ("    url: https:///index.html\n", 5, "url must be http(s)://"),
    ("    url: jtys.gansu.gov.cn\n", 5, "url must be http(s)://"),
    ("    url: https://a.gov.cn/\n    start_urls: https://a.gov.cn/x\n", 6,
     "start_urls must be a list"),
    ("    url: https://a.gov.cn/\n    start_urls:\n      - https://a.gov.cn/x\n"
     "      - https://b.gov.cn/y\n", 8, "not on the host of url (a.gov.cn): 'https://b.gov.cn/y'"),
    ("    url: https://a.gov.cn/\n    start_urls: [/col/1.html]\n", 6,
     "start_urls entry must be http(s)://"),
    ("    url: https://a.gov.cn/\n    max_pages: many\n", 6,
     "max_pages must be a positive integer: 'many'"),
    ("    url: https://a.gov.cn/\n    max_pages: 0\n", 6, "max_pages must be a positive integer"),
    ("    url: https://a.gov.cn/\n    max_pages: true\n", 6, "max_pages must be a positive"),
    ("    url: https://a.gov.cn/\n    max_depth: -1\n", 6, "max_depth must be an integer >= 0"),
    ("    url: https://a.gov.cn/\n    obey_robots: 'false'\n", 6,
     "obey_robots must be true or false, unquoted: 'false'"),
    ("    url: https://a.gov.cn/\n    allow_private: 1\n", 6,
     "allow_private must be true or false"),
    ("    url: https://a.gov.cn/\n    unit: ''\n", 6, "unit must be a non-empty string"),
    # a site's own crawl: section
    ("    url: https://a.gov.cn/\n    crawl: [delay]\n", 6, "crawl must be a mapping"),
    ("    url: https://a.gov.cn/\n    crawl:\n      per_host: 500\n", 7,
     "crawl: per_host must be an integer from 1 to 100: 500"),
    ("    url: https://a.gov.cn/\n    crawl:\n      contact: ops@a.gov.cn\n", 7,
     "crawl: contact is set once, in the top-level crawl section"),
    ("    url: https://a.gov.cn/\n    crawl: {timeout: 3}\n", 6,
     "crawl: unknown key 'timeout'"),
    # region: a division code of a known province, quoted (YAML would read 6104 as a number)
    ("    url: https://a.gov.cn/\n    region: 6104\n", 6, "region must be a division code"),
    ("    url: https://a.gov.cn/\n    region: '610'\n", 6, "region must be a division code"),
    ("    url: https://a.gov.cn/\n    region: '99'\n", 6, "of a known province"),
])
def test_site_problems(tmp_path: Path, extra: str, line: int, phrase: str) -> None:
    e = site_error(tmp_path, extra)
    assert (e.line, e.site) == (line, "a")
    assert phrase in e.message
    assert str(e).startswith(f"{e.path}:{line}: site a: ")


def test_a_site_names_its_region(tmp_path: Path) -> None:
    (site,) = load_config(write(tmp_path, "sites:\n  - id: a\n    name: A\n"
                                "    url: https://a.gov.cn/\n    region: '610402'\n")).sites
    assert site.region == "610402"


def test_missing_name(tmp_path: Path) -> None:
    e = error(tmp_path, "sites:\n  - id: a\n    url: https://a.gov.cn/\n")
    assert (e.line, e.site, e.message) == (2, "a", "missing 'name'")


def test_missing_id(tmp_path: Path) -> None:
    e = error(tmp_path, "sites:\n  - name: A\n    url: https://a.gov.cn/\n")
    assert (e.line, e.site, e.message) == (2, None, "missing 'id'")


@pytest.mark.parametrize("bad", ["GS-JTT", "-a", "a b", "'甘肃'", "620000", "no"])
def test_id_format(tmp_path: Path, bad: str) -> None:
    e = site_error(tmp_path, "    url: https://a.gov.cn/\n", site_id=bad)
    assert (e.line, e.site) == (3, None)
    assert "id must be lowercase letters, digits, - and _" in e.message


def test_duplicate_id_names_first_line(tmp_path: Path) -> None:
    e = error(tmp_path, """\
        sites:
          - id: a
            name: A
            url: https://a.gov.cn/
          - id: a
            name: A2
            url: https://a2.gov.cn/
        """)
    assert (e.line, e.site) == (5, "a")
    assert "duplicate id (first at line 2)" in e.message


# --- crawl: politeness -------------------------------------------------------------------

CRAWL = """\
crawl:
  delay: 1
  autothrottle: false
  contact: https://www.xy.gov.cn/lxwm/
sites:
  - id: a
    name: A
    url: https://a.gov.cn/
  - id: b
    name: B
    url: https://b.gov.cn/
    crawl: {delay: 3, per_host: 1, download_timeout: 60, link_check_timeout: 20}
  - id: c
    name: C
    url: https://c.gov.cn/
    crawl: {autothrottle: true, autothrottle_target: 0.5}
"""


def test_crawl_section_and_site_overrides(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CRAWL))
    a, b, c = config.sites
    assert config.crawl == CrawlPolicy(delay=1.0, autothrottle=False,
                                       contact="https://www.xy.gov.cn/lxwm/")
    assert a.crawl == config.crawl  # the section holds for a site that says nothing
    # A site's own keys win; what it leaves unset it takes from the section.
    assert b.crawl == CrawlPolicy(delay=3.0, per_host=1, autothrottle=False,
                                  download_timeout=60.0, link_check_timeout=20.0,
                                  contact="https://www.xy.gov.cn/lxwm/")
    assert c.crawl.explicit() == {"delay": 1.0, "autothrottle": True, "autothrottle_target": 0.5,
                                  "contact": "https://www.xy.gov.cn/lxwm/"}
    assert c.crawl.host_keys() == {"delay": 1.0, "autothrottle": True, "autothrottle_target": 0.5}


def test_no_crawl_section_sets_nothing(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.crawl == CrawlPolicy()
    assert all(site.crawl.explicit() == {} for site in config.sites)  # the crawl's defaults


def test_sites_on_one_host_share_its_politeness(tmp_path: Path) -> None:
    """Politeness is per host: two sites of one host (a 集约化 platform) may not ask for
    different delays, but may ask for different timeouts (those are per request)."""
    shared = """\
        sites:
          - {id: a, name: A, url: "https://x.gov.cn/a/", crawl: {delay: 2, download_timeout: 9}}
          - id: b
            name: B
            url: "https://X.gov.cn:8443/b/"
            crawl: {delay: 2}
          - id: c
            name: C
            url: "https://x.gov.cn/c/"
        """
    e = error(tmp_path, shared)
    assert (e.line, e.site) == (7, "c")
    assert e.message.startswith("crawl: delay unset here, 2 for site a (line 2) on the same "
                                "host x.gov.cn: sites on one host share its politeness")
    config = load_config(write(tmp_path, shared.replace('url: "https://x.gov.cn/c/"',
                                                        'url: "https://x.gov.cn/c/"\n'
                                                        '            crawl: {delay: 2}')))
    assert [s.crawl.delay for s in config.sites] == [2.0, 2.0, 2.0]


@pytest.mark.parametrize(("crawl", "line", "phrase"), [
    ("crawl: 2\n", 1, "crawl must be a mapping (delay: ..., per_host: ...)"),
    ("crawl:\n  dealy: 1\n", 2, "unknown key 'dealy'; did you mean 'delay'?"),
    ("crawl:\n  delay: -1\n", 2, "crawl: delay must be a number of seconds from 0 to 60: -1"),
    ("crawl:\n  delay: 61\n", 2, "crawl: delay must be a number of seconds from 0 to 60"),
    ("crawl:\n  delay: '1'\n", 2, "crawl: delay must be a number of seconds from 0 to 60: '1'"),
    ("crawl:\n  delay: .nan\n", 2, "crawl: delay must be a number of seconds"),
    ("crawl:\n  per_host: 0\n", 2, "crawl: per_host must be an integer from 1 to 100: 0"),
    ("crawl:\n  per_host: 2.5\n", 2, "crawl: per_host must be an integer from 1 to 100"),
    ("crawl:\n  per_host: true\n", 2, "crawl: per_host must be an integer"),
    ("crawl:\n  autothrottle: 'no'\n", 2,
     "crawl: autothrottle must be true or false, unquoted: 'no'"),
    ("crawl:\n  autothrottle_target: 0\n", 2,
     "crawl: autothrottle_target must be a number above 0, at most 100: 0"),
    ("crawl:\n  download_timeout: 0\n", 2,
     "crawl: download_timeout must be a number of seconds above 0, at most 600: 0"),
    ("crawl:\n  link_check_timeout: 900\n", 2,
     "crawl: link_check_timeout must be a number of seconds above 0, at most 600: 900"),
    ("crawl:\n  contact: 政务公开办\n", 2,
     "crawl: contact must be an http(s) URL or an e-mail address"),
    ("crawl:\n  contact: ftp://x.gov.cn/\n", 2, "crawl: contact must be an http(s) URL"),
    ("crawl:\n  contact: 'a@b.gov.cn (office)'\n", 2, "crawl: contact must be"),
])
def test_crawl_section_problems(tmp_path: Path, crawl: str, line: int, phrase: str) -> None:
    e = error(tmp_path, crawl + "sites:\n  - {id: a, name: A, url: 'https://a.gov.cn/'}\n")
    assert (e.line, e.site) == (line, None)
    assert phrase in e.message
    assert str(e).startswith(f"{e.path}:{line}: crawl")


def test_bad_crawl_value_exits_2_with_file_and_line(tmp_path: Path) -> None:
    """``govwatch sites check`` (and every command reading the file) refuses it: one line
    ``error: FILE:LINE: …``, exit status 2."""
    path = write(tmp_path, "sites:\n  - id: a\n    name: A\n    url: https://a.gov.cn/\n"
                           "    crawl:\n      delay: fast\n")
    result = CliRunner().invoke(cli, ["sites", "check", "--config", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {path}:6: site a: crawl: delay must be a number of "
                             "seconds from 0 to 60: 'fast'\n")
