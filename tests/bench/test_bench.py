"""The benchmark harness (bench/run.py) works: a smoke run at a tiny size, and its parts.

The figures come from full-size runs (``python -m bench.run --sites 20 --pages 5000``); here
the harness only has to run end to end and print plausible numbers in its documented format.
The Python server keeps the smoke run simple; nginx is exercised when it is installed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from bench.bare import BareSpider
from bench.farm import generate_farm
from bench.proctree import PeakSampler
from bench.run import politeness, profile_summary, render_text
from bench.serve import NginxUnavailable, ensure_nginx, nginx_config, serve_farm

ROOT = Path(__file__).resolve().parents[2]
LAST_LINE = re.compile(r"^ratio=(\d+\.\d{3}) rss_mb=(\d+\.\d) pages=(\d+)$")
TINY = ["--sites", "2", "--pages", "40", "--seed", "3", "--server", "python"]


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_tiny_run_prints_the_table_and_the_last_line():
    done = _bench(*TINY)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    match = LAST_LINE.match(lines[-1])
    assert match, lines[-1]
    ratio, rss_mb, pages = float(match[1]), float(match[2]), int(match[3])
    assert ratio > 0 and pages > 0 and rss_mb > 20  # a Scrapy process tree is tens of MB
    text = done.stdout
    assert "python PortalServer" in text and "may be the bottleneck" in text
    assert "CONCURRENT_REQUESTS_PER_DOMAIN=8" in text and "AUTOTHROTTLE_ENABLED=False" in text
    bare = next(line for line in lines if line.startswith("(a) bare Scrapy"))
    full = next(line for line in lines if line.startswith("(b) govwatch scan "))
    assert " finished " in bare and " complete " in full


def test_json_format_has_the_figures_of_every_run():
    done = _bench(*TINY, "--rescan", "--format", "json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    bare, full = figures["runs"]["bare"], figures["runs"]["govwatch"]
    assert bare["pages"] > 50 and full["pages"] > 50  # the farm has 116 files
    assert full["pages"] == figures["pages"] and full["peak_rss_mb"] == figures["rss_mb"]
    assert figures["ratio"] == pytest.approx(
        full["pages_per_second"] / bare["pages_per_second"], rel=0.01)
    assert full["parts"]["crawl"] > 0 and full["parts"]["rules"] is not None
    assert full["parts"]["tracking"] is not None
    assert full["details"]["findings"] > 0
    assert figures["server"] == {"kind": "python", "description": figures["server"]["description"],
                                 "fallback": None}
    assert figures["politeness"] == politeness(8)
    again = figures["runs"]["rescan"]
    assert again["status"] == "complete" and again["pages"] > 50
    assert figures["rescan_speedup"] > 0
    # CPU seconds of each run's process tree, and the ratio per CPU second
    assert bare["cpu_seconds"] > 0 and full["cpu_seconds"] > 0
    assert figures["cpu_ratio"] == pytest.approx(
        full["pages_per_cpu_second"] / bare["pages_per_cpu_second"], rel=0.01)
    # the farm's attachments are read by the first scan and not again by the re-scan
    documents = full["details"]["documents"]
    assert documents["extracted"] > 0 and documents["by_status"].get("read") == \
        documents["extracted"]
    assert again["details"]["documents"]["extracted"] == 0
    assert again["details"]["documents"]["seen"] == documents["seen"]
    text = render_text(figures)
    assert f"(b) attachments: {documents['seen']} seen" in text
    assert "(c) govwatch re-scan" in text and LAST_LINE.match(text.splitlines()[-1])


def test_bare_spider_follows_only_links_of_its_own_site():
    spider = BareSpider(start_urls=["http://127.0.0.1:8001/"])
    body = (b'<a href="a.html">a</a><a href=" /b/ ">b</a><a href="http://127.0.0.1:8002/c">c</a>'
            b'<a href="https://127.0.0.1:8001/d">d</a><a href="http://www.gov.cn/">e</a>'
            b'<a href="mailto:x@y.cn">f</a><a href="#top">g</a>')
    response = HtmlResponse("http://127.0.0.1:8001/x/index.html", body=body, encoding="utf-8",
                            request=Request("http://127.0.0.1:8001/x/index.html"))
    urls = [request.url for request in spider.parse(response)]
    assert urls == ["http://127.0.0.1:8001/x/a.html", "http://127.0.0.1:8001/b/",
                    "http://127.0.0.1:8001/x/index.html#top"]
    assert spider.pages == 1


def test_peak_sampler_counts_the_children_of_a_process():
    child = subprocess.Popen([sys.executable, "-c",
                              "import time; b = bytearray(80_000_000); time.sleep(1.5)"])
    with PeakSampler(child.pid, 0.1) as sampler:
        child.wait()
    assert sampler.tree >= 80_000_000
    with PeakSampler(os.getpid(), 0.1) as own:  # this process, no children
        time.sleep(0.2)
    assert own.tree > 0 and own.below == 0


def test_profile_summary_attributes_samples_to_project_code():
    raw = "\n".join([
        "<module> (crawler/process.py:44);run (scrapy/crawler.py:9);parse (crawler/spider.py:140);"
        "document_fromstring (lxml/html/__init__.py:7) 60",
        "<module> (crawler/process.py:44);run (scrapy/crawler.py:9);"
        "fingerprint (scrapy/utils/request.py:3) 30",
        "<module> (crawler/process.py:44);write_rows (govwatch/db.py:410) 10",
    ])
    summary = profile_summary(raw)
    assert summary["samples"] == 100
    assert summary["own"][0] == ("document_fromstring (lxml/html/__init__.py)", 60.0)
    assert dict(summary["by_caller"]) == {
        "parse (crawler/spider.py)": 60.0,
        "scrapy: fingerprint (scrapy/utils/request.py)": 30.0,
        "write_rows (govwatch/db.py)": 10.0,
    }
    assert ("parse (crawler/spider.py)", 60.0) in summary["inclusive_project"]


def test_nginx_config_serves_each_site_on_its_port(tmp_path):
    sites = [(18001, tmp_path / "s01", "gbk"), (18002, tmp_path / "s02", None)]
    conf = nginx_config(sites, tmp_path / "nginx", "--http-proxy-temp-path=/var/lib/x")
    assert conf.count("server {") == 2
    assert "listen 127.0.0.1:18001" in conf and f"root {tmp_path / 's02'};" in conf
    assert "charset gbk;" in conf and conf.count("charset_types") == 1
    assert "access_log off;" in conf and "daemon off;" in conf
    assert "worker_processes auto;" in conf
    assert f"proxy_temp_path {tmp_path / 'nginx' / 'temp-proxy'};" in conf
    assert "index index.html index.shtml" in conf


def test_nginx_serves_a_farm_like_portalserver(tmp_path):
    ensure_nginx(install=False)  # scripts/install-system-deps installs it for the test suite
    truth = generate_farm(tmp_path / "farm", 1, 30, 3)  # a GBK county site
    with serve_farm(truth, tmp_path / "farm", tmp_path, "nginx") as served:
        assert served.server == "nginx" and served.fallback is None
        url = served.urls[truth["sites"][0]["id"]]
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"] == "text/html; charset=gbk"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "_portal.yaml", timeout=5)
        assert missing.value.code == 404
        pid = served.details["pid"]
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(pid, 0)


def test_nginx_serves_a_page_edited_between_scans_as_edited(tmp_path):
    """bench.storage edits a tenth of the farm before each week's scan: the next
    conditional request must not be answered 304 from what nginx cached of the file."""
    ensure_nginx(install=False)
    truth = generate_farm(tmp_path / "farm", 1, 30, 3)
    with serve_farm(truth, tmp_path / "farm", tmp_path, "nginx") as served:
        url = served.urls[truth["sites"][0]["id"]]
        for _ in range(8):  # each worker has the file in its cache
            with urllib.request.urlopen(url, timeout=5) as answer:
                etag = answer.headers["ETag"]
        page = next((tmp_path / "farm").glob("*/index.*"))
        page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>2</p></body>"))
        time.sleep(1.5)  # as bench.storage waits after its edits
        asked = urllib.request.Request(url, headers={"If-None-Match": etag})
        with urllib.request.urlopen(asked, timeout=5) as answer:
            assert answer.status == 200 and answer.headers["ETag"] != etag
            assert b"<p>2</p>" in answer.read()


def test_without_nginx_auto_falls_back_to_python_and_says_so(tmp_path, monkeypatch):
    def unavailable(install: bool = True) -> str:
        raise NginxUnavailable("nginx is not installed")

    monkeypatch.setattr("bench.serve.ensure_nginx", unavailable)
    truth = generate_farm(tmp_path / "farm", 1, 30, 3)
    with serve_farm(truth, tmp_path / "farm", tmp_path, "auto") as served:
        assert served.server == "python"
        assert "FALLBACK, nginx unavailable: nginx is not installed" in served.description
        with urllib.request.urlopen(served.urls[truth["sites"][0]["id"]], timeout=5) as answer:
            assert answer.status == 200
    with pytest.raises(NginxUnavailable), serve_farm(truth, tmp_path / "farm", tmp_path,
                                                     "nginx"):
        pass
