"""The renderer on pages written here: nothing it loads leaves the kept body, and a page
that would navigate away stays."""

from __future__ import annotations

from govwatch.demo.server import PortalServer
from govwatch.evidence.shots import Job, render


def test_the_renderer_asks_nothing_of_the_site_and_draws_the_kept_page(tmp_path):
    (tmp_path / "index.html").write_text("<p>served, never to be asked for</p>", encoding="utf-8")
    with PortalServer(tmp_path) as server:
        page = (f'<html><head><link rel="stylesheet" href="{server.url}style.css">'
                f'<script src="{server.url}app.js"></script>'
                f'<meta http-equiv="refresh" content="0; url={server.url}index.html"></head>'
                f'<body><img src="{server.url}logo.png"><iframe src="{server.url}"></iframe>'
                f'<p id="x">栏目内容</p></body></html>')
        shots = render([Job("a", server.url + "page.html", page, {"text": "栏目内容"})],
                       pages=1)
        asked = list(server.requests)
    assert asked == []  # not the page, not its styles, scripts, images, frames, refresh
    shot = shots["a"]
    assert shot.image[:3] == b"\xff\xd8\xff" and shot.outlined  # still on the kept page


def test_a_job_that_fails_says_the_screenshot_is_missing_and_the_others_are_made():
    shots = render([Job("bad", "not a url", "<p>x</p>", {}),
                    Job("good", "http://kept.example/", "<p>好</p>", {"text": "好"})], pages=1)
    assert shots["bad"].image is None and shots["bad"].note.startswith("截图缺失")
    assert shots["good"].image and shots["good"].outlined


def test_a_page_still_showing_an_id_number_once_rendered_is_not_photographed():
    from support.evidence_portal import ID_NUMBER

    from govwatch.evidence.mask import mask_text
    from govwatch.evidence.shots import UNMASKED

    split = f"<p>身份证号 <b>{ID_NUMBER[:9]}</b>{ID_NUMBER[9:]}</p>"  # the HTML's mask misses it
    assert mask_text(split) == split
    shots = render([Job("split", "http://kept.example/", split, {"text": "身份证号"})], pages=1)
    assert shots["split"].image is None and shots["split"].note == UNMASKED


def test_a_link_shown_twice_is_outlined_where_it_shows_and_a_hidden_one_not_at_all():

    target = "http://kept.example/gone.html"
    page = (f'<ul style="display:none"><li><a href="{target}">菜单里的链接</a></li></ul>'
            f'<p>正文 <a id="shown" href="{target}">正文里的链接</a></p>')
    hidden = f'<div style="display:none"><a href="{target}">只在菜单里</a></div><p>正文</p>'
    shots = render([Job("both", "http://kept.example/", page, {"href": target}),
                    Job("hidden", "http://kept.example/", hidden, {"href": target})], pages=1)
    assert shots["both"].outlined and shots["both"].image
    assert not shots["hidden"].outlined and shots["hidden"].image  # made, but says so


def test_a_hanweb_lists_records_are_shown_and_its_newest_item_outlined():
    """The records a Hanweb column's script writes into the page (written here as the CMS
    embeds them) are drawn, so the newest item's row is found and outlined, not the empty
    box its script would have filled."""
    from govwatch.evidence.shots import as_shown

    newest = "/art/2026/4/2/art_2102_3125115.html"
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
            '<div class="bt-list-tit">公示公告</div><div id="50102">'
            '<script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>'
            f'<record><![CDATA[<li><a href="{newest}">关于重点排污单位监测结果的公告</a>'
            '<span>2026-04-02</span></li>]]></record>'
            '<record><![CDATA[<li><a href="/art/2026/2/10/art_2102_3124555.html">名录公示</a>'
            '<span>2026-02-10</span></li>]]></record></recordset></datastore></script></div>'
            '</body></html>')
    shown = as_shown(page)
    assert shown.startswith("<!DOCTYPE html>") and "<script" not in shown
    assert f'<li><a href="{newest}">' in shown and "<span>2026-02-10</span>" in shown
    plain = '<html><body><p>栏目内容</p><meta http-equiv="refresh" content="0"></body></html>'
    assert as_shown(plain) == "<html><body><p>栏目内容</p></body></html>"  # else only the refresh
    shots = render([Job("hanweb", "http://kept.example/col/col2102/index.html", page,
                        {"href": "http://kept.example" + newest})], pages=1)
    assert shots["hanweb"].image and shots["hanweb"].outlined
