"""Tortoise configuration: one app, ``models``, with its migrations package."""

from __future__ import annotations

from typing import Any

MODELS_MODULE = "ehd.db.models"
MIGRATIONS_MODULE = "ehd.db.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            },
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# Only for the ``tortoise`` developer CLI (makemigrations), named in pyproject.toml.
DEVELOPMENT_CONFIG = tortoise_config("sqlite://:memory:")
