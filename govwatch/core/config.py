"""Load and validate ``govwatch.yaml``, the sites file.

Top-level keys (a bare YAML list of sites is also accepted, as a sites-only file):

    timezone       zoneinfo name                  default "Asia/Shanghai"
    crawl          mapping of crawl keys          default {} (the crawl's own defaults,
                                                  crawler/settings.py)
    schedule       mapping, kept raw              default {}  (read by scheduler/; checked
                                                  here by govwatch.core.schedule)
    rectification  mapping, passed on raw         default {}  (read by reports/)
    mail           mapping of mail keys           default none (bulletins are not mailed)
    retention      mapping, kept raw              default {}  (read by govwatch/prune.py;
                                                  checked here by govwatch.core.retention)
    evidence       mapping, kept raw              default {}  (kept pages and screenshots,
                                                  checked here by govwatch.core.kept)
    sites          non-empty list of site mappings (required)

The lines of the keys inside ``schedule``, ``rectification``, ``retention`` and ``evidence``
are kept (``Config.lines``), so the modules that read them report problems as ``FILE:LINE`` too
(``Config.error``).

Mail keys (SMTP delivery of bulletins by the scheduler, scheduler/mail.py):

    host           SMTP server name               required
    port           1..65535                       default 465 with ssl, 587 with starttls,
                                                  else 25
    from           e-mail address                 required
    to             e-mail address or a list       required
    starttls       YAML boolean                   default false (upgrade with STARTTLS)
    ssl            YAML boolean                   default false (implicit TLS, SMTPS)
    username       non-empty string               default none (no login)
    password_env   environment variable name      required with username: the variable
                                                  holding the password (never the password)

Crawl keys (politeness towards the sites' hosts; each unset key keeps the crawl's default,
stated once in crawler/settings.py; a site's own ``crawl:`` mapping overrides them for it):

    delay              seconds between requests to one host, 0-60 (DOWNLOAD_DELAY; Scrapy
                       spreads it between half and one and a half times)
    per_host           requests in flight to one host, 1-100 (CONCURRENT_REQUESTS_PER_DOMAIN)
    autothrottle       YAML boolean: AutoThrottle adapts the delay to the host's latency,
                       never below ``delay`` (AUTOTHROTTLE_ENABLED)
    autothrottle_target  requests AutoThrottle aims to keep in flight to one host, above 0
                       and at most 100 (AUTOTHROTTLE_TARGET_CONCURRENCY)
    download_timeout   seconds a page may take to download, above 0 and at most 600
                       (DOWNLOAD_TIMEOUT)
    link_check_timeout seconds a link check may take, above 0 and at most 600
                       (GOVWATCH_LINKCHECK_TIMEOUT)
    contact            the office's contact, an http(s) URL or an e-mail address, added to
                       the User-Agent after govwatch's name and version; top level only
    documents          attachments (PDF, DOC, DOCX, XLS, XLSX, WPS, ET, OFD) of the site
                       downloaded and read as text, 0-100000 (0: none; default in
                       govwatch/core/defaults.py, docs/documents.md)
    document_max_bytes bytes an attachment may have to be read, 1-1073741824
    document_max_pages pages (or sheets) an attachment may have to be read, 1-100000
    document_timeout   seconds reading one attachment may take, above 0 and at most 3600

Politeness is per host (Scrapy's download slots are keyed by host name): sites on one host
must not ask for different delay, per_host, autothrottle or autothrottle_target.

Site keys:

    id             [a-z0-9][a-z0-9_-]*, unique    required (the stable key used everywhere)
    name           non-empty string               required, e.g. 甘肃省交通运输厅
    url            http(s) URL with a host        required, the home page
    unit           non-empty string               default: name (who must claim and fix)
    max_pages      integer >= 1                   default 5000
    max_depth      integer >= 0                   default 10
    obey_robots    YAML boolean                   default true
    start_urls     http(s) URLs on url's host     default [] (extra start pages)
    allow_private  YAML boolean                   default false (link checker may request
                                                  private addresses)
    link_exclude   list of regular expressions    default [] (link targets matching one are
                                                  not checked: skipped, excluded)
    link_accept    list of HTTP status codes      default [] (codes a checked link may answer
                                                  and still be ok, e.g. [403])
    crawl          mapping of crawl keys          default {} (this site's own politeness,
                                                  over the top-level section; no contact)
    region         division code, 2, 4 or 6       default none (行政区划代码 of the site's
                   digits, quoted                 area, e.g. '6104': its footer identifiers
                                                  are checked against it, footer.mismatch)

Unknown keys at either level are errors, so a typo never passes silently; only top-level
keys starting with ``x-`` are ignored, to hold YAML anchors that sites merge in
(``x-defaults: &d {max_pages: 800}`` then ``<<: *d`` in a site). The first problem
found raises ConfigError, whose str() is one line ``FILE:LINE: site ID: message``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govwatch.core.defaults import TIMEZONE
from govwatch.core.kept import evidence_settings
from govwatch.core.regions import is_division_code
from govwatch.core.retention import Retention
from govwatch.core.schedule import Schedule

__all__ = [
    "Config",
    "ConfigError",
    "CrawlPolicy",
    "MailSettings",
    "Site",
    "check_site_ids",
    "load_config",
]

ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
TOP_KEYS = ("timezone", "schedule", "rectification", "mail", "retention", "evidence", "crawl",
            "sites")
MAIL_KEYS = ("host", "port", "from", "to", "starttls", "ssl", "username", "password_env")
_ADDRESS_RE = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+")
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SITE_KEYS = ("id", "name", "url", "unit", "max_pages", "max_depth", "obey_robots",
             "start_urls", "allow_private", "link_exclude", "link_accept", "crawl", "region")
CRAWL_KEYS = ("delay", "per_host", "autothrottle", "autothrottle_target", "download_timeout",
              "link_check_timeout", "contact", "documents", "document_max_bytes",
              "document_max_pages", "document_timeout")
# Crawl keys that count something: integers.
_INTEGER_KEYS = ("per_host", "documents", "document_max_bytes", "document_max_pages")
# What one host's download slot is held to: sites sharing a host must agree on these.
HOST_KEYS = ("delay", "per_host", "autothrottle", "autothrottle_target")
# Numeric crawl keys: (lowest, whether the lowest itself is allowed, highest, what it counts).
_CRAWL_RANGES: dict[str, tuple[float, bool, float, str]] = {
    "delay": (0, True, 60, "a number of seconds from 0 to 60"),
    "per_host": (1, True, 100, "an integer from 1 to 100"),
    "autothrottle_target": (0, False, 100, "a number above 0, at most 100"),
    "download_timeout": (0, False, 600, "a number of seconds above 0, at most 600"),
    "link_check_timeout": (0, False, 600, "a number of seconds above 0, at most 600"),
    "documents": (0, True, 100_000, "an integer from 0 to 100000"),
    "document_max_bytes": (1, True, 1 << 30, "a number of bytes from 1 to 1073741824"),
    "document_max_pages": (1, True, 100_000, "an integer from 1 to 100000"),
    "document_timeout": (0, False, 3600, "a number of seconds above 0, at most 3600"),
}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigError(Exception):
    """A problem in a config file: str(e) is one line 'FILE:LINE: site ID: message'
    (each of the file, line and site parts only when known)."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 site: str | None = None) -> None:
        self.message, self.line, self.site = message, line, site
        self.path = Path(path) if path is not None else None
        super().__init__(message, path, line, site)  # all args, so it pickles whole

    def __str__(self) -> str:
        where = "".join(f"{part}:" for part in (self.path, self.line) if part is not None)
        who = f"site {self.site}: " if self.site else ""
        return f"{where} {who}{self.message}".lstrip()


