"""Spider-trap guard (crawler.traps)."""

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from govwatch.crawler.settings import DEFAULTS
from govwatch.crawler.traps import TrapGuardMiddleware, canonical_url, url_shape


@pytest.fixture
def guard() -> TrapGuardMiddleware:
    return TrapGuardMiddleware(get_crawler(settings_dict=DEFAULTS))


def screen(guard, from_url: str, to_url: str, chain: int = 0, **meta) -> list:
    response = HtmlResponse(from_url, body=b"<html></html>", request=Request(from_url))
    response.meta["shape_chain"] = chain
    return list(guard.screen(Request(to_url, meta=meta), response))


def follow(guard, from_url: str, to_url: str, chain: int = 0, **meta):
    """The request the guard lets the crawl make, or None."""
    made = [o for o in screen(guard, from_url, to_url, chain, **meta) if isinstance(o, Request)]
    return made[0] if made else None


def test_a_trap_is_recorded_as_a_skipped_link_target(guard):
    url = "http://h/a/a/a/index.html"
    (record,) = screen(guard, "http://h/", url)
    assert (record.target_url, record.result, record.error) == (url, "skipped", "trap")


def test_a_spelling_with_a_session_id_is_recorded_and_fetched_canonical(guard):
    url = "http://h/a.jsp;jsessionid=ABC123?id=3"
    record, request = screen(guard, "http://h/", url)
    assert (record.target_url, record.result, record.error) == (url, "skipped", "session-id")
    assert record.final_url == request.url == "http://h/a.jsp?id=3"


def test_session_ids_are_stripped():
    assert (
        canonical_url("http://h/a.jsp;jsessionid=ABC123?id=3&PHPSESSID=x") == "http://h/a.jsp?id=3"
    )


def test_exploding_query_strings_are_dropped(guard):
    url = "http://h/s?" + "&".join(f"k{i}=v" for i in range(12))
    assert follow(guard, "http://h/", url) is None


def test_repeating_path_segments_are_dropped(guard):
    assert follow(guard, "http://h/", "http://h/a/a/a/index.html") is None
    assert follow(guard, "http://h/", "http://h/a/b/index.html") is not None


def test_calendar_chain_ends(guard):
    # each month links to the next: the chain of same-shaped pages grows until it is cut
    kept = follow(guard, "http://h/calendar/2026-11/", "http://h/calendar/2026-12/", chain=3)
    assert kept.meta["shape_chain"] == 4
    assert (
        follow(guard, "http://h/calendar/2027-08/", "http://h/calendar/2027-09/", chain=10) is None
    )


def test_a_different_shape_restarts_the_chain(guard):
    kept = follow(guard, "http://h/calendar/2026-11/", "http://h/gzdt/index.html", chain=10)
    assert kept.meta["shape_chain"] == 0


def test_pagination_is_not_a_trap(guard):
    kept = follow(
        guard, "http://h/l?page=9", "http://h/l?page=10", chain=50, column_url="http://h/l"
    )
    assert kept is not None


def test_url_shape_abstracts_digits():
    assert url_shape("http://h/calendar/2026-12/") == url_shape("http://h/calendar/2027-01/")
