from ehd.asterisk.endpoints import SipAccount, render_accounts


def test_each_account_gets_endpoint_auth_and_aor() -> None:
    text = render_accounts([SipAccount("1002", "pw2", "Bob"), SipAccount("1001", "pw1", "Al")])
    assert text.index("[1001]") < text.index("[1002]")
    for kind in ("type = endpoint", "type = auth", "type = aor"):
        assert text.count(kind) == 2
    assert "password = pw1" in text
    assert 'callerid = "Al" <1001>' in text
    assert "context = from-agents" in text


def test_unsafe_values_never_reach_the_config() -> None:
    text = render_accounts(
        [
            SipAccount("1001]\n[evil", "pw", "x"),
            SipAccount("1003", "pw\ntype = aor", "x"),
            SipAccount("1004", "ok", 'Name "quoted"\nline'),
        ]
    )
    assert "evil" not in text
    assert "[1003]" not in text
    assert 'callerid = "Name quoted line" <1004>' in text


def test_a_browser_phone_gets_webrtc_media_and_a_desk_phone_keeps_plain_rtp() -> None:
    text = render_accounts(
        [SipAccount("1001", "pw1", "Al", browser=True), SipAccount("1002", "pw2", "Bo")]
    )
    browser, desk = text.split("[1002]", 1)
    assert "webrtc = yes" in browser and "allow = opus,ulaw" in browser
    assert "dtls_auto_generate_cert = yes" in browser
    assert "rewrite_contact" not in browser  # its contact is the websocket it came over
    assert "webrtc" not in desk and "allow = ulaw,alaw,gsm" in desk
    assert "rewrite_contact = yes" in desk


def test_behind_kamailio_a_desk_phone_is_taken_from_the_proxy_alone_without_a_password() -> None:
    text = render_accounts(
        [SipAccount("1001", "pw1", "Al"), SipAccount("1002", "pw2", "Bo", browser=True)],
        proxy_host="10.0.0.5",
    )
    desk, browser = text.split("[1002]", 1)
    assert "type = auth" not in desk and "pw1" not in desk  # Kamailio checks it
    assert "deny = 0.0.0.0/0.0.0.0\npermit = 10.0.0.5/255.255.255.255" in desk
    assert "support_path = yes" in desk  # calls to it go back through the proxy
    assert "rewrite_contact" not in desk  # the phone's own contact, not the proxy's
    assert "password = pw2" in browser and "permit" not in browser  # over ehd's websocket
