"""The review page links only http(s) URLs, and text from the data cannot inject HTML or links."""

from __future__ import annotations

from reliability.review.render import _md, _postmortem_html, _postmortem_md


def _linked(url: str) -> dict[str, str]:
    return {"postmortem_status": "linked", "postmortem_url": url}


def test_javascript_postmortem_url_is_never_a_link() -> None:
    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>"):
        html = _postmortem_html(_linked(url))
        md = _postmortem_md(_linked(url))
        assert "<a " not in html and "href" not in html
        assert "](" not in md
        assert "not an http(s) link" in html and "not an http(s) link" in md
        assert "<b>" not in html and "<b>" not in md


def test_http_postmortem_url_is_a_link() -> None:
    url = "https://wiki.example.com/pm/42?a=1&b=2"
    assert _postmortem_html(_linked(url)) == (
        'postmortem: <a href="https://wiki.example.com/pm/42?a=1&amp;b=2">link</a> '
        "(not loaded into the warehouse)"
    )
    assert _postmortem_md(_linked("https://x.example/pm (1)")) == (
        "postmortem: [link](https://x.example/pm%20%281%29) (not loaded into the warehouse)"
    )


def test_markdown_text_escapes_html_and_link_syntax() -> None:
    assert _md("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert _md("[click](javascript:alert(1))") == "\\[click\\](javascript:alert(1))"
    assert _md("db & cache *down*") == "db &amp; cache \\*down\\*"
