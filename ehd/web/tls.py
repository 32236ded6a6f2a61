"""The web app's certificate: the configured one, or a self-signed one made once for local
use (browsers give a page the microphone only over HTTPS, or on localhost)."""

from __future__ import annotations

import ipaddress
import logging
import ssl
import subprocess
from pathlib import Path

from ehd.config import Config
from ehd.errors import ConfigError

log = logging.getLogger(__name__)

CERT_DAYS = 825  # the longest validity browsers accept for a certificate


def _subject_names(bind_host: str) -> str:
    names = ["DNS:localhost", "IP:127.0.0.1"]
    try:
        address = ipaddress.ip_address(bind_host)
    except ValueError:
        if bind_host:
            names.append(f"DNS:{bind_host}")
    else:
        if not address.is_unspecified and str(address) != "127.0.0.1":
            names.append(f"IP:{address}")
    return ",".join(names)


def self_signed(folder: Path, bind_host: str) -> tuple[Path, Path]:
    """``folder``/cert.pem and key.pem, made with openssl when missing."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    if cert.exists() and key.exists():
        return cert, key
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    command = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:prime256v1", "-nodes", "-days", str(CERT_DAYS),
               "-subj", "/CN=ehd (self-signed)", "-addext",
               f"subjectAltName={_subject_names(bind_host)}",
               "-keyout", str(key), "-out", str(cert)]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise ConfigError(f"cannot make a certificate with openssl: {err}") from err
    log.info("made a self-signed certificate for HTTPS in %s", folder)
    return cert, key


def server_context(config: Config) -> ssl.SSLContext | None:
    """The HTTPS listener's TLS context, or None when HTTPS is off (https_port 0)."""
    if not config.https_port:
        return None
    if config.tls_cert_file:
        cert, key = Path(config.tls_cert_file), Path(config.tls_key_file)
    else:
        cert, key = self_signed(config.paths.root / "tls", config.bind_host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as err:
        raise ConfigError(f"cannot use the certificate {cert} and key {key}: {err}") from err
    return context
