"""Downloader middleware: each site's page budget (``max_pages`` in the sites file).

Counted where requests reach the downloader, after the scheduler has dropped duplicates, so
the budget is spent on distinct pages. Requests past the budget are ignored with
:class:`BudgetExceeded`, which the spider does not record as a failure. The count is kept
per site, never per URL.

Per site: ``Site.max_pages`` travels in ``request.meta["max_pages"]``.
"""

from __future__ import annotations

from collections import Counter

from scrapy.exceptions import IgnoreRequest


class BudgetExceeded(IgnoreRequest):
    """The site's page budget is spent."""


class SiteBudgetMiddleware:
    """Ignore requests of a site once it has used its page budget."""

    def __init__(self, stats) -> None:
        self.spent: Counter[str] = Counter()
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler) -> SiteBudgetMiddleware:
        return cls(crawler.stats)

    def process_request(self, request) -> None:
        site = request.meta.get("site_id")
        limit = request.meta.get("max_pages")
        if site is None or limit is None:
            return
        if self.spent[site] >= limit:
            self.stats.inc_value("govwatch/budget_exceeded")
            raise BudgetExceeded(f"{site}: page budget of {limit} spent")
        self.spent[site] += 1
