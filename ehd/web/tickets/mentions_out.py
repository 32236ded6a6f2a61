"""Colleagues named as @username in a note hear of it three ways: a notification kept until
they read it (so it reaches them offline), their open console at once, and mail when they
have an address."""

from __future__ import annotations

from aiohttp import web

from ehd.accounts.notifications import notify
from ehd.db.models import NotificationKind, Ticket, TicketEntry, User
from ehd.mail import outbox
from ehd.tickets.mentions import mentioned
from ehd.web.keys import CONFIG, CONSOLES, TICKET_MAIL


async def tell_mentioned(
    request: web.Request, ticket: Ticket, entry: TicketEntry, me: User
) -> list[str]:
    """Tell everyone the note names (not its author); their usernames."""
    users = await User.filter(active=True).values_list("username", flat=True)
    names = [n for n in mentioned(entry.text, {str(u) for u in users}) if n != me.username]
    named = await User.filter(username__in=names)
    who = me.name or me.username
    await notify([u.id for u in named], NotificationKind.MENTION,
                 {"who": who, "number": str(ticket.number), "subject": ticket.subject},
                 f"/tickets/{ticket.number}#entry-{entry.id}", me.username)  # fmt: skip
    mailer = request.app[TICKET_MAIL].mailer
    link = f"{request.app[CONFIG].web_url.rstrip('/')}/tickets/{ticket.number}"
    for user in named:
        request.app[CONSOLES].publish(user.username, {
            "type": "mention", "ticket": ticket.number, "subject": ticket.subject,
            "by": me.username,
        })  # fmt: skip
        if user.email:
            body = f"{who} mentioned you on ticket {ticket.number}:\n\n{entry.text}\n\n{link}"
            message = mailer.build(user.email, f"You were mentioned: {ticket.subject}", body)
            await outbox.send(mailer, message)
    return names
