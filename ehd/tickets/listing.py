"""The ticket list: which tickets a view shows, in which order, one page at a time.

Every filter runs in the query (never on a capped list afterwards), the total is counted by
the database, and pages are reached by key, not by offset: a page holds the rows after (or
before) the last row shown in the chosen order, so page 500 costs what page 1 costs, and a
ticket changing while someone pages neither repeats nor hides a row. The order always ends on
the ticket's id, which makes every position unique.

``Listing`` is what a view asks for, read from a query string by ``listing_from`` (pure);
``page_of`` asks the database.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from multidict import MultiMapping
from tortoise.expressions import Function, Q, RawSQL
from tortoise.functions import Coalesce, Lower
from tortoise.queryset import QuerySet

from ehd.accounts.site_scope import visible_tickets
from ehd.accounts.workspace import workspace_of
from ehd.db.models import QueueMember, Ticket, TicketPriority, User
from ehd.tickets.search import matching_ids
from ehd.tickets.status import Status

# The columns a list sorts on: the key in the address, and the ticket's own field or (for
# columns shown as a name or a rank) a value computed into SORT_VALUE.
SORT_VALUE = "sort_value"
SORTABLE = {"number": "number", "subject": "subject", "status": "status", "source": "source",
            "updated": "updated_at", "created": "created_at", "priority": SORT_VALUE,
            "agent": SORT_VALUE, "contact": SORT_VALUE}  # fmt: skip
# Priorities by rank (low, medium, high), not by name: by name "medium" would come last.
_PRIORITY_RANK = RawSQL(
    'CASE "tickets"."priority" '
    + " ".join(f"WHEN '{p.value}' THEN {rank}" for rank, p in enumerate(TicketPriority))
    + " ELSE -1 END"
)


def _sort_value(column: str) -> Function | RawSQL:
    """The computed value of a column sorted by name or rank. Names sort regardless of case
    ("adam" beside "Adam"); tickets without an agent or a contact sort as an empty name (NULL
    would drop out of every keyset comparison)."""
    match column:
        case "priority":
            return _PRIORITY_RANK
        case "agent":
            return Coalesce(Lower("agent__username"), "")
        case "contact":
            return Coalesce(Lower("contact__name"), "")
    raise ValueError(column)


DEFAULT_SORT = "updated"
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
NOT_CLOSED = tuple(s.value for s in Status if s != Status.CLOSED)  # "in" uses the status index
MAX_TEXT = 100


@dataclass(frozen=True)
class Position:
    """Where a page starts: the sort value and id of the row next to it."""

    value: str | int
    id: int

    def token(self) -> str:
        raw = json.dumps([self.value, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> Position | None:
        """None for anything that is not a token we made: a bad one shows the first page."""
        try:
            value, row = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, TypeError, binascii.Error):
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            return None
        if not isinstance(row, int) or isinstance(row, bool) or not 0 < row < 2**31:
            return None
        return cls(value, row)


@dataclass(frozen=True)
class Listing:
    statuses: tuple[str, ...] = ()  # none chosen: every status but closed
    source: str = ""
    agent: str = ""  # a username
    mine: bool = False  # the user's own open tickets
    watched: bool = False
    text: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = True
    after: Position | None = None
    before: Position | None = None
    size: int = DEFAULT_PAGE_SIZE


@dataclass
class Page:
    tickets: list[Ticket]
    total: int
    next: Position | None = None  # the page after this one starts after it
    previous: Position | None = None  # the page before this one ends before it


def _fits(column: str, position: Position | None) -> Position | None:
    """The position when its value is of the column's kind (else the first page). Pure."""
    if position is None:
        return None
    name = SORTABLE[column]
    if name == "number" or column == "priority":
        return position if isinstance(position.value, int) else None
    if not isinstance(position.value, str):
        return None
    if name.endswith("_at"):
        try:
            datetime.fromisoformat(position.value)
        except ValueError:
            return None
    return position


def listing_from(query: MultiMapping[str]) -> Listing:
    """A view from an overview's query string; unknown values fall back to the defaults.
    Pure."""
    statuses = tuple(s for s in query.getall("status", []) if s in {x.value for x in Status})
    sort = query.get("sort", DEFAULT_SORT)
    sort = sort if sort in SORTABLE else DEFAULT_SORT
    size = query.get("size", "")
    return Listing(
        statuses=statuses,
        source=query.get("source", "")[:16],
        agent=query.get("agent", "")[:254],
        mine=query.get("mine") == "1",
        watched=query.get("watched") == "1",
        text=query.get("q", "").strip()[:MAX_TEXT],
        sort=sort,
        descending=query.get("dir", "desc") != "asc",
        after=_fits(sort, Position.from_token(query.get("after", ""))),
        before=_fits(sort, Position.from_token(query.get("before", ""))),
        size=int(size) if size in {str(s) for s in PAGE_SIZES} else DEFAULT_PAGE_SIZE,
    )


