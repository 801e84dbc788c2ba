"""Politeness per host: the sites file's ``crawl:`` keys applied to the crawl's download slots.

Scrapy keeps one download slot per host name, with a delay between requests and a limit on
requests in flight, and AutoThrottle adjusts each slot's delay to the host's latency. The
crawl's settings give every slot the same politeness (``DOWNLOAD_DELAY``,
``CONCURRENT_REQUESTS_PER_DOMAIN``, ``AUTOTHROTTLE_ENABLED``,
``AUTOTHROTTLE_TARGET_CONCURRENCY``); a site whose ``crawl:`` keys (its own, or the top-level
section's) say otherwise gets them on its host's slot:

- :func:`politeness_settings` turns the sites of a crawl into settings: ``DOWNLOAD_SLOTS``
  (the slot's delay and concurrency, which Scrapy reads when it makes the slot),
  ``GOVWATCH_SITE_HOSTS`` (host → delay, per_host, autothrottle, target: what the throttle
  and the revalidation walk read) and the ``USER_AGENT`` carrying the office's contact;
- :class:`SiteThrottle` replaces Scrapy's AutoThrottle: it throttles a host as that host asks
  (on or off, its target concurrency, never below its own delay), and every other host as
  the crawl's settings say.

Sites sharing a host share its slot; the sites file refuses sites on one host that ask for
different politeness (:mod:`govwatch.core.config`). Download and link-check timeouts are per
request, so per site: the spider puts them on the site's requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.settings import BaseSettings

from govwatch.crawler.settings import crawl_settings, user_agent

__all__ = ["SiteThrottle", "politeness_settings", "site_hosts"]

_HOST_KEYS = ("delay", "per_host", "autothrottle", "autothrottle_target")  # a slot's own


def site_hosts(sites: Sequence[Mapping[str, Any]],
               settings: BaseSettings) -> dict[str, dict[str, Any]]:
    """Host name → the politeness of its slot (delay, per_host, autothrottle, target), for
    the hosts of *sites* (the spider's site mappings) whose ``crawl`` sets any of it; the
    crawl's *settings* fill what a site leaves unset."""
    hosts: dict[str, dict[str, Any]] = {}
    for site in sites:
        crawl = site.get("crawl") or {}
        if not any(key in crawl for key in _HOST_KEYS):
            continue
        # the crawl's settings as this site's keys change them
        own = BaseSettings({**settings.copy_to_dict(), **crawl_settings(crawl)})
        hosts[(urlsplit(site["url"]).hostname or "").lower()] = {
            "delay": own.getfloat("DOWNLOAD_DELAY"),
            "per_host": own.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "autothrottle": own.getbool("AUTOTHROTTLE_ENABLED"),
            "target": own.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY"),
        }
    return hosts


def politeness_settings(sites: Sequence[Mapping[str, Any]],
                        settings: BaseSettings) -> dict[str, Any]:
    """The settings a crawl of *sites* adds to its *settings*: each site host's slot, and the
    User-Agent with the office's contact when the sites file gives one."""
    hosts = site_hosts(sites, settings)
    start = settings.getfloat("AUTOTHROTTLE_START_DELAY")
    slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
    for host, polite in hosts.items():
        # A throttled slot starts where AutoThrottle starts every slot, never below its delay.
        delay = max(polite["delay"], start) if polite["autothrottle"] else polite["delay"]
        slots[host] = {"concurrency": polite["per_host"], "delay": delay}
    added: dict[str, Any] = {"GOVWATCH_SITE_HOSTS": hosts, "DOWNLOAD_SLOTS": slots}
    contacts = {site["crawl"]["contact"] for site in sites if "contact" in site.get("crawl", {})}
    if len(contacts) > 1:
        raise ValueError(f"one crawl, one User-Agent: the sites give {len(contacts)} contacts")
    if contacts:
        added["USER_AGENT"] = user_agent(contacts.pop())
    return added


class SiteThrottle(AutoThrottle):
    """AutoThrottle by host: a site host's slot is throttled as its ``crawl:`` keys say,
    every other slot as the crawl's AutoThrottle settings say. Setting: ``EXTENSIONS``, in
    place of Scrapy's AutoThrottle."""

    def __init__(self, crawler: Any) -> None:
        # Not Scrapy's __init__, which refuses to start when AutoThrottle is off: here it is
        # off only for the hosts that do not ask for it.
        settings = crawler.settings
        self.crawler = crawler
        self.hosts: dict[str, dict[str, Any]] = settings.getdict("GOVWATCH_SITE_HOSTS")
        self.default_on = settings.getbool("AUTOTHROTTLE_ENABLED")
        if not self.default_on and not any(h["autothrottle"] for h in self.hosts.values()):
            raise NotConfigured
        self.debug = settings.getbool("AUTOTHROTTLE_DEBUG")
        self.target_concurrency = settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY")
        if self.target_concurrency <= 0:
            raise NotConfigured("AUTOTHROTTLE_TARGET_CONCURRENCY must be higher than 0")
        self.default_target = self.target_concurrency
        crawler.signals.connect(self._spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self._response_downloaded, signal=signals.response_downloaded)

    def _spider_opened(self, spider: Spider) -> None:
        self.mindelay = self._min_delay()
        self.maxdelay = self._max_delay()
        self.default_mindelay = self.mindelay
        if self.default_on:  # slots without an entry start at AutoThrottle's start delay
            self.crawler.engine.downloader._delay = self._start_delay()

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        host = self.hosts.get(request.meta.get("download_slot") or "")
        if not (host["autothrottle"] if host else self.default_on):
            return
        # One reactor thread: the host's own target and floor hold for this one adjustment.
        self.target_concurrency = host["target"] if host else self.default_target
        self.mindelay = host["delay"] if host else self.default_mindelay
        super()._response_downloaded(response, request, spider)
