"""Downloader middleware: a page cannot turn the scanner into a probe of the office's intranet.

A request to a host that is not one of the configured sites is let through only when the host
resolves to a global address. One that resolves to a loopback, private, link-local, multicast
or otherwise non-global address is ignored with :class:`~crawler.linkcheck.PrivateAddress`
(the link is recorded ``skipped``, reason ``private-address``), unless the address is one of
a configured site's own, or the config allows private addresses: per site
(``allow_private: true`` in the sites file, for the links found on that site's pages) or for
the whole scan (``GOVWATCH_LINKCHECK_ALLOW_PRIVATE``, default false).

Hosts are resolved with the reactor's resolver, asynchronously, so the address judged is the
one the download connects to (Scrapy's DNS cache serves both), and cached per host
(``DNSCACHE_SIZE`` hosts). Redirect hops pass through here too. At 40, before robots.txt
(100): a private host does not even get asked for its robots.txt.
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

from crawler.linkcheck import PrivateAddress, SitesAwareMiddleware

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