def _watched_by(user_id: int) -> RawSQL:
    """1 when the user is among the ticket's watchers (a JSON list of user ids)."""
    if Ticket._meta.db.capabilities.dialect == "postgres":
        return RawSQL(f"CASE WHEN \"tickets\".\"watchers\"::jsonb @> '[{int(user_id)}]' "
                      "THEN 1 ELSE 0 END")  # fmt: skip
    return RawSQL("(SELECT COUNT(*) FROM json_each(\"tickets\".\"watchers\") "
                  f"WHERE json_each.value = {int(user_id)})")  # fmt: skip


async def filtered(me: User, listing: Listing) -> QuerySet[Ticket]:
    """The tickets the view shows, unordered and unpaged."""
    tickets = visible_tickets(me).filter(held=False)
    statuses = listing.statuses or NOT_CLOSED
    if listing.mine:  # the in-tray: the user's own open tickets, as their workspace says
        workspace = workspace_of(me)
        statuses = tuple(s for s in statuses
                         if s != Status.CLOSED.value and s not in workspace.inbox_hide)  # fmt: skip
        own = Q(agent_id=me.id)
        if workspace.inbox_new == "groups":
            groups = await QueueMember.filter(user_id=me.id).values_list("queue_id", flat=True)
            own |= Q(agent_id=None, status=Status.NEW.value, group_id__in=list(groups))
        tickets = tickets.filter(own)
    tickets = tickets.filter(status__in=statuses)
    if listing.source:
        tickets = tickets.filter(source=listing.source)
    if listing.agent:
        agent = await User.get_or_none(username=listing.agent)
        tickets = tickets.filter(agent_id=agent.id if agent else -1)
    if listing.watched:
        tickets = tickets.annotate(watched_by_me=_watched_by(me.id)).filter(watched_by_me__gt=0)
    if listing.text:
        tickets = tickets.filter(id__in=matching_ids(listing.text))
    return tickets


def _value(ticket: Ticket, column: str) -> str | int:
    value = getattr(ticket, SORTABLE[column])
    if isinstance(value, datetime):
        return value.isoformat()
    return value if isinstance(value, int) else str(value)


def _beyond(column: str, position: Position, forward_descending: bool) -> Q:
    """Rows past ``position`` in an order that is descending or ascending."""
    name = SORTABLE[column]
    value: Any = position.value
    if name.endswith("_at"):
        value = datetime.fromisoformat(str(value))  # checked by _fits
    operator = "lt" if forward_descending else "gt"
    if name == "number":  # unique: the id adds nothing
        return Q(**{f"number__{operator}": value})
    return Q(**{f"{name}__{operator}": value}) | Q(**{name: value, f"id__{operator}": position.id})


async def page_of(me: User, listing: Listing) -> Page:
    """One page of the view, with the total and the positions of its neighbours."""
    tickets = await filtered(me, listing)
    total = await tickets.count()
    name = SORTABLE[listing.sort]
    backwards = listing.before is not None and listing.after is None
    descending = listing.descending != backwards  # a page before: walk the other way
    ordered = tickets
    if name == SORT_VALUE:
        ordered = ordered.annotate(**{SORT_VALUE: _sort_value(listing.sort)})
    if listing.after is not None:
        ordered = ordered.filter(_beyond(listing.sort, listing.after, descending))
    elif listing.before is not None:
        ordered = ordered.filter(_beyond(listing.sort, listing.before, descending))
    sign = "-" if descending else ""
    keys = [f"{sign}{name}"] if name == "number" else [f"{sign}{name}", f"{sign}id"]
    found = (
        await ordered.order_by(*keys).limit(listing.size + 1).prefetch_related("agent", "contact")
    )
    more = len(found) > listing.size
    rows = found[: listing.size]
    if backwards:
        rows.reverse()
    page = Page(rows, total)
    if rows:
        first = Position(_value(rows[0], listing.sort), rows[0].id)
        last = Position(_value(rows[-1], listing.sort), rows[-1].id)
        if backwards:
            page.previous = first if more else None
            page.next = last
        else:
            page.next = last if more else None
            page.previous = first if listing.after is not None else None
    return page
