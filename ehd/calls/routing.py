"""Decide where an inbound call goes, from the dialled number and its DID entry. Pure: no I/O.

The DID table is data the admins edit; this module turns one row into a :class:`Route` that the
ARI adapter carries out. Routes whose feature has not landed yet are played as an explicit
"unavailable" route and logged, so a caller never hears silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ehd.db.models import RouteType


class Action(StrEnum):
    QUEUE = "queue"
    MENU = "menu"
    RING_SIP = "ring_sip"
    VOICEMAIL_ACCESS = "voicemail_access"
    RECORDING_SERVICE = "recording_service"
    REMOTE_LOGIN = "remote_login"
    NOT_IN_SERVICE = "not_in_service"
    UNAVAILABLE = "unavailable"
    # Only where an agent sends a caller on (no DID routes to these):
    RING_OUTSIDE = "ring_outside"  # an outside number through the trunk, ``target`` in E.164
    MAILBOX = "mailbox"  # the mailbox of the user named in ``voicemail``


@dataclass(frozen=True)
class DidEntry:
    """The facts about one DID row that routing needs."""

    number: str
    route_type: RouteType
    queue_id: int | None = None
    queue_name: str = ""
    queue_greeting: str = "welcome"
    queue_moh_class: str = "default"
    queue_language: str = "en"
    sip_extension: str | None = None
    username: str = ""
    menu_name: str = ""
    ring_seconds: int = 30
    priority: int = 0
    site_id: int = 0  # the brand whose number it is; 0: none


@dataclass(frozen=True)
class Route:
    action: Action
    target: str = ""
    greeting: str = ""
    moh_class: str = "default"
    language: str = "en"
    ring_seconds: int = 30
    queue_id: int | None = None
    priority: int = 0
    voicemail: str = ""  # the username whose mailbox takes unanswered calls
    reason: str = ""
    agent: str = ""  # a queue route an agent sent a caller on: kept for this agent first


def decide_route(entry: DidEntry | None) -> Route:
    if entry is None:
        return Route(Action.NOT_IN_SERVICE, reason="unknown number")
    kind = entry.route_type
    if kind == RouteType.UNUSED:
        return Route(Action.NOT_IN_SERVICE, reason="number is unused")
    if kind == RouteType.QUEUE:
        if entry.queue_id is None:
            return Route(Action.NOT_IN_SERVICE, reason="queue route without a queue")
        return Route(
            Action.QUEUE,
            target=entry.queue_name,
            greeting=entry.queue_greeting,
            moh_class=entry.queue_moh_class,
            language=entry.queue_language,
            queue_id=entry.queue_id,
            priority=entry.priority,
        )
    if kind in (RouteType.SIP_ACCOUNT, RouteType.SIP_VOICEMAIL):
        if not entry.sip_extension:
            return Route(Action.NOT_IN_SERVICE, reason="SIP route without a SIP account")
        # With voicemail, a caller whose call is not answered in time (or whose phone is
        # unregistered) leaves a message; without, they hear that the person is unavailable.
        return Route(
            Action.RING_SIP,
            target=entry.sip_extension,
            ring_seconds=max(5, min(entry.ring_seconds, 120)),
            voicemail=entry.username if kind == RouteType.SIP_VOICEMAIL else "",
        )
    if kind == RouteType.IVR:
        if not entry.menu_name:
            return Route(Action.NOT_IN_SERVICE, reason="menu route without a menu")
        return Route(Action.MENU, target=entry.menu_name, language=entry.queue_language)
    if kind == RouteType.VOICEMAIL_ACCESS:
        return Route(Action.VOICEMAIL_ACCESS)
    if kind == RouteType.RECORDING_SERVICE:
        return Route(Action.RECORDING_SERVICE)
    if kind == RouteType.REMOTE_LOGIN:
        return Route(Action.REMOTE_LOGIN)
    return Route(
        Action.UNAVAILABLE,
        target=kind.value,
        reason=f"route type {kind.value} is not available in this version",
    )


def holding_bridge_id(queue_id: int) -> str:
    """Deterministic, so a restarted ehd finds the bridge Asterisk still has."""
    return f"ehd-queue-{queue_id}"
