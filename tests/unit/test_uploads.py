from ehd.web.tickets.uploads import content_type_of


def test_an_uploaded_files_type_is_a_plain_type_or_one_from_its_name() -> None:
    assert content_type_of("a.pdf", "application/pdf") == "application/pdf"
    assert content_type_of("a.pdf", "bogus") == "application/pdf"
    assert content_type_of("a.pdf", "text/html; charset=x") == "application/pdf"
    assert content_type_of("noname", "") == "application/octet-stream"