def _host(url: str) -> str:
    """Lowercase host[:port] of an http(s) URL, dropping userinfo and a default port."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower().rstrip(":")  # "x:/" has an empty port
    if parts.port is not None and parts.port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = host.rpartition(":")[0]  # so https://x:443/ and https://x/ are the same host
    return host


@dataclass(frozen=True)
class CrawlPolicy:
    """Politeness of a crawl (a ``crawl:`` section); a key left None keeps the crawl's own
    default (crawler/settings.py)."""

    delay: float | None = None
    per_host: int | None = None
    autothrottle: bool | None = None
    autothrottle_target: float | None = None
    download_timeout: float | None = None
    link_check_timeout: float | None = None
    contact: str | None = None
    documents: int | None = None
    document_max_bytes: int | None = None
    document_max_pages: int | None = None
    document_timeout: float | None = None

    def over(self, base: CrawlPolicy) -> CrawlPolicy:
        """This policy's keys where set, *base*'s elsewhere."""
        return CrawlPolicy(**{**base.explicit(), **self.explicit()})

    def explicit(self) -> dict[str, Any]:
        """The keys that are set, with their values."""
        return {key: value for key in CRAWL_KEYS if (value := getattr(self, key)) is not None}

    def host_keys(self) -> dict[str, Any]:
        """The keys that are set among those a host's download slot is held to."""
        return {key: value for key, value in self.explicit().items() if key in HOST_KEYS}


