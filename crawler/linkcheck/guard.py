"""Downloader middlewares: nothing is sent where the config says not to, nor to the intranet.

Every request the crawl makes passes here before anything is sent for it: the spider's pages,
documents and link checks, each redirect hop (Scrapy's RedirectMiddleware and
MetaRefreshMiddleware make a new request of the Location, which comes through again before it
is followed), retries, and the robots.txt requests made on their behalf. Requests the
revalidation walk makes outside Scrapy (:mod:`crawler.revalidate`) are for pages the spider
let through (:meth:`crawler.spider.PortalSpider._follow` judges its leads the same way).

:class:`SkippedTargetMiddleware`, at 30: a request whose URL its site's
:class:`~crawler.linkcheck.LinkPolicy` skips (``link_exclude`` in the sites file,
``GOVWATCH_LINKCHECK_EXCLUDE``, a scheme other than http and https) is ignored with
:class:`~crawler.linkcheck.SkippedTarget`, its target recorded ``skipped`` with the policy's
reason. A request without a site (robots.txt) is judged by the global settings alone.

:class:`PrivateAddressMiddleware`, at 40: a page cannot turn the scanner into a probe of the
office's intranet. A request to a host that is not one of the configured sites is let
through only when the host resolves to a global address. One that resolves to a loopback,
private, link-local, multicast or otherwise non-global address is ignored with
:class:`~crawler.linkcheck.PrivateAddress` (the link is recorded ``skipped``, reason
``private-address``), unless the address is one of a configured site's own, or the config
allows private addresses: per site (``allow_private: true`` in the sites file, for the links
found on that site's pages) or for the whole scan (``GOVWATCH_LINKCHECK_ALLOW_PRIVATE``,
default false). Hosts are resolved with the reactor's resolver, asynchronously, so the
address judged is the one the download connects to (Scrapy's DNS cache serves both), and
cached per host (``DNSCACHE_SIZE`` hosts).

Both guards come before robots.txt (100): an excluded or private host does not even get
asked for its robots.txt; the exclusions before the private-address guard, so an excluded
host is not even looked up.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from scrapy import Request
from scrapy.exceptions import CannotResolveHostError
from scrapy.utils.datatypes import LocalCache
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError
from twisted.internet.error import TimeoutError as DNSTimeoutError

from govwatch.crawler.linkcheck import (
    LinkPolicy,
    PrivateAddress,
    SitesAwareMiddleware,
    SkippedTarget,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_private(address: IPAddress) -> bool:
    """Whether *address* is not a public internet address (loopback, RFC 1918, link-local,
    multicast, shared, reserved…); an IPv4-mapped IPv6 address is judged as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def literal_address(host: str) -> IPAddress | None:
    """The address *host* is written as, or None for a host name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class SkippedTargetMiddleware(SitesAwareMiddleware):
    """Ignore requests whose URL their site's link policy skips: excluded, or not http(s)."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.policies: dict[str, LinkPolicy] = {}
        # A request of no site (robots.txt) is held to the exclusions every site shares.
        self.no_site = LinkPolicy.for_site({"id": "", "url": ""}, crawler.settings)

    def spider_opened(self, spider: Any) -> None:
        super().spider_opened(spider)
        self.policies = spider.link_policies

    def process_request(self, request: Request) -> None:
        policy = self.policies.get(request.meta.get("site_id"), self.no_site)
        reason = policy.skip_reason(request.url)
        if reason is not None:
            raise SkippedTarget(request.url, reason)


class PrivateAddressMiddleware(SitesAwareMiddleware):
    """Ignore requests that would reach a private address outside the configured sites."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.allow_all = crawler.settings.getbool("GOVWATCH_LINKCHECK_ALLOW_PRIVATE")
        self.addresses: LocalCache[str, IPAddress] = LocalCache(
            crawler.settings.getint("DNSCACHE_SIZE")
        )
        self.site_addresses: frozenset[IPAddress] | None = None  # resolved when first needed

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        if host in self.site_hosts or self.allowed(request):
            return
        address = await self.address(host)
        if is_private(address) and address not in await self.own_addresses():
            raise PrivateAddress(f"{host} is {address}, a private address")

    def allowed(self, request: Request) -> bool:
        """Whether the config lets *request* reach private addresses."""
        site = self.sites.get(request.meta.get("site_id"), {})
        return self.allow_all or bool(site.get("allow_private"))

    async def address(self, host: str) -> IPAddress:
        """The address *host* is or resolves to; CannotResolveHostError when it does not."""
        address = literal_address(host) or self.addresses.get(host)
        if address is None:
            # Imported here: importing it with this module would install Twisted's default
            # reactor before Scrapy installs the one it is configured with.
            from twisted.internet import reactor

            try:
                resolved = await maybe_deferred_to_future(reactor.resolve(host))
            except (DNSLookupError, DNSTimeoutError) as e:
                raise CannotResolveHostError(str(e)) from e
            address = self.addresses[host] = ipaddress.ip_address(resolved)
        return address

    async def own_addresses(self) -> frozenset[IPAddress]:
        """The addresses of the configured sites' hosts (those that resolve)."""
        if self.site_addresses is None:
            found = set()
            for host in self.site_hosts:
                try:
                    found.add(await self.address(host))
                except CannotResolveHostError:
                    continue  # a dead site's address is nobody's
            self.site_addresses = frozenset(found)
        return self.site_addresses
