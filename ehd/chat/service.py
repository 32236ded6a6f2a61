"""Live chat: a visitor on a site's web page talks with an agent. Each chat is a ticket (source
"chat") whose public entries are the messages, so the conversation stays in the customer's
history and can go on by mail after the chat ends.

Chat is offered while its calendar is open (the calendar named "chat", else the default one)
and at least one agent is logged in to chat. Waiting chats are taken by agents from their
chat list, each agent holding at most ``MAX_ACTIVE`` at once. A visitor whose page has not
asked for news for ``VISITOR_TIMEOUT`` has left; their chat ends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ehd.accounts.notifications import chat_waiting
from ehd.accounts.site_scope import visible_chats
from ehd.calendars.evaluate import check
from ehd.calendars.store import ensure_default_calendar, rules_for
from ehd.crm.directory import contact_for_email
from ehd.db.models import Calendar, ChatSession, ChatState, Site, TicketEntry, User
from ehd.errors import ConflictError, ValidationError
from ehd.tickets.service import change, create_ticket
from ehd.tickets.status import Status

CHAT_CALENDAR = "chat"
MAX_ACTIVE = 3
MAX_MESSAGE = 4000
VISITOR_TIMEOUT = timedelta(seconds=90)
WAITING, ACTIVE, ENDED = ChatState.WAITING, ChatState.ACTIVE, ChatState.ENDED
VISITOR_KIND, AGENT_KIND, EVENT_KIND = "chat_in", "chat_out", "chat_event"


@dataclass(frozen=True)
class Availability:
    open: bool
    reason: str = ""  # "closed" (by the calendar) or "no agents"


def availability_of(calendar_open: bool, ready_agents: int) -> Availability:
    """Pure: whether a visitor may start a chat now, and why not."""
    if not calendar_open:
        return Availability(False, "closed")
    if ready_agents == 0:
        return Availability(False, "no agents")
    return Availability(True)


def visitor_gone(seen_at: datetime | None, now: datetime) -> bool:
    """Pure: the visitor's page stopped asking for news long enough ago."""
    return seen_at is not None and now - seen_at > VISITOR_TIMEOUT


def message_text(text: str) -> str:
    """Pure: a message as kept, or a clear error for an empty or oversized one."""
    text = text.strip()
    if not text:
        raise ValidationError("write a message first", field="text")
    if len(text) > MAX_MESSAGE:
        raise ValidationError(f"a message holds at most {MAX_MESSAGE} characters", field="text")
    return text


@dataclass(frozen=True)
class ChatFigures:
    chats: int
    answered: int
    missed: int  # ended before an agent took them
    avg_wait_seconds: float | None


def figures_of(times: list[tuple[datetime, datetime | None, datetime | None]]) -> ChatFigures:
    """Pure: figures from (started, answered, ended) times of chats."""
    waits = [(answered - started).total_seconds() for started, answered, _ in times if answered]
    missed = sum(1 for _, answered, ended in times if ended and not answered)
    average = round(sum(waits) / len(waits), 1) if waits else None
    return ChatFigures(len(times), len(waits), missed, average)


async def figures(start: datetime, end: datetime) -> ChatFigures:
    """Chats started in [start, end)."""
    rows = await ChatSession.filter(started_at__gte=start, started_at__lt=end).values_list(
        "started_at", "answered_at", "ended_at")  # fmt: skip
    return figures_of([(row[0], row[1], row[2]) for row in rows])


async def counts(agent: User) -> dict[str, int]:
    """Chats waiting for anyone, and the agent's own active ones."""
    return {"waiting": await visible_chats(agent).filter(state=WAITING).count(),
            "mine": await ChatSession.filter(state=ACTIVE, agent_id=agent.id).count()}  # fmt: skip


async def availability(now: datetime) -> Availability:
    calendar = await Calendar.get_or_none(name=CHAT_CALENDAR) or await ensure_default_calendar()
    status = check(await rules_for(calendar), now)
    ready = await User.filter(chat_ready=True, active=True).count()
    return availability_of(status.open, ready)


