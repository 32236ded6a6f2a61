from pathlib import Path

import pytest

from ehd.config import Config, load_config
from ehd.errors import ConfigError


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    config = load_config(None, environ={"EHD_CONFIG": str(tmp_path / "none.toml")})
    assert (config.web_port, config.sip_port, config.ari_port) == (8080, 5060, 8088)
    assert config.bind_host == "127.0.0.1"
    assert config.effective_database_url == f"sqlite://{config.paths.database}?synchronous=NORMAL"


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path: Path) -> None:
    file = tmp_path / "ehd.toml"
    file.write_text('web_port = 9000\nsip_port = 5070\ntrunk_ips = ["10.0.0.1", "10.0.0.2"]\n')
    config = load_config(file, environ={"EHD_SIP_PORT": "5080"})
    assert config.web_port == 9000
    assert config.sip_port == 5080
    assert config.trunk_ips == ("10.0.0.1", "10.0.0.2")


def test_flags_override_everything_and_none_means_not_given(tmp_path: Path) -> None:
    config = load_config(None, environ={"EHD_WEB_PORT": "9001"})
    overridden = config.with_overrides(web_port=9002, sip_port=None, data_dir=tmp_path)
    assert overridden.web_port == 9002
    assert overridden.sip_port == config.sip_port
    assert overridden.paths.root == tmp_path.resolve()


def test_comma_separated_list_from_environment() -> None:
    config = load_config(None, environ={"EHD_TRUNK_IPS": "192.0.2.1, 192.0.2.0/24,"})
    assert config.trunk_ips == ("192.0.2.1", "192.0.2.0/24")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"EHD_WEB_PORT": "eighty"}, "web_port"),
        ({"EHD_SIP_PORT": "70000"}, "sip_port"),
        ({"EHD_RTP_START": "20000", "EHD_RTP_END": "10000"}, "rtp_start"),
        ({"EHD_ASTERISK_MODE": "docker"}, "asterisk_mode"),
        ({"EHD_HTTPS_PORT": "99999"}, "https_port"),
        ({"EHD_TLS_CERT_FILE": "/etc/ssl/ehd.pem"}, "tls_cert_file and tls_key_file"),
        ({"EHD_SIP_PROXY": 'kamailio";exit'}, "sip_proxy"),
    ],
)
def test_bad_values_name_the_setting(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, environ=environ)


def test_unknown_setting_in_file_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "ehd.toml"
    file.write_text("web_prot = 1\n")
    with pytest.raises(ConfigError, match="web_prot"):
        load_config(file, environ={})


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    file = tmp_path / "ehd.toml"
    file.write_text("web_port = \n")
    with pytest.raises(ConfigError, match="ehd.toml"):
        load_config(file, environ={})


def test_named_config_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", environ={})


def test_all_state_lives_under_the_data_dir(tmp_path: Path) -> None:
    paths = Config(data_dir=tmp_path).paths
    paths.create()
    for folder in (paths.recordings, paths.voicemail, paths.sounds, paths.logs, paths.asterisk):
        assert folder.is_dir() and folder.parent == tmp_path.resolve()
    assert paths.database.parent == tmp_path.resolve()


def test_model_docstrings_survive_as_sql_comments() -> None:
    """Tortoise writes a model's docstring into CREATE TABLE as a comment and splits the
    migration SQL on ';': a semicolon or backticks there break the migration."""
    import inspect

    from tortoise.models import Model

    from ehd.db import models

    for name, cls in vars(models).items():
        if inspect.isclass(cls) and issubclass(cls, Model) and cls is not Model:
            doc = cls.__doc__ or ""
            assert ";" not in doc and "`" not in doc, name


def test_the_https_address_follows_the_port_and_a_public_https_url() -> None:
    assert load_config(None, environ={}).https_url == "https://127.0.0.1:8443"
    assert load_config(None, environ={"EHD_HTTPS_PORT": "0"}).https_url == ""
    public = load_config(None, environ={"EHD_PUBLIC_URL": "https://help.example.com"})
    assert public.https_url == "https://help.example.com"


def test_the_sip_proxy_is_host_and_port_and_its_host_sends_trunk_calls() -> None:
    from ehd.asterisk.instance import InstanceSpec

    config = load_config(None, environ={"EHD_SIP_PROXY": "10.0.0.5:5070"})
    assert config.sip_proxy_address == ("10.0.0.5", 5070)
    assert load_config(None, environ={"EHD_SIP_PROXY": "proxy"}).sip_proxy_address == (
        "proxy",
        5060,
    )
    assert load_config(None, environ={}).sip_proxy_address is None
    spec = InstanceSpec.for_ehd(config, "secret")
    assert spec.extra["trunk_ips"] == ("127.0.0.1", "10.0.0.5")


def test_a_further_node_has_its_own_folder_and_ports_and_shares_the_recordings(
    tmp_path: Path,
) -> None:
    from ehd.asterisk.instance import AsteriskInstance, InstanceSpec
    from ehd.asterisk.runtime import AsteriskRuntime

    environ = {"EHD_DATA_DIR": str(tmp_path), "EHD_ASTERISK_NODES": "b:5062:8090:11000-11999"}
    config = load_config(None, environ=environ)
    (node,) = config.extra_nodes
    main = InstanceSpec.for_ehd(config, "secret")
    spec = InstanceSpec.for_node(config, "secret", node)
    assert (spec.name, spec.sip_port, spec.ari_port) == ("ehd-b", 5062, 8090)
    assert (spec.rtp_start, spec.rtp_end) == (11000, 11999)
    assert spec.folder != main.folder
    runtime = AsteriskRuntime(tmp_path / "root")
    first, second = AsteriskInstance(main, runtime), AsteriskInstance(spec, runtime)
    assert second.recordings_dir == first.recordings_dir.resolve()
    assert second.dirs["lib"] != first.dirs["lib"]  # registrations of its own


def test_trusted_proxies_are_addresses_or_networks(tmp_path: Path) -> None:
    environ = {"EHD_DATA_DIR": str(tmp_path), "EHD_TRUSTED_PROXIES": "10.0.0.0/24,192.0.2.1"}
    networks = load_config(None, environ=environ).trusted_proxy_networks
    assert [str(network) for network in networks] == ["10.0.0.0/24", "192.0.2.1/32"]
    with pytest.raises(ConfigError, match="trusted_proxies"):
        load_config(None, environ={**environ, "EHD_TRUSTED_PROXIES": "10.0.0.0/33"})
