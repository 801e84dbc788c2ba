"""Serve a synthetic farm (:mod:`bench.farm`) on 127.0.0.1: nginx when it can be had, else Python.

:func:`serve_farm` is a context manager that serves every site of a farm on its own port and
yields a :class:`ServedFarm`: the base URL of each site and a line saying what serves it.

- ``python``: one :class:`govwatch.demo.server.PortalServer` a site, threads of this
  process. Simple and always there, but slow enough to be a benchmark's bottleneck.
- ``nginx``: one nginx process (``daemon off``, ``worker_processes auto``, access log off)
  with a generated config, one ``server`` a site, its pid file, logs and temporary folders
  inside the work folder. Debian's ``nginx-light`` (or ``nginx``) is installed with apt-get
  when nginx is missing and this process is root. The ``charset`` of a site's
  ``_portal.yaml`` is sent with its HTML, as PortalServer does; ``_portal.yaml`` is not served.
  A Hanweb site's ``dataproxy.jsp`` (a POST that files cannot answer) is passed on to a
  PortalServer of that site, and the records it answers from are not served.
- ``auto``: nginx, falling back to Python when nginx cannot be installed or started; the
  description then says so, and why.

:func:`scan_sites` writes the sites file for a scan of the served farm, its politeness in a
``crawl:`` section (no delay nor AutoThrottle against our own loopback server), and loads it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from govwatch.core.config import Site, load_config
from govwatch.demo import server as portalserver
from govwatch.demo.server import CONTENT_TYPES, INDEX_FILES, PortalServer, read_portal_meta

__all__ = [
    "LOOPBACK_CRAWL",
    "LOOPBACK_ONLY",
    "SERVER_MODES",
    "NginxUnavailable",
    "ServedFarm",
    "ensure_nginx",
    "nginx_config",
    "roomy_backlog",
    "scan_sites",
    "serve_farm",
]

SERVER_MODES = ("auto", "nginx", "python")
# Settings for a scan of a served farm: links to the outside world are not checked (the
# machine may be offline, and a benchmark sends nothing beyond 127.0.0.1).
LOOPBACK_ONLY: dict[str, Any] = {"GOVWATCH_LINKCHECK_EXCLUDE": [r"^https?://(?!127\.0\.0\.1[:/])"]}
# The crawl: section of a scan of a served farm: the loopback server is ours and needs no
# politeness delay, nor AutoThrottle.
LOOPBACK_CRAWL: dict[str, Any] = {"delay": 0, "autothrottle": False}
NGINX_PACKAGES = ("nginx-light", "nginx")
READY_SECONDS = 10.0


class NginxUnavailable(RuntimeError):
    """nginx is not installed and cannot be, or it would not start."""


@dataclass
class ServedFarm:
    """A farm being served: each site's base URL (by site id) and what serves them."""

    urls: dict[str, str]
    server: str  # "nginx" or "python"
    description: str
    fallback: str | None = None  # why nginx was not used, when it was wanted
    details: dict[str, Any] = field(default_factory=dict)


def roomy_backlog() -> None:
    """Give :class:`PortalServer` a listen backlog of 512: a crawl opens connections in bursts,
    and each one a short queue drops costs a 1 s SYN retransmit, which a benchmark would
    measure instead of the crawler. A real web server queues hundreds."""
    portalserver._PortalHTTPServer.request_queue_size = 512


