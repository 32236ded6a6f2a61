"""Persistence for calls: the DID lookup, the call record from Stasis start to hangup, and
each agent's part of it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from ehd.ari.events import Channel
from ehd.calls.call_control import ConnectedCall
from ehd.calls.routing import DidEntry, Route
from ehd.crm.directory import match_phone
from ehd.db.column_updates import grown, replaced
from ehd.db.models import CallHandling, CallRecord, Did, HandlingEnd


def _now() -> datetime:
    return datetime.now(UTC)


async def did_entry(number: str) -> DidEntry | None:
    did = await Did.get_or_none(number=number).select_related("queue", "user", "menu")
    if did is None:
        return None
    queue = did.queue
    user = did.user
    return DidEntry(
        number=did.number,
        route_type=did.route_type,
        queue_id=queue.id if queue else None,
        queue_name=queue.name if queue else "",
        queue_greeting=queue.greeting if queue else "welcome",
        queue_moh_class=queue.moh_class if queue else "default",
        queue_language=queue.language if queue else "en",
        sip_extension=user.sip_extension if user else None,
        username=user.username if user else "",
        menu_name=did.menu.name if did.menu else "",
        ring_seconds=did.ring_seconds,
        priority=did.priority,
        site_id=did.site_id,
    )


async def open_call(channel: Channel, did: str, route: Route, site_id: int = 0) -> None:
    match = await match_phone(channel.caller_number)
    values: dict[str, Any] = {
        "did": did,
        "site_id": site_id,
        "caller_number": channel.caller_number[:64],
        "caller_name": channel.caller_name[:128],
        "route_type": route.action.value,
        "route_target": route.target[:64],
        "started_at": channel.created or _now(),
        "contact_id": match.contact_id if match else None,
        "company_id": match.company_id if match else None,
    }
    try:  # one statement for a new call; a channel that comes back keeps its one record
        await CallRecord.create(call_id=channel.id, **values)
    except IntegrityError:
        await CallRecord.filter(call_id=channel.id).update(**values)


async def mark_answered(call_id: str) -> None:
    await CallRecord.filter(call_id=call_id, answered_at=None).update(answered_at=_now())


async def set_agent(call_id: str, agent: str) -> None:
    """The agent who answered a call outside the queues."""
    await CallRecord.filter(call_id=call_id).update(agent=agent[:64])


async def continue_call(call_id: str, channel_id: str) -> None:
    """The customer of ``call_id`` (an agent placed it) goes on as the call on their own
    ``channel_id``, sent on by the agent: a record of its own, linked to the first."""
    first = await CallRecord.get_or_none(call_id=call_id)
    if first is None:
        return
    now = _now()
    await CallRecord.update_or_create(
        call_id=channel_id,
        defaults={
            "direction": first.direction,
            "did": first.did,
            "site_id": first.site_id,
            "caller_number": first.caller_number,
            "caller_name": first.caller_name,
            "route_type": "transfer",
            "route_target": call_id,
            "started_at": now,
            "answered_at": now,
            "language": first.language,
            "contact_id": first.contact_id,
            "company_id": first.company_id,
        },
    )


async def file_under(call_id: str, ticket_id: int) -> None:
    """The call belongs to that ticket (its recordings are listed there)."""
    await CallRecord.filter(call_id=call_id).update(ticket_id=ticket_id)


async def set_hangup_cause(call_id: str, cause: int) -> None:
    await CallRecord.filter(call_id=call_id).update(hangup_cause=cause)


async def close(call_id: str, result: str, cause: int | None) -> None:
    """End the record; a result the queue already set (answered, abandoned…) is kept."""
    values: dict[str, object] = {"ended_at": _now()}
    if cause is not None:
        values["hangup_cause"] = cause
    # One statement, so nobody reads an ended record whose result is still "active".
    await CallRecord.filter(call_id=call_id, ended_at=None).update(
        **values, result=replaced("result", "active", result)
    )


async def finish(call_id: str, result: str) -> None:
    """End a record ehd itself ends (a callback has no caller channel to hang up)."""
    await CallRecord.filter(call_id=call_id, ended_at=None).update(ended_at=_now(), result=result)
    await CallRecord.filter(call_id=call_id).update(result=result)


async def open_call_ids() -> list[str]:
    rows = await CallRecord.filter(ended_at=None).values_list("call_id", flat=True)
    return [str(call_id) for call_id in rows]


async def close_missing(live_ids: Iterable[str]) -> int:
    """Close records of calls Asterisk no longer has (they ended while we were away).

    A pending callback has no channel while it waits: the queue closes its record.
    """
    live = set(live_ids)
    open_ids = await CallRecord.filter(ended_at=None).exclude(route_type="callback")
    gone = [row.call_id for row in open_ids if row.call_id not in live]
    if gone:
        await CallRecord.filter(call_id__in=gone).update(ended_at=_now(), result="lost")
    return len(gone)


async def caller_number(call_id: str) -> str:
    record = await CallRecord.get_or_none(call_id=call_id)
    return record.caller_number if record else ""


async def call_facts(call_id: str) -> tuple[str, str, str]:
    """(caller number, dialled number, customer number) of a call, for the agent's console."""
    record = await CallRecord.get_or_none(call_id=call_id)
    if record is None:
        return "", "", ""
    return record.caller_number, record.did, record.customer_number


async def agent_part_over(
    call: ConnectedCall, queue: str, now: float, ended_by: HandlingEnd, transferred_to: str = ""
) -> None:
    """An agent's part of the call ended: its own row, and the call's talk and hold totals
    grow by it (so a transferred call counts once, with all the time agents spent on it)."""
    talk, hold = call.talk_seconds(now), call.hold_seconds(now)
    await CallHandling.create(
        call_id=call.item_id,
        agent=call.agent_id,
        queue_name=queue,
        connected_at=datetime.fromtimestamp(call.connected_at, UTC),
        ended_at=datetime.fromtimestamp(now, UTC),
        talk_seconds=talk,
        hold_seconds=hold,
        ended_by=ended_by,
        transferred_to=transferred_to,
        recording=call.recording,
    )
    await CallRecord.filter(call_id=call.item_id).update(
        talk_seconds=grown("talk_seconds", talk), hold_seconds=grown("hold_seconds", hold)
    )


async def recordings_of(call_id: str) -> list[str]:
    """The call's recorded files in order: one per agent's part that was recorded (a
    consultation completed in the same bridge goes on in the same file)."""
    return (await recordings_of_calls([call_id])).get(call_id, [])


async def recordings_of_calls(call_ids: Iterable[str]) -> dict[str, list[str]]:
    """:func:`recordings_of` for many calls at once (a page's list), in two queries."""
    ids = list(call_ids)
    found: dict[str, list[str]] = {}
    firsts = (
        await CallRecord.filter(call_id__in=ids)
        .exclude(recording="")
        .values_list("call_id", "recording")
    )
    parts = (
        await CallHandling.filter(call_id__in=ids)
        .exclude(recording="")
        .order_by("id")
        .values_list("call_id", "recording")
    )
    for call_id, path in [*firsts, *parts]:
        files = found.setdefault(str(call_id), [])
        if path not in files:
            files.append(str(path))
    return found
