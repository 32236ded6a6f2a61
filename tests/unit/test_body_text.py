from ehd.mail.body_text import text_of


def test_paragraphs_breaks_lists_and_links_become_lines() -> None:
    markup = (
        "<div>Hello <strong>Anna</strong>,<br>thanks &amp; welcome.</div>"
        "<ul><li>one</li><li>two</li></ul>"
        '<div>See <a href="https://example.com/x?a=1&amp;b=2">the guide</a> or '
        '<a href="https://example.com">https://example.com</a>.</div>'
        "<blockquote>old text</blockquote><script>alert(1)</script>"
    )
    assert text_of(markup) == (
        "Hello Anna,\nthanks & welcome.\n- one\n- two\n"
        "See the guide <https://example.com/x?a=1&b=2> or https://example.com.\nold text"
    )


def test_markup_in_text_stays_text() -> None:
    assert text_of("<div>&lt;b&gt;not bold&lt;/b&gt;</div>") == "<b>not bold</b>"
    assert text_of("") == ""
