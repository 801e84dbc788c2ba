"""Decoding Chinese pages whatever they declare (crawler.encoding)."""

from scrapy.http import HtmlResponse, Request

from govwatch.crawler.encoding import EncodingMiddleware, detect_encoding

TITLE = "朱镕基同志与王堃局长"  # 镕 and 堃 are GBK but not GB2312
GBK_PAGE = f"<html><head><title>{TITLE}</title></head><body>{TITLE}</body></html>".encode("gbk")


def decode(body: bytes, content_type: str) -> HtmlResponse:
    response = HtmlResponse(
        "http://127.0.0.1/x.html", body=body, headers={"Content-Type": content_type}
    )
    request = Request(response.url)
    return EncodingMiddleware(["utf-8", "gb18030"]).process_response(request, response)


def test_gbk_declared_in_header_reads_characters_outside_gb2312():
    assert TITLE in decode(GBK_PAGE, "text/html; charset=gb2312").text


def test_page_declared_utf8_but_encoded_gbk_is_decoded_as_gbk():
    response = decode(GBK_PAGE, "text/html; charset=utf-8")
    assert response.encoding == "gb18030"
    assert TITLE in response.text


def test_meta_charset_used_when_header_has_none():
    body = b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">' + GBK_PAGE
    assert detect_encoding(body, None, ["utf-8", "gb18030"]) == "gb18030"


def test_utf8_page_stays_utf8():
    body = f"<html><body>{TITLE}</body></html>".encode()
    assert decode(body, "text/html").encoding == "utf-8"


def test_declared_charset_is_kept_for_the_record():
    response = HtmlResponse(
        "http://127.0.0.1/", body=GBK_PAGE, headers={"Content-Type": "text/html; charset=utf-8"}
    )
    request = Request(response.url)
    EncodingMiddleware(["utf-8", "gb18030"]).process_response(request, response)
    assert request.meta["declared_encoding"] == "utf-8"
