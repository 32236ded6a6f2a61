"""Typed ARI events and resources, parsed from Asterisk's JSON.

Only the fields ehd uses are typed; the raw payload stays available on every event. An event type
ehd does not model becomes :class:`UnknownEvent`; a payload that does not fit its type raises
:class:`AriPayloadError`, which the connection logs without crashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ehd.errors import AriError


class AriPayloadError(AriError):
    error_id = "ari-payload-invalid"


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise AriPayloadError(f"ARI field {key!r} is not a string", value=repr(value))
    return value


def _obj(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise AriPayloadError(f"ARI field {key!r} is missing or not an object")
    return value


def parse_time(value: str) -> datetime | None:
    """ARI timestamps look like 2026-11-22T23:20:34.797+0000."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    state: str
    caller_number: str
    caller_name: str
    exten: str
    created: datetime | None
    language: str

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Channel:
        caller = data.get("caller") or {}
        dialplan = data.get("dialplan") or {}
        if not isinstance(caller, dict) or not isinstance(dialplan, dict):
            raise AriPayloadError("ARI channel has malformed caller or dialplan")
        return cls(
            id=_text(data, "id"),
            name=_text(data, "name"),
            state=_text(data, "state"),
            caller_number=_text(caller, "number"),
            caller_name=_text(caller, "name"),
            exten=_text(dialplan, "exten"),
            created=parse_time(_text(data, "creationtime")),
            language=_text(data, "language", "en") or "en",
        )


@dataclass(frozen=True)
class Bridge:
    id: str
    bridge_type: str
    channels: tuple[str, ...]

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Bridge:
        channels = data.get("channels") or []
        if not isinstance(channels, list):
            raise AriPayloadError("ARI bridge channels is not a list")
        return cls(
            id=_text(data, "id"),
            bridge_type=_text(data, "bridge_type"),
            channels=tuple(str(c) for c in channels),
        )


@dataclass(frozen=True)
class Event:
    type: str
    application: str
    raw: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class UnknownEvent(Event):
    pass


@dataclass(frozen=True)
class ChannelEvent(Event):
    channel: Channel


@dataclass(frozen=True)
class StasisStart(ChannelEvent):
    args: tuple[str, ...]


@dataclass(frozen=True)
class StasisEnd(ChannelEvent):
    pass


@dataclass(frozen=True)
class ChannelDestroyed(ChannelEvent):
    cause: int
    cause_txt: str


@dataclass(frozen=True)
class ChannelStateChange(ChannelEvent):
    pass


@dataclass(frozen=True)
class ChannelHangupRequest(ChannelEvent):
    pass


@dataclass(frozen=True)
class ChannelDtmfReceived(ChannelEvent):
    digit: str


@dataclass(frozen=True)
class PlaybackEvent(Event):
    playback_id: str
    target_uri: str
    state: str


@dataclass(frozen=True)
class RecordingEvent(Event):
    name: str
    target_uri: str
    state: str
    duration: int | None


@dataclass(frozen=True)
class BridgeChannelEvent(ChannelEvent):
    bridge: Bridge


def parse_event(payload: Any) -> Event:
    if not isinstance(payload, dict):
        raise AriPayloadError("ARI event is not a JSON object")
    kind = _text(payload, "type")
    if not kind:
        raise AriPayloadError("ARI event has no type")
    app = _text(payload, "application")
    if kind in ("StasisStart",):
        args = payload.get("args") or []
        if not isinstance(args, list):
            raise AriPayloadError("StasisStart args is not a list")
        return StasisStart(
            kind, app, payload, Channel.parse(_obj(payload, "channel")), tuple(str(a) for a in args)
        )
    if kind == "StasisEnd":
        return StasisEnd(kind, app, payload, Channel.parse(_obj(payload, "channel")))
    if kind == "ChannelDestroyed":
        cause = payload.get("cause", 0)
        return ChannelDestroyed(
            kind,
            app,
            payload,
            Channel.parse(_obj(payload, "channel")),
            cause if isinstance(cause, int) else 0,
            _text(payload, "cause_txt"),
        )
    if kind == "ChannelStateChange":
        return ChannelStateChange(kind, app, payload, Channel.parse(_obj(payload, "channel")))
    if kind == "ChannelHangupRequest":
        return ChannelHangupRequest(kind, app, payload, Channel.parse(_obj(payload, "channel")))
    if kind == "ChannelDtmfReceived":
        return ChannelDtmfReceived(
            kind, app, payload, Channel.parse(_obj(payload, "channel")), _text(payload, "digit")
        )
    if kind.startswith("Playback"):
        playback = _obj(payload, "playback")
        return PlaybackEvent(
            kind,
            app,
            payload,
            _text(playback, "id"),
            _text(playback, "target_uri"),
            _text(playback, "state"),
        )
    if kind.startswith("Recording"):
        recording = _obj(payload, "recording")
        duration = recording.get("duration")
        return RecordingEvent(
            kind,
            app,
            payload,
            _text(recording, "name"),
            _text(recording, "target_uri"),
            _text(recording, "state"),
            duration if isinstance(duration, int) else None,
        )
    if kind in ("ChannelEnteredBridge", "ChannelLeftBridge"):
        return BridgeChannelEvent(
            kind,
            app,
            payload,
            Channel.parse(_obj(payload, "channel")),
            Bridge.parse(_obj(payload, "bridge")),
        )
    return UnknownEvent(kind, app, payload)
