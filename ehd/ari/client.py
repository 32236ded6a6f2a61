"""The ARI REST side: one aiohttp session, typed helpers for the calls ehd makes.

Every failure becomes an :class:`AriHttpError` (or :class:`AriNotFound` for 404), so callers
handle one exception family and an error on one call never leaks into another.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

from ehd.ari.events import Bridge, Channel
from ehd.errors import AriError

_TIMEOUT = aiohttp.ClientTimeout(total=10)
_log = logging.getLogger(__name__)


class AriHttpError(AriError):
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message, status=status)
        self.http_status = status


class AriNotFound(AriHttpError):
    error_id = "ari-not-found"


class AriClient:
    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, user: str, password: str
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.auth_headers = {"Authorization": aiohttp.encode_basic_auth(user, password)}

    async def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        url = f"{self.base_url}/{path.lstrip('/')}"
        _log.debug("%s %s", method, path)  # benchmarks/statements_per_call.py counts these
        try:
            async with self._session.request(
                method, url, params=query, json=body, headers=self.auth_headers, timeout=_TIMEOUT
            ) as response:
                text = await response.text()
                if response.status == 404:
                    raise AriNotFound(f"{method} {path}: not found ({text.strip()})", 404)
                if response.status >= 400:
                    raise AriHttpError(
                        f"{method} {path}: HTTP {response.status} {text.strip()}", response.status
                    )
                if not text:
                    return None
                return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as err:
            raise AriHttpError(f"{method} {path}: {err!r}") from err

    # --- asterisk -------------------------------------------------------------------------
    async def ping(self) -> bool:
        try:
            await self.request("GET", "asterisk/ping")
        except AriHttpError:
            return False
        return True

    async def reload_module(self, module: str) -> None:
        await self.request("PUT", f"asterisk/modules/{quote(module)}")

    # --- channels -------------------------------------------------------------------------
    async def list_channels(self) -> list[Channel]:
        return [Channel.parse(item) for item in await self.request("GET", "channels") or []]

    async def answer(self, channel_id: str) -> None:
        await self.request("POST", f"channels/{channel_id}/answer")

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        await self.request("DELETE", f"channels/{channel_id}", {"reason": reason})

    async def ring(self, channel_id: str) -> None:
        await self.request("POST", f"channels/{channel_id}/ring")

    async def ring_stop(self, channel_id: str) -> None:
        await self.request("DELETE", f"channels/{channel_id}/ring")

    async def play(
        self, channel_id: str, media: str | list[str], playback_id: str, lang: str | None = None
    ) -> None:
        media_list = [media] if isinstance(media, str) else media
        await self.request(
            "POST",
            f"channels/{channel_id}/play/{playback_id}",
            {"media": ",".join(media_list), "lang": lang},
        )

    async def stop_playback(self, playback_id: str) -> None:
        await self.request("DELETE", f"playbacks/{playback_id}")

    async def continue_in_dialplan(
        self, channel_id: str, context: str, extension: str = "s", priority: int = 1
    ) -> None:
        await self.request(
            "POST",
            f"channels/{channel_id}/continue",
            {"context": context, "extension": extension, "priority": priority},
        )

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str,
        app: str,
        app_args: str = "",
        caller_id: str | None = None,
        timeout: int = 30,
        variables: dict[str, str] | None = None,
        beside: str = "",
    ) -> Channel:
        """A new channel into Stasis; ``beside``: a channel it will be bridged with, whose
        Asterisk node it must be made on when there are several (ehd.ari.nodes)."""
        body = {"variables": variables} if variables else None
        data = await self.request(
            "POST",
            f"channels/{channel_id}",
            {
                "endpoint": endpoint,
                "app": app,
                "appArgs": app_args,
                "callerId": caller_id,
                "timeout": timeout,
            },
            body,
        )
        return Channel.parse(data)

    async def send_dtmf(self, channel_id: str, dtmf: str, between_ms: int = 150) -> None:
        await self.request(
            "POST", f"channels/{channel_id}/dtmf", {"dtmf": dtmf, "between": between_ms}
        )

    async def record(
        self,
        channel_id: str,
        name: str,
        *,
        max_seconds: int = 0,
        max_silence: int = 0,
        fmt: str = "wav",
        beep: bool = False,
        terminate_on: str = "none",
    ) -> None:
        await self.request(
            "POST",
            f"channels/{channel_id}/record",
            {
                "name": name,
                "format": fmt,
                "maxDurationSeconds": max_seconds,
                "maxSilenceSeconds": max_silence,
                "beep": beep,
                "terminateOn": terminate_on,
                "ifExists": "overwrite",
            },
        )

    async def record_bridge(self, bridge_id: str, name: str, fmt: str = "wav") -> None:
        await self.request(
            "POST",
            f"bridges/{bridge_id}/record",
            {"name": name, "format": fmt, "ifExists": "overwrite"},
        )

    async def stop_recording(self, name: str) -> None:
        await self.request("POST", f"recordings/live/{quote(name)}/stop")

    async def start_moh(self, channel_id: str, moh_class: str = "default") -> None:
        await self.request("POST", f"channels/{channel_id}/moh", {"mohClass": moh_class})

    async def stop_moh(self, channel_id: str) -> None:
        await self.request("DELETE", f"channels/{channel_id}/moh")

    # --- bridges --------------------------------------------------------------------------
    async def list_bridges(self) -> list[Bridge]:
        return [Bridge.parse(item) for item in await self.request("GET", "bridges") or []]

    async def create_bridge(self, bridge_id: str, bridge_type: str, name: str = "") -> Bridge:
        data = await self.request(
            "POST", f"bridges/{bridge_id}", {"type": bridge_type, "name": name or bridge_id}
        )
        return Bridge.parse(data)

    async def add_to_bridge(
        self, bridge_id: str, channel_id: str | list[str], role: str | None = None
    ) -> None:
        """Add one channel, or several in one step (none hears the bridge without the rest)."""
        channels = channel_id if isinstance(channel_id, str) else ",".join(channel_id)
        await self.request(
            "POST", f"bridges/{bridge_id}/addChannel", {"channel": channels, "role": role}
        )

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self.request("DELETE", f"bridges/{bridge_id}")

    # --- endpoints ------------------------------------------------------------------------
    async def endpoint_state(self, technology: str, resource: str) -> str:
        data = await self.request("GET", f"endpoints/{technology}/{quote(resource)}")
        return str(data.get("state", "unknown")) if isinstance(data, dict) else "unknown"


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