@dataclass(frozen=True)
class Site:
    """One monitored website (an entry of ``sites:``)."""

    id: str
    name: str
    url: str
    unit: str
    max_pages: int = 5000
    max_depth: int = 10
    obey_robots: bool = True
    start_urls: tuple[str, ...] = ()
    allow_private: bool = False
    link_exclude: tuple[str, ...] = ()  # regexes (re.search) over link targets
    link_accept: tuple[int, ...] = ()
    region: str | None = None  # 行政区划代码 of the site's area: 2, 4 or 6 digits
    # The site's politeness: its own crawl: keys over the top-level section's.
    crawl: CrawlPolicy = CrawlPolicy()
    line: int = 0

    @property
    def host(self) -> str:
        """Lowercase host[:port] of the home page URL (default port dropped)."""
        return _host(self.url)

    @property
    def hostname(self) -> str:
        """Lowercase host name of the home page URL, without a port: what the crawl keys a
        host's politeness by (Scrapy's download slots)."""
        return (urlsplit(self.url).hostname or "").lower()


@dataclass(frozen=True)
class MailSettings:
    """Where and how the scheduler mails bulletins (the ``mail:`` section)."""

    host: str
    sender: str  # the ``from`` key
    to: tuple[str, ...]
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None  # the name of the variable holding the password


@dataclass(frozen=True)
class Config:
    """A loaded ``govwatch.yaml``."""

    path: Path
    sites: tuple[Site, ...]
    timezone: str = TIMEZONE
    schedule: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    rectification: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    mail: MailSettings | None = None
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    retention: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    evidence: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    crawl: CrawlPolicy = CrawlPolicy()  # the top-level section (each site holds its own merge)

    def error(self, message: str, key: str) -> ConfigError:
        """A ConfigError at the line of *key* (``schedule.scan``), else of its section."""
        line = self.lines.get(key) or self.lines.get(key.split(".")[0])
        return ConfigError(message, self.path, line)

    def site(self, site_id: str) -> Site:
        """The site with this id; ConfigError (naming the known ids) if there is none."""
        return self.select([site_id])[0]

    def select(self, site_ids: Sequence[str]) -> tuple[Site, ...]:
        """Sites by id in the order asked (repeats dropped); all sites when none are asked."""
        if not site_ids:
            return self.sites
        by_id = {s.id: s for s in self.sites}
        check_site_ids(site_ids, by_id, self.path)
        return tuple(by_id[i] for i in dict.fromkeys(site_ids))


def check_site_ids(site_ids: Iterable[str], known: Iterable[str], where: str | Path) -> None:
    """ConfigError naming each of *site_ids* not among the *known* ids of *where* (a sites
    file, or a database), and the known ones, so a mistyped id never selects nothing."""
    known = list(known)
    unknown = [i for i in site_ids if i not in known]
    if unknown:
        raise ConfigError(f"unknown site id {', '.join(map(repr, unknown))} "
                          f"(known: {', '.join(known) or 'none'})", where)


