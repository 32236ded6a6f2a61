"""The self-signed certificate made for local HTTPS: names the browser will check, made once."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

from ehd.config import Config
from ehd.web.tls import self_signed, server_context


def test_a_certificate_for_localhost_and_the_bind_address_is_made_once(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "tls", "192.0.2.7")
    text = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-ext", "subjectAltName"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for name in ("DNS:localhost", "IP Address:127.0.0.1", "IP Address:192.0.2.7"):
        assert name in text
    made = cert.stat().st_mtime_ns
    assert self_signed(tmp_path / "tls", "192.0.2.7") == (cert, key)
    assert cert.stat().st_mtime_ns == made
    assert (tmp_path / "tls").stat().st_mode & 0o077 == 0


def test_https_off_has_no_context_and_on_loads_the_certificate(tmp_path: Path) -> None:
    assert server_context(Config(data_dir=tmp_path, https_port=0)) is None
    context = server_context(Config(data_dir=tmp_path))
    assert isinstance(context, ssl.SSLContext)
    assert (tmp_path / "tls" / "cert.pem").exists()
