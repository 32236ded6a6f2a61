"""Parsing tricky mail without failing: charsets, HTML, attachments, broken MIME."""

from __future__ import annotations

from ehd.mail.parse import parse, sanitise


def test_plain_utf8_with_an_attachment() -> None:
    raw = (
        b"From: =?utf-8?q?Anna_=C3=85berg?= <ANNA@Example.com>\r\n"
        b"To: support@ehd.example, other@ehd.example\r\nCc: boss@example.com\r\n"
        b"Subject: =?utf-8?b?RsO2cnNlbmFkIGxldmVyYW5z?=\r\nMessage-ID: <m1@example.com>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHej, var \xc3\xa4r paketet?\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        b"filename=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n"
        b"--XX--\r\n"
    )
    mail = parse(raw)
    assert (mail.sender, mail.sender_name) == ("anna@example.com", "Anna Åberg")
    assert mail.subject == "Försenad leverans"
    assert mail.to == ["support@ehd.example", "other@ehd.example"] and mail.cc == [
        "boss@example.com"
    ]
    assert mail.text.strip() == "Hej, var är paketet?"
    assert [(a.filename, a.content_type, a.data) for a in mail.attachments] == [
        ("invoice.pdf", "application/pdf", b"%PDF-1.4")
    ]


def test_a_wrong_charset_falls_back_and_says_so() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=x-unknown\r\n"
        b"\r\nK\xf6pte en m\xe5nad sedan\r\n"
    )
    mail = parse(raw)
    assert mail.text.strip() == "Köpte en månad sedan"
    assert any("x-unknown" in problem for problem in mail.problems)


def test_html_is_sanitised_and_gives_the_text() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p onclick='steal()'>Hello <b>there</b><script>alert(1)</script>"
        b"<a href='javascript:evil()'>x</a><img src='http://track.example/p.gif'></p>"
    )
    mail = parse(raw)
    assert "script" not in mail.html and "onclick" not in mail.html
    assert "javascript:" not in mail.html and "<b>there</b>" in mail.html
    assert "Hello" in mail.text and "alert" not in mail.text


def test_broken_mime_still_gives_what_can_be_read() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: broken\r\nContent-Type: multipart/mixed; "
        b"boundary=NEVER\r\n\r\nno boundary ever appears here\r\n"
    )
    mail = parse(raw)
    assert mail.subject == "broken" and mail.sender == "a@example.com"
    assert mail.problems  # the defects are listed


def test_remote_images_are_not_fetched_but_their_alt_text_stays() -> None:
    """A remote image tells its sender who opened the mail, when and from where."""
    html = sanitise('<p><img src="https://tracker.example/p.gif" alt="Our logo">Hello '
                    '<a href="https://shop.example">shop</a></p>')  # fmt: skip
    assert "tracker.example" not in html and 'alt="Our logo"' in html
    assert 'href="https://shop.example"' in html  # links stay; the agent chooses to follow