async def start_chat(site: Site, name: str, email: str, text: str) -> ChatSession:
    """A new waiting chat with its first message, as a ticket of the site."""
    text = message_text(text)
    contact = await contact_for_email(email, name[:255]) if email else None
    ticket = await create_ticket(text.splitlines()[0][:80], "", "chat", contact, [])
    await change(ticket, "chat", "site_id", site.id)
    session = await ChatSession.create(
        token=secrets.token_urlsafe(24), ticket=ticket, site=site, visitor_name=name[:128],
        visitor_email=email[:254], visitor_seen_at=datetime.now(UTC),
    )  # fmt: skip
    await _entry(session, VISITOR_KIND, session.visitor_name or email or "visitor", text)
    await chat_waiting(session, site.code)
    return session


async def visitor_says(session: ChatSession, text: str) -> TicketEntry:
    return await _entry(session, VISITOR_KIND, session.visitor_name or "visitor",
                        message_text(text))  # fmt: skip


async def agent_says(session: ChatSession, agent: User, text: str) -> TicketEntry:
    if session.agent_id != agent.id:
        raise ConflictError("take the chat before you write in it")
    return await _entry(session, AGENT_KIND, agent.alias or agent.name or agent.username,
                        message_text(text))  # fmt: skip


async def take(session: ChatSession, agent: User) -> None:
    """The agent takes a waiting chat; of two agents taking it at once, one wins."""
    held = await ChatSession.filter(agent_id=agent.id, state=ACTIVE).count()
    if held >= MAX_ACTIVE:
        raise ConflictError(f"you have {held} chats already; end one first")
    now = datetime.now(UTC)
    taken = await ChatSession.filter(id=session.id, state=WAITING).update(
        state=ACTIVE, agent_id=agent.id, answered_at=now
    )
    if not taken:
        raise ConflictError("somebody else took this chat, or it has ended")
    await session.refresh_from_db()
    ticket = await session.ticket
    await change(ticket, agent.username, "agent_id", agent.id)
    await change(ticket, agent.username, "status", Status.OPEN.value)
    await _entry(session, EVENT_KIND, "", f"{agent.alias or agent.name or agent.username} "
                                          "joined the chat")  # fmt: skip


async def end(session: ChatSession, why: str) -> None:
    ended = (
        await ChatSession.filter(id=session.id)
        .exclude(state=ENDED)
        .update(state=ENDED, ended_at=datetime.now(UTC))
    )
    if ended:
        await _entry(session, EVENT_KIND, "", why, allow_ended=True)
        await session.refresh_from_db()


async def end_abandoned(now: datetime) -> int:
    """End the chats whose visitors have left; returns how many."""
    gone = await ChatSession.exclude(state=ENDED).filter(visitor_seen_at__lt=now - VISITOR_TIMEOUT)
    for session in gone:
        await end(session, "The visitor left the chat.")
    return len(gone)


async def messages_after(session: ChatSession, after: int) -> list[dict[str, object]]:
    entries = await TicketEntry.filter(
        ticket_id=session.ticket_id, id__gt=after,
        kind__in=(VISITOR_KIND, AGENT_KIND, EVENT_KIND),
    ).order_by("id")  # fmt: skip
    return [{"id": e.id, "kind": e.kind, "author": e.author, "text": e.text,
             "at": e.created_at.isoformat()} for e in entries]  # fmt: skip


async def _entry(session: ChatSession, kind: str, author: str, text: str, *,
                 allow_ended: bool = False) -> TicketEntry:  # fmt: skip
    if session.state == ENDED and not allow_ended:
        raise ConflictError("the chat has ended")
    entry = await TicketEntry.create(ticket_id=session.ticket_id, kind=kind,
                                     public=True, author=author[:254], text=text)  # fmt: skip
    return entry
