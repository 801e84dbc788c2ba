"""Downloader middleware: each site's page budget (``max_pages`` in the sites file).

Counted where requests reach the downloader, after the scheduler has dropped duplicates, so
the budget is spent on distinct pages. Requests past the budget are ignored with
:class:`BudgetExceeded`, which the spider does not record as a failure. The count is kept
per site, never per URL, in the crawl's stats.

Per site: ``Site.max_pages`` travels in ``request.meta["max_pages"]``.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest


class BudgetExceeded(IgnoreRequest):
    """The site's page budget is spent."""


def spend_budget(stats: Any, site_id: str, limit: int) -> bool:
    """Spend one page of *site_id*'s budget of *limit*; False, and nothing spent, once it is
    spent. The count lives in the crawl's stats (``govwatch/budget/<site>``), so the
    revalidation walk (:mod:`crawler.revalidate`) and this middleware spend the same one."""
    key = f"govwatch/budget/{site_id}"
    if (stats.get_value(key) or 0) >= limit:
        stats.inc_value("govwatch/budget_exceeded")
        return False
    stats.inc_value(key)
    return True


def spent_before(stats: Any, site_id: str, pages: int) -> None:
    """Count *pages* as spent already: what a resumed scan fetched before its interruption,
    so that it stops where an uninterrupted scan would."""
    stats.set_value(f"govwatch/budget/{site_id}", pages)


def refund_budget(stats: Any, site_id: str) -> None:
    """Give back a page spent on a request that is made again another way."""
    stats.inc_value(f"govwatch/budget/{site_id}", -1)


class SiteBudgetMiddleware:
    """Ignore requests of a site once it has used its page budget."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler) -> SiteBudgetMiddleware:
        return cls(crawler.stats)

    def process_request(self, request) -> None:
        site = request.meta.get("site_id")
        limit = request.meta.get("max_pages")
        if site is None or limit is None:
            return
        if not spend_budget(self.stats, site, limit):
            raise BudgetExceeded(f"{site}: page budget of {limit} spent")
