"""Secrets generated once per data folder (ARI password, the key that signs our mail and
customer links), kept in ``secrets.toml`` (mode 600).

A configured value always wins; a generated one is reused on every later start so a running
Asterisk and a restarted ehd keep agreeing.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass

from ehd.config import Config


@dataclass(frozen=True)
class InstanceSecrets:
    ari_password: str
    signing_key: str  # HMAC key: Message-IDs of our mail, customers' ticket links


def load_or_create_secrets(config: Config) -> InstanceSecrets:
    path = config.paths.secrets
    stored: dict[str, str] = {}
    if path.exists():
        with path.open("rb") as handle:
            stored = {k: str(v) for k, v in tomllib.load(handle).items()}
    generated = {"ari_password": secrets.token_urlsafe(24), "signing_key": secrets.token_hex(32)}
    if any(key not in stored for key in generated):
        for key, value in generated.items():
            stored.setdefault(key, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.writelines(f'{key} = "{value}"\n' for key, value in sorted(stored.items()))
    return InstanceSecrets(
        ari_password=config.ari_password or stored["ari_password"],
        signing_key=stored["signing_key"],
    )