def load_config(path: str | Path) -> Config:
    """Read, parse and validate a config file; raise ConfigError on the first problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", path) from None
    except OSError as e:
        raise ConfigError(f"cannot read file: {e.strerror or e}", path) from None
    try:
        text = data.decode("utf-8-sig")  # tolerate the BOM that Windows editors add
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ConfigError(f"file is not UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8",
                          path, line) from None
    config = _Reader(path, text).config()
    # The scheduler's own validator, so a file that passes here never fails at start-up.
    Schedule.from_config(config)
    Retention.from_config(config)  # and govwatch prune's, for the same reason
    evidence_settings(config)  # and the scan's
    return config


def _setting(value: Any) -> str:
    """A crawl value as a message shows it."""
    return "unset" if value is None else str(value).lower() if isinstance(value, bool) \
        else f"{value:g}" if isinstance(value, float) else str(value)


def _regex_problem(pattern: Any) -> str | None:
    """What is wrong with *pattern* as a regular expression, or None."""
    if not isinstance(pattern, str) or not pattern:
        return "not a non-empty string"
    try:
        re.compile(pattern)
    except re.error as e:
        return str(e)
    return None


def _is_http_url(val: Any) -> bool:
    """True for an http(s) URL with a host, a valid port if any, and no whitespace."""
    if not isinstance(val, str) or any(c.isspace() for c in val):
        return False
    try:
        parts = urlsplit(val)
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname) and parts.port != 0
    except ValueError:  # .port raises for a port that is not a number in range
        return False


class _Reader:
    """Walks the composed YAML node tree so every message can name the offending line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.loader = yaml.SafeLoader(text)

    def error(self, message: str, node: Node | None = None, site: str | None = None) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigError(message, self.path, line, site)

    def yaml_error(self, e: yaml.YAMLError) -> ConfigError:
        # Keep only the one-line 'problem' of PyYAML's multi-line report, at its own line.
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        if problem.startswith("but ") and getattr(e, "context", None):  # "but found another..."
            problem = f"{e.context}, {problem}"
        if problem.startswith("expected <block end>"):
            problem = f"bad indentation ({problem})"
        syntax = not isinstance(e, yaml.constructor.ConstructorError)
        return ConfigError(f"YAML {'syntax ' if syntax else ''}error: {' '.join(problem.split())}",
                           self.path, mark.line + 1 if mark else None)

    def value(self, node: Node) -> Any:
        """The Python value of a node, converted by PyYAML's safe constructor."""
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise self.yaml_error(e) from None

    def mapping(self, node: MappingNode, site: str | None = None) -> dict[str, tuple[Node, Node]]:
        """{key: (key node, value node)}, with '<<' merge keys resolved and repeats refused."""
        seen: dict[str, Node] = {}
        for k, _ in node.value:
            if k.tag == _MERGE_TAG:
                continue
            if not isinstance(k, ScalarNode):
                raise self.error("keys must be plain names", k, site)
            if k.value in seen:  # PyYAML would silently keep the last one
                first = seen[k.value].start_mark.line + 1
                raise self.error(f"duplicate key {k.value!r} (first at line {first})", k, site)
            seen[k.value] = k
        # flatten_mapping edits the node in place; work on a copy.
        flat = MappingNode(node.tag, list(node.value), node.start_mark, node.end_mark)
        try:
            self.loader.flatten_mapping(flat)
        except yaml.YAMLError as e:
            raise self.yaml_error(e) from None
        pairs: dict[str, tuple[Node, Node]] = {}
        for k, v in flat.value:  # merged keys come first, so the entry's own keys win
            if not isinstance(k, ScalarNode):
                raise self.error("keys must be plain names", k, site)
            pairs[k.value] = (k, v)
        return pairs

    def check_keys(self, pairs: Mapping[str, tuple[Node, Node]], allowed: Sequence[str],
                   site: str | None = None, section: str = "") -> None:
        for key, (k, _) in pairs.items():
            if key not in allowed and not (allowed is TOP_KEYS and key.startswith("x-")):
                close = difflib.get_close_matches(key, allowed, n=1)
                tip = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(allowed)}"
                where = f"{section}: " if section else ""
                raise self.error(f"{where}unknown key {key!r}{tip}", k, site)

    def config(self) -> Config:
        try:
            root = self.loader.get_single_node()
        except yaml.YAMLError as e:
            raise self.yaml_error(e) from None
        finally:
            self.loader.dispose()
        if root is None:
            raise self.error("file is empty; expected a 'sites:' list")
        tz, raw = TIMEZONE, {"schedule": {}, "rectification": {}, "retention": {},
                             "evidence": {}}
        mail, lines = None, {}
        self.top_crawl = CrawlPolicy()
        self.crawl_lines: dict[str, int] = {}  # site id → line of its crawl: key
        if isinstance(root, SequenceNode):  # a bare list: a sites-only file
            sites_key, sites_node = root, root
        elif isinstance(root, MappingNode):
            pairs = self.mapping(root)
            self.check_keys(pairs, TOP_KEYS)
            if "sites" not in pairs:
                raise self.error("no 'sites:' list", root)
            sites_key, sites_node = pairs["sites"]
            if "timezone" in pairs:
                tz = self.timezone(*pairs["timezone"])
            for key in raw:
                if key in pairs:
                    lines.update(self.key_lines(key, *pairs[key]))  # before value() flattens
                    val = self.value(pairs[key][1])
                    if val is not None and not isinstance(val, dict):
                        raise self.error(f"{key} must be a mapping", pairs[key][0])
                    raw[key] = val or {}
            if "mail" in pairs:
                mail = self.mail(*pairs["mail"])
            if "crawl" in pairs:
                self.top_crawl = self.crawl(*pairs["crawl"], None)
        else:
            raise self.error("top level must be a mapping with a 'sites:' list", root)
        # Never construct the site nodes themselves: PyYAML would flatten their merge keys
        # in place, and the walk below would then see merged keys as repeated ones.
        if not isinstance(sites_node, SequenceNode):
            empty = self.value(sites_node) is None
            raise self.error("no sites" if empty else "sites must be a list of site mappings",
                             sites_key)
        if not sites_node.value:
            raise self.error("no sites", sites_key)
        sites: list[Site] = []
        first_line: dict[str, int] = {}
        for node in sites_node.value:
            site = self.site(node)
            if site.id in first_line:
                raise self.error(f"duplicate id (first at line {first_line[site.id]})", node,
                                 site.id)
            first_line[site.id] = site.line
            sites.append(site)
        self.check_hosts(sites)
        return Config(self.path, tuple(sites), tz, MappingProxyType(raw["schedule"]),
                      MappingProxyType(raw["rectification"]), mail, MappingProxyType(lines),
                      crawl=self.top_crawl, retention=MappingProxyType(raw["retention"]),
                      evidence=MappingProxyType(raw["evidence"]))

    def check_hosts(self, sites: Sequence[Site]) -> None:
        """Sites on one host share its download slot, so they must ask for the same
        politeness; the first site that does not is an error at its crawl: key."""
        first: dict[str, Site] = {}
        for site in sites:
            other = first.setdefault(site.hostname, site)
            mine, theirs = site.crawl.host_keys(), other.crawl.host_keys()
            if other is site or mine == theirs:
                continue
            key = next(k for k in HOST_KEYS if mine.get(k) != theirs.get(k))
            raise ConfigError(
                f"crawl: {key} {_setting(mine.get(key))} here, {_setting(theirs.get(key))} for "
                f"site {other.id} (line {other.line}) on the same host {site.hostname}: sites "
                f"on one host share its politeness (set it alike for both, or in the "
                f"top-level crawl section)",
                self.path, self.crawl_lines.get(site.id, site.line), site.id)

    def crawl(self, k: Node, v: Node, site: str | None) -> CrawlPolicy:
        """A ``crawl:`` mapping, top-level (*site* None) or a site's; each problem names its
        key's line."""
        if v.tag == "tag:yaml.org,2002:null":
            return CrawlPolicy()
        if not isinstance(v, MappingNode):
            raise self.error("crawl must be a mapping (delay: ..., per_host: ...)", k, site)
        pairs = self.mapping(v, site)
        self.check_keys(pairs, CRAWL_KEYS, site, "crawl")
        if site is not None and "contact" in pairs:
            raise self.error("crawl: contact is set once, in the top-level crawl section (one "
                             "User-Agent per scan)", pairs["contact"][0], site)
        return CrawlPolicy(**{key: self.crawl_field(key, *pair, site)
                              for key, pair in pairs.items()})

    def crawl_field(self, key: str, k: Node, v: Node, site: str | None) -> Any:
        """Check and convert one ``crawl:`` value."""
        val = self.value(v)
        if key == "autothrottle":
            if not isinstance(val, bool):
                raise self.error(f"crawl: autothrottle must be true or false, unquoted: {val!r}",
                                 k, site)
            return val
        if key == "contact":
            if not (isinstance(val, str) and val.isascii() and val.isprintable()
                    and not any(c in val for c in ";()")
                    and (_is_http_url(val) or _ADDRESS_RE.fullmatch(val))):
                raise self.error(f"crawl: contact must be an http(s) URL or an e-mail address "
                                 f"(ASCII, without spaces, ';' or parentheses): {val!r}", k, site)
            return val
        low, low_ok, high, kind = _CRAWL_RANGES[key]
        number = (int,) if key in _INTEGER_KEYS else (int, float)
        # bool is a subclass of int, but 'true' is not a number of seconds.
        if (isinstance(val, bool) or not isinstance(val, number) or val != val
                or not (low <= val if low_ok else low < val) or val > high):
            raise self.error(f"crawl: {key} must be {kind}: {val!r}", k, site)
        return val if key in _INTEGER_KEYS else float(val)

    def key_lines(self, section: str, k: Node, v: Node) -> dict[str, int]:
        """{"section": line, "section.key": line, ...} of a raw section and its keys."""
        lines = {section: k.start_mark.line + 1}
        if isinstance(v, MappingNode):
            lines.update({f"{section}.{name}": key.start_mark.line + 1
                          for name, (key, _) in self.mapping(v).items()})
        return lines

    def mail(self, k: Node, v: Node) -> MailSettings:
        """The ``mail:`` section; each problem names its key's line."""
        if not isinstance(v, MappingNode):
            raise self.error("mail must be a mapping (host: ..., from: ..., to: [...])", k)
        pairs = self.mapping(v)
        self.check_keys(pairs, MAIL_KEYS)
        for key in ("host", "from", "to"):
            if key not in pairs:
                raise self.error(f"mail: missing {key!r}", k)
        found = {key: self.mail_field(key, *pair) for key, pair in pairs.items()}
        found["sender"] = found.pop("from")
        if found.get("starttls") and found.get("ssl"):
            raise self.error("mail: starttls and ssl exclude each other (ssl: port 465, "
                             "starttls: port 587)", pairs["ssl"][0])
        if ("username" in found) != ("password_env" in found):
            given, missing = (("username", "password_env") if "username" in found
                              else ("password_env", "username"))
            raise self.error(f"mail: {given} needs {missing}", pairs[given][0])
        if "username" in found and not (found.get("starttls") or found.get("ssl")):
            raise self.error("mail: a login needs starttls: true or ssl: true (a password is "
                             "never sent in clear)", pairs["username"][0])
        found.setdefault("port", 465 if found.get("ssl") else 587 if found.get("starttls")
                         else 25)
        return MailSettings(**found)

    def mail_field(self, key: str, k: Node, v: Node) -> Any:
        """Check and convert one ``mail:`` value; errors point at the key's line."""
        val = self.value(v)
        if key == "to":
            if isinstance(val, str):
                val, nodes = [val], [v]
            else:
                entries = self.entries(key, "e-mail addresses", k, v, None)
                val, nodes = [u for u, _ in entries], [n for _, n in entries]
            if not val:
                raise self.error("mail: to must name at least one address", k)
            for address, node in zip(val, nodes, strict=True):
                if not isinstance(address, str) or not _ADDRESS_RE.fullmatch(address):
                    raise self.error(f"mail: to entry is not an e-mail address: {address!r}",
                                     node)
            return tuple(val)
        if key == "from" and not (isinstance(val, str) and _ADDRESS_RE.fullmatch(val)):
            raise self.error(f"mail: from must be an e-mail address: {val!r}", k)
        if key == "port" and (isinstance(val, bool) or not isinstance(val, int)
                              or not 1 <= val <= 65535):
            raise self.error(f"mail: port must be a port number 1-65535: {val!r}", k)
        if key in ("starttls", "ssl") and not isinstance(val, bool):
            raise self.error(f"mail: {key} must be true or false, unquoted: {val!r}", k)
        if key in ("host", "username") and (not isinstance(val, str) or not val.strip()
                                            or any(c.isspace() for c in val)):
            raise self.error(f"mail: {key} must be a non-empty string without spaces: "
                             f"{val!r}", k)
        if key == "password_env" and not (isinstance(val, str)
                                          and _ENV_NAME_RE.fullmatch(val)):
            raise self.error("mail: password_env must name an environment variable (such as "
                             "GOVWATCH_SMTP_PASSWORD), not hold the password", k)
        return val

    def timezone(self, k: Node, v: Node) -> str:
        tz = self.value(v)
        try:
            ZoneInfo(tz)
        except (TypeError, ValueError, ZoneInfoNotFoundError):
            raise self.error(f"timezone must be a zoneinfo name such as Asia/Shanghai: {tz!r}",
                             k) from None
        return tz

    def site(self, node: Node) -> Site:
        if not isinstance(node, MappingNode):
            raise self.error("each site must be a mapping (id: ..., name: ..., url: ...)", node)
        # Read the id first so every later message can name the site.
        own_id = next((self.value(v) for k, v in node.value
                       if isinstance(k, ScalarNode) and k.value == "id"), None)
        label = own_id if isinstance(own_id, str) and ID_RE.fullmatch(own_id) else None
        pairs = self.mapping(node, label)
        site_id = None
        if "id" in pairs:
            k, v = pairs["id"]
            site_id = self.value(v)
            if not isinstance(site_id, str) or not ID_RE.fullmatch(site_id):
                raise self.error(f"id must be lowercase letters, digits, - and _, starting with "
                                 f"a letter or digit (quote it if YAML reads a number or "
                                 f"boolean): {site_id!r}", k)
        self.check_keys(pairs, SITE_KEYS, site_id)
        for key in ("id", "name", "url"):
            if key not in pairs:
                raise self.error(f"missing {key!r}", node, site_id)
        fields = {key: self.field(key, k, v, site_id) for key, (k, v) in pairs.items()}
        fields.setdefault("unit", fields["name"])
        fields["crawl"] = fields.get("crawl", CrawlPolicy()).over(self.top_crawl)
        if "crawl" in pairs:
            self.crawl_lines[site_id] = pairs["crawl"][0].start_mark.line + 1
        host = _host(fields["url"])
        start_urls = fields.pop("start_urls", [])
        for url, at in start_urls:
            if _host(url) != host:
                raise self.error(f"start_urls entry is not on the host of url ({host}): {url!r}",
                                 at, site_id)
        return Site(**fields, start_urls=tuple(u for u, _ in start_urls),
                    line=node.start_mark.line + 1)

    def field(self, key: str, k: Node, v: Node, site: str | None) -> Any:
        """Check and convert one site value; errors point at the key's line."""
        if key == "crawl":
            return self.crawl(k, v, site)
        val = self.value(v)
        if key in ("id", "name", "unit"):
            if not isinstance(val, str) or not val.strip():
                raise self.error(f"{key} must be a non-empty string: {val!r}", k, site)
            return val.strip()
        if key == "url":
            if not _is_http_url(val):
                raise self.error(f"url must be http(s)://host/...: {val!r}", k, site)
            return val
        if key in ("max_pages", "max_depth"):
            low = 1 if key == "max_pages" else 0
            # bool is a subclass of int, but 'true' is not a page count.
            if isinstance(val, bool) or not isinstance(val, int) or val < low:
                kind = "a positive integer" if low else "an integer >= 0"
                raise self.error(f"{key} must be {kind}: {val!r}", k, site)
            return val
        if key in ("obey_robots", "allow_private"):
            if not isinstance(val, bool):  # "false" in quotes would be a true-ish string
                raise self.error(f"{key} must be true or false, unquoted: {val!r}", k, site)
            return val
        if key == "link_exclude":
            for pattern, n in self.entries(key, "regular expressions", k, v, site):
                problem = _regex_problem(pattern)
                if problem:
                    raise self.error(f"link_exclude entry is not a regular expression "
                                     f"({problem}): {pattern!r}", n, site)
            return tuple(val or ())
        if key == "region":
            if not is_division_code(val):
                raise self.error(f"region must be a division code of 2, 4 or 6 digits in "
                                 f"quotes, of a known province (e.g. '6104'): {val!r}", k, site)
            return val
        if key == "link_accept":
            for code, n in self.entries(key, "HTTP status codes", k, v, site):
                if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 999:
                    raise self.error(f"link_accept entry must be an HTTP status code "
                                     f"(100-999): {code!r}", n, site)
            return tuple(val or ())
        # start_urls: keep each entry's node for the same-host check made once url is known.
        entries = self.entries(key, "URLs", k, v, site)
        for u, n in entries:
            if not _is_http_url(u):
                raise self.error(f"start_urls entry must be http(s)://host/...: {u!r}", n, site)
        return entries

    def entries(self, key: str, what: str, k: Node, v: Node,
                site: str | None) -> list[tuple[Any, Node]]:
        """(value, node) of each entry of a list value (none for an empty value), so each
        entry's problem can name its own line."""
        if v.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(v, SequenceNode):
            raise self.error(f"{key} must be a list of {what}", k, site)
        return list(zip(self.value(v), v.value, strict=True))
