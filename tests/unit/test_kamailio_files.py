from pathlib import Path

from ehd.asterisk.endpoints import SipAccount
from ehd.config import Config
from ehd.kamailio.files import proxy_spec, render_config, render_dispatcher, render_subscribers


def test_desk_phones_are_subscribers_and_browser_phones_and_unsafe_accounts_are_not() -> None:
    text = render_subscribers(
        [
            SipAccount("1002", "pw2", "Bo"),
            SipAccount("1001", "pw1", "Al"),
            SipAccount("1003", "pw3", "Web", browser=True),
            SipAccount("1004", "pw:4\n", "Evil"),
        ]
    )
    header, *rows = text.splitlines()
    assert header.startswith("id(int,auto) username(string)")
    assert rows == ["1:1001:ehd:pw1:-:-", "2:1002:ehd:pw2:-:-"]


def test_registrations_go_to_every_node_and_calls_to_one_from_the_list() -> None:
    spec = proxy_spec(Config(data_dir=Path("/srv/ehd"), sip_proxy="10.0.0.5:5070"))
    assert spec is not None
    assert spec.nodes == ("127.0.0.1:5060",) and spec.folder == Path("/srv/ehd/kamailio")
    two = type(spec)(spec.folder, "10.0.0.5", 5070, ("10.0.0.1:5060", "10.0.0.2:5060"),
                     ("192.0.2.10",))  # fmt: skip
    config = render_config(two)
    assert "listen=udp:10.0.0.5:5070" in config
    assert '$ru = "sip:10.0.0.1:5060";' in config
    assert 'append_branch("sip:10.0.0.2:5060");' in config
    assert '$si == "192.0.2.10"' in config
    assert render_dispatcher(two.nodes).splitlines()[1:] == [
        "1 sip:10.0.0.1:5060",
        "1 sip:10.0.0.2:5060",
    ]
    assert proxy_spec(Config(data_dir=Path("/srv/ehd"))) is None