def scan_sites(truth: dict[str, Any], urls: dict[str, str], path: Path,
               crawl: Mapping[str, Any] = LOOPBACK_CRAWL) -> tuple[Site, ...]:
    """Write the sites file of a scan of the farm described by *truth*, served at *urls*, to
    *path* and load it; *crawl* is its ``crawl:`` section (politeness). A site's page cap is
    raised above its file count, so the cap never cuts a benchmark or an accuracy run
    short."""
    default_cap = Site.__dataclass_fields__["max_pages"].default
    entries = []
    for site in truth["sites"]:
        entry = {"id": site["id"], "name": site["name"], "url": urls[site["id"]]}
        if site["files"] * 2 > default_cap:
            entry["max_pages"] = site["files"] * 2
        entries.append(entry)
    path.write_text(yaml.safe_dump({"crawl": dict(crawl), "sites": entries}, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return load_config(path).sites


# -- nginx ---------------------------------------------------------------------------------


def _free_ports(count: int) -> list[int]:
    """*count* distinct ports free on 127.0.0.1 now (the kernel's picks)."""
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            socks.append(sock)
        return [s.getsockname()[1] for s in socks]
    finally:
        for sock in socks:
            sock.close()


def ensure_nginx(install: bool = True) -> str:
    """The path of the nginx binary, installing Debian's package with apt-get when it is
    missing, *install* is true and this process is root; NginxUnavailable otherwise."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
    if found:
        return found
    if not install:
        raise NginxUnavailable("nginx is not installed")
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise NginxUnavailable("nginx is not installed, and apt-get cannot be run as root here")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    tried = []
    for update in (False, True):  # the package lists may be missing or stale: update once
        if update:
            print("bench: apt-get update", file=sys.stderr, flush=True)
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
        for package in NGINX_PACKAGES:
            print(f"bench: installing {package} with apt-get", file=sys.stderr, flush=True)
            done = subprocess.run(["apt-get", "install", "-y", "-q", package], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, check=False)
            if done.returncode == 0:
                return ensure_nginx(install=False)
            tried.append(f"{package}: {done.stderr.strip().splitlines()[-1:] or ['failed']}")
    raise NginxUnavailable("apt-get could not install nginx (" + "; ".join(tried) + ")")


def nginx_version(binary: str) -> tuple[str, str]:
    """nginx's version (``1.22.1``) and its configure arguments, from ``nginx -V``."""
    done = subprocess.run([binary, "-V"], capture_output=True, text=True, check=False)
    text = done.stdout + done.stderr
    version = re.search(r"nginx/(\S+)", text)
    args = re.search(r"configure arguments:(.*)", text)
    return (version.group(1) if version else "?"), (args.group(1) if args else "")


def nginx_config(sites: list[tuple[int, Path, str | None]], prefix: Path,
                 configure_args: str = "",
                 dataproxies: Mapping[int, tuple[Mapping[str, str], int]] | None = None) -> str:
    """An nginx config serving each ``(port, root folder, charset)`` of *sites* on
    127.0.0.1, with every path nginx writes (pid, logs, temporary files) under *prefix*.
    *configure_args* (from ``nginx -V``) names the temporary folders compiled in, so that
    each is moved under *prefix* too. *dataproxies*: by site port, the ``dataproxy`` of its
    ``_portal.yaml`` (path → records folder) and the port of the PortalServer answering it."""
    types = {}
    for suffix, ctype in CONTENT_TYPES.items():
        types.setdefault(ctype, []).append(suffix.lstrip("."))
    type_lines = "".join(f"        {ctype} {' '.join(exts)};\n" for ctype, exts in types.items())
    temp_kinds = re.findall(r"--http-(\w+)-temp-path", configure_args) or ["client-body"]
    temp_lines = "".join(
        f"    {kind.replace('-', '_')}_temp_path {prefix / ('temp-' + kind)};\n"
        for kind in temp_kinds)
    user = ""
    if os.geteuid() == 0:  # workers would drop to nobody, who cannot read a 0700 temp folder
        user = f"user {pwd.getpwuid(0).pw_name};\n"
    servers = []
    for port, root, charset in sites:
        charset_lines = (f"        charset {charset};\n        charset_types text/html;\n"
                         if charset else "")
        servers.append(
            "    server {\n"
            f"        listen 127.0.0.1:{port} backlog=1024;\n"
            f"        root {root};\n"
            f"        index {' '.join(INDEX_FILES)};\n"
            f"{charset_lines}"
            "        location = /_portal.yaml { return 404; }\n"
            f"{_dataproxy_locations(*(dataproxies or {}).get(port, ({}, 0)))}"
            "    }\n")
    return (
        f"{user}worker_processes auto;\n"
        "daemon off;\n"
        "master_process on;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        "    types {\n" + type_lines + "    }\n"
        f"    default_type {portalserver.DEFAULT_CONTENT_TYPE};\n"
        "    access_log off;\n"
        "    server_tokens off;\n"
        "    sendfile on;\n"
        "    tcp_nopush on;\n"
        "    keepalive_requests 100000;\n"
        # Cached descriptors stay far below a worker's open-file limit (often 20 000): at
        # max=20000 a fast re-scan filled it and nginx refused every connection.
        "    open_file_cache max=4000 inactive=20s;\n"
        # Checked again after a second, not a minute: a farm edited between two scans
        # (bench.storage's weeks) is served as edited, new validators and all.
        "    open_file_cache_valid 1s;\n"
        f"{temp_lines}" + "".join(servers) + "}\n"
    )


def _dataproxy_locations(proxies: Mapping[str, str], answering: int) -> str:
    """nginx locations passing each dataproxy path to the PortalServer on port *answering*,
    and hiding the folders of records it answers from."""
    return "".join(
        f"        location = {path} {{ proxy_pass http://127.0.0.1:{answering}; }}\n"
        f"        location ^~ /{folder.strip('/')}/ {{ return 404; }}\n"
        for path, folder in proxies.items())


def _wait_ready(ports: list[int], process: subprocess.Popen, log: Path) -> None:
    """Return once every port accepts connections; NginxUnavailable when nginx exits or the
    ports stay closed."""
    deadline = time.monotonic() + READY_SECONDS
    pending = list(ports)
    while pending:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise NginxUnavailable(f"nginx exited with status {process.returncode}: "
                                   + " | ".join(tail))
        try:
            socket.create_connection(("127.0.0.1", pending[0]), timeout=0.5).close()
            pending.pop(0)
        except OSError:
            if time.monotonic() > deadline:
                raise NginxUnavailable(f"nginx did not listen on port {pending[0]} "
                                       f"within {READY_SECONDS:.0f} s") from None
            time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    """Stop nginx (fast shutdown: SIGTERM to the master), killing it if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _nginx(truth: dict[str, Any], farm: Path, work: Path) -> Iterator[ServedFarm]:
    binary = ensure_nginx()
    version, configure_args = nginx_version(binary)
    prefix = (work / "nginx").resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    ports = _free_ports(len(truth["sites"]))
    with contextlib.ExitStack() as answering:  # the PortalServers of dataproxies
        sites = []
        dataproxies: dict[int, tuple[Mapping[str, str], int]] = {}
        for port, site in zip(ports, truth["sites"], strict=True):
            root = (farm / site["dir"]).resolve()
            meta = read_portal_meta(root)
            sites.append((port, root, meta.get("charset")))
            if meta.get("dataproxy"):  # a POST with parameters: PortalServer answers it
                server = answering.enter_context(PortalServer(root))
                dataproxies[port] = (meta["dataproxy"], server.port)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(sites, prefix, configure_args, dataproxies),
                        encoding="utf-8")
        log = prefix / "error.log"
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(conf), "-e", str(log)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # a Ctrl-C reaches us, and we stop it
        try:
            _wait_ready(ports, process, log)
            urls = {site["id"]: f"http://127.0.0.1:{port}/"
                    for port, site in zip(ports, truth["sites"], strict=True)}
            yield ServedFarm(
                urls, "nginx",
                f"nginx {version} ({binary}), one server a site on 127.0.0.1, "
                f"worker_processes auto ({os.cpu_count()} CPUs), access_log off",
                details={"version": version, "pid": process.pid, "config": str(conf)})
        finally:
            _stop(process)


@contextlib.contextmanager
def _python(truth: dict[str, Any], farm: Path, fallback: str | None) -> Iterator[ServedFarm]:
    roomy_backlog()
    with contextlib.ExitStack() as stack:
        urls = {site["id"]: stack.enter_context(PortalServer(farm / site["dir"])).url
                for site in truth["sites"]}
        description = "python PortalServer (threads of the benchmark's process), one a site"
        if fallback:
            description += f"; FALLBACK, nginx unavailable: {fallback}"
        description += "; the server may be the bottleneck"
        yield ServedFarm(urls, "python", description, fallback)


@contextlib.contextmanager
def serve_farm(truth: dict[str, Any], farm: Path, work: Path,
               mode: str = "auto") -> Iterator[ServedFarm]:
    """Serve every site of the farm in *farm* (its *truth*) on 127.0.0.1 while the block runs.

    *mode* is one of :data:`SERVER_MODES`; nginx's own files go under *work*. With ``nginx``,
    NginxUnavailable when it cannot be had; with ``auto``, Python serves instead and says so.
    """
    if mode not in SERVER_MODES:
        raise ValueError(f"server mode {mode!r}: expected one of {SERVER_MODES}")
    with contextlib.ExitStack() as stack:
        served, fallback = None, None
        if mode != "python":
            try:
                served = stack.enter_context(_nginx(truth, farm, work))
            except NginxUnavailable as err:
                if mode == "nginx":
                    raise
                fallback = str(err)
        if served is None:
            served = stack.enter_context(_python(truth, farm, fallback))
        yield served
