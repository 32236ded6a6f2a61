"""Database URLs as ehd's settings give them (Tortoise's form)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "asyncpg://")


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(POSTGRES_SCHEMES)


def asyncpg_dsn(database_url: str) -> str:
    """The URL for a connection of asyncpg's own: Tortoise's options (?minsize=...) and its
    ``asyncpg://`` scheme mean nothing to asyncpg."""
    url = database_url.replace("asyncpg://", "postgres://", 1)
    return urlunsplit(urlsplit(url)._replace(query=""))
