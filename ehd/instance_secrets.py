"""Secrets generated once per data folder (ARI password), kept in ``secrets.toml`` (mode 600).

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


def load_or_create_secrets(config: Config) -> InstanceSecrets:
    path = config.paths.secrets
    stored: dict[str, str] = {}
    if path.exists():
        with path.open("rb") as handle:
            stored = {k: str(v) for k, v in tomllib.load(handle).items()}
    if "ari_password" not in stored:
        stored["ari_password"] = secrets.token_urlsafe(24)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.writelines(f'{key} = "{value}"\n' for key, value in sorted(stored.items()))
    return InstanceSecrets(ari_password=config.ari_password or stored["ari_password"])
