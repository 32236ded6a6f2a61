"""Full-text search over tickets: number, subject, description, every entry's text (mail in and
out, notes, chat, texts), and the contact's and company's names, addresses and phones.

The index is the database's own: an FTS5 table on SQLite, a ``tsvector`` column with a GIN
index on PostgreSQL (``ticket_search``, made by migration 0045). It holds one row per ticket
(its head: number, subject, description, people; keyed by the negated ticket id) and one per
entry (keyed by the entry id), so a new mail or chat line adds one row instead of rewriting
the ticket's whole text. Saving a ticket, an entry or a contact keeps it current (model
signals, so every writer is covered); ``reindex_ticket`` is for writes that bypass them
(moving entries on a merge).

Words are matched by prefix and a ticket matches when all are present somewhere in it (one
word in the subject, another in a reply); a query that is a phone number is matched as one,
however it was written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import phonenumbers
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import RawSQL
from tortoise.signals import post_save, pre_delete

from ehd.db.models import Company, Contact, Ticket, TicketEntry
from ehd.phone_numbers import searched_phone

MAX_HITS = 1000  # a search shows the best this many tickets
MAX_BODY = 100_000  # characters of one entry that are searched
MARK_START, MARK_END = "\x02", "\x03"  # around matched words in a snippet; never in text
_WORD = re.compile(r"\w+")
_WEIGHTS = "0.0, 4.0, 1.0, 2.0"  # ticket id, subject, body, people
# A matched row's ticket on SQLite, from its key and the entries' own index: FTS5 reads its
# unindexed ticket_id column row by row, four times slower for a common word.
_SQLITE_ROWS = "ticket_search s LEFT JOIN ticket_entries e ON e.id = s.rowid"
_SQLITE_TICKET = "CASE WHEN s.rowid < 0 THEN -s.rowid ELSE e.ticket_id END"


def words(text: str) -> list[str]:
    """The words a query asks for, at most ten; a phone number becomes its digits. Pure."""
    number = searched_phone(text)
    if number:
        return [number.lstrip("+")]
    return [w.lower() for w in _WORD.findall(text)][:10]


def phone_words(phones: Sequence[str]) -> str:
    """Each number as its E.164 digits and as dialled at home ("0701234567"). Pure."""
    spelled = []
    for phone in phones:
        spelled.append(phone.lstrip("+"))
        try:
            parsed = phonenumbers.parse(phone)
        except phonenumbers.NumberParseException:
            continue
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        spelled.append(re.sub(r"[^0-9]", "", national))
    return " ".join(spelled)


def _client(using_db: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return using_db or connections.get("default")


def _postgres(client: BaseDBAsyncClient) -> bool:
    return client.capabilities.dialect == "postgres"


async def _store(
    client: BaseDBAsyncClient, key: int, ticket_id: int, subject: str, body: str, people: str
) -> None:
    if _postgres(client):
        await client.execute_query(
            "INSERT INTO ticket_search (key, ticket_id, subject, body, people, document) "
            "VALUES ($1, $2, $3, $4, $5, setweight(ehd_search_words($3), 'A') || "
            "ehd_search_words($4) || setweight(ehd_search_words($5), 'B')) "
            "ON CONFLICT (key) DO UPDATE SET ticket_id = EXCLUDED.ticket_id, "
            "subject = EXCLUDED.subject, body = EXCLUDED.body, people = EXCLUDED.people, "
            "document = EXCLUDED.document",
            [key, ticket_id, subject, body, people],
        )
        return
    await client.execute_query("DELETE FROM ticket_search WHERE rowid = ?", [key])
    await client.execute_query(
        "INSERT INTO ticket_search (rowid, ticket_id, subject, body, people) "
        "VALUES (?, ?, ?, ?, ?)",
        [key, ticket_id, subject, body, people],
    )


async def _people(ticket: Ticket) -> str:
    parts: list[str] = []
    if ticket.contact_id is not None:
        contact = await Contact.get_or_none(id=ticket.contact_id)
        if contact is not None:
            parts += [contact.name, *contact.emails, phone_words(contact.phones)]
    if ticket.company_id is not None:
        company = await Company.get_or_none(id=ticket.company_id)
        if company is not None:
            parts += [company.name, company.org_number]
    return " ".join(p for p in parts if p)


async def index_ticket(ticket: Ticket, using_db: BaseDBAsyncClient | None = None) -> None:
    """The ticket's head row: its number, subject, description and people."""
    client = _client(using_db)
    head = f"{ticket.number} {ticket.description}"
    await _store(client, -ticket.id, ticket.id, ticket.subject, head, await _people(ticket))


async def index_entry(entry: TicketEntry, using_db: BaseDBAsyncClient | None = None) -> None:
    await _store(_client(using_db), entry.id, entry.ticket_id, "", entry.text[:MAX_BODY], "")


async def reindex_ticket(ticket: Ticket) -> None:
    """The ticket and all its entries (after a write that bypassed the signals)."""
    await index_ticket(ticket)
    for entry in await TicketEntry.filter(ticket_id=ticket.id):
        await index_entry(entry)


async def forget(keys: Sequence[int], using_db: BaseDBAsyncClient | None = None) -> None:
    if not keys:
        return
    client = _client(using_db)
    column = "key" if _postgres(client) else "rowid"
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        marks = _marks(client, len(chunk))
        await client.execute_query(f"DELETE FROM ticket_search WHERE {column} IN ({marks})", chunk)


def _marks(client: BaseDBAsyncClient, count: int, first: int = 1) -> str:
    if _postgres(client):
        return ", ".join(f"${n}" for n in range(first, first + count))
    return ", ".join("?" * count)


def _term(client: BaseDBAsyncClient, word: str) -> str:
    """One word as a prefix: the words come from ``words`` (letters, digits and _ only), so
    nothing in them is the query language's own syntax."""
    return f"{word}:*" if _postgres(client) else f'"{word}"*'


def _any(client: BaseDBAsyncClient, asked: list[str]) -> str:
    """A row holding any of the words: for ranking and snippets of tickets already found."""
    joiner = " | " if _postgres(client) else " OR "
    return joiner.join(_term(client, w) for w in asked)


def _tickets_with_every_word(client: BaseDBAsyncClient, asked: list[str]) -> str:
    """SQL for the ids of the tickets holding every word in any of their rows: one set per word,
    intersected. Written into the SQL: safe because ``words`` yields only letters, digits and _
    (no quote can reach it)."""
    assert all(_WORD.fullmatch(w) for w in asked)
    if _postgres(client):
        each = ("SELECT ticket_id FROM ticket_search WHERE document @@ "
                "to_tsquery('ehd_search', '{}')")  # fmt: skip
    else:
        each = f"SELECT {_SQLITE_TICKET} FROM {_SQLITE_ROWS} WHERE ticket_search MATCH '{{}}'"
    return " INTERSECT ".join(each.format(_term(client, w)) for w in asked)


async def matching(text: str, limit: int = MAX_HITS) -> list[int]:
    """The ids of the tickets holding every word of ``text``, best first: by their best row,
    where a word in the subject or the people outweighs one in the body and a row with more of
    the words outweighs one with fewer."""
    asked = words(text)
    if not asked:
        return []
    client = _client()
    found = _tickets_with_every_word(client, asked)
    if _postgres(client):
        sql = ("SELECT ticket_id, max(ts_rank(document, q)) AS score "
               "FROM ticket_search, to_tsquery('ehd_search', $1) AS q WHERE document @@ q "
               f"AND ticket_id IN ({found}) "
               "GROUP BY ticket_id ORDER BY score DESC LIMIT $2")  # fmt: skip
    else:  # FTS5's ranking cannot run inside an aggregate: rank first, then group
        sql = (f"WITH hits AS MATERIALIZED ({found}), "
               f"ranked AS MATERIALIZED (SELECT {_SQLITE_TICKET} AS ticket_id, "
               f"bm25(ticket_search, {_WEIGHTS}) AS score FROM {_SQLITE_ROWS} "
               "WHERE ticket_search MATCH ?) "
               "SELECT ticket_id, min(score) AS score FROM ranked "
               "WHERE ticket_id IN (SELECT * FROM hits) "
               "GROUP BY ticket_id ORDER BY score LIMIT ?")  # fmt: skip
    rows = (await client.execute_query(sql, [_any(client, asked), limit]))[1]
    return [int(row["ticket_id"]) for row in rows]


def matching_ids(text: str) -> RawSQL:
    """The ids of the tickets holding every word of ``text``, as a subquery for the ticket
    list's own query (``id__in``), so its filters, order, count and pages apply to every
    match."""
    asked = words(text)
    if not asked:
        return RawSQL("(SELECT id FROM tickets)")
    return RawSQL(f"({_tickets_with_every_word(_client(), asked)})")


async def snippets(text: str, ticket_ids: Sequence[int]) -> dict[int, str]:
    """For each of these tickets, its best-matching text around the match, the matched words
    between MARK_START and MARK_END."""
    asked = words(text)
    if not asked or not ticket_ids:
        return {}
    client = _client()
    ids = [int(i) for i in ticket_ids]
    if _postgres(client):
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=18, MinWords=6"
        sql = ("SELECT ticket_id, ts_headline('ehd_search', subject || ' ' || body || ' ' || "
               "people, q, $2) AS snippet FROM ticket_search, to_tsquery('ehd_search', $1) AS q "
               f"WHERE document @@ q AND ticket_id IN ({_marks(client, len(ids), 3)}) "
               "ORDER BY ts_rank(document, q)")  # fmt: skip
        params: list[Any] = [_any(client, asked), options, *ids]
    else:
        sql = (f"SELECT ticket_id, snippet(ticket_search, -1, '{MARK_START}', '{MARK_END}', "
               "'…', 14) AS snippet FROM ticket_search WHERE ticket_search MATCH ? "
               f"AND ticket_id IN ({_marks(client, len(ids))}) "
               f"ORDER BY bm25(ticket_search, {_WEIGHTS}) DESC")  # fmt: skip
        params = [_any(client, asked), *ids]
    found: dict[int, str] = {}
    for row in (await client.execute_query(sql, params))[1]:
        found[int(row["ticket_id"])] = str(row["snippet"] or "")  # the best comes last
    return found


def marked(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as pieces of text, each marked when it matched, for a template to show
    (escaped) with the matches highlighted. Pure."""
    pieces: list[tuple[str, bool]] = []
    for part in snippet.split(MARK_START):
        hit, end, rest = part.partition(MARK_END)
        if end:
            pieces += [(hit, True), (rest, False)]
        else:
            pieces.append((part, False))
    return [(text, hit) for text, hit in pieces if text]


@post_save(Ticket)
async def _ticket_saved(
    sender: type[Ticket],
    instance: Ticket,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: list[str],
) -> None:
    searched = {"subject", "description", "contact_id", "company_id", "number"}
    if created or not update_fields or searched & set(update_fields):
        await index_ticket(instance, using_db)


@post_save(TicketEntry)
async def _entry_saved(
    sender: type[TicketEntry],
    instance: TicketEntry,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: list[str],
) -> None:
    await index_entry(instance, using_db)


@pre_delete(Ticket)
async def _ticket_deleted(
    sender: type[Ticket], instance: Ticket, using_db: BaseDBAsyncClient | None
) -> None:
    entries = await TicketEntry.filter(ticket_id=instance.id).only("id")
    await forget([-instance.id, *(e.id for e in entries)], using_db)


@pre_delete(TicketEntry)
async def _entry_deleted(
    sender: type[TicketEntry], instance: TicketEntry, using_db: BaseDBAsyncClient | None
) -> None:
    await forget([instance.id], using_db)


@post_save(Contact)
async def _contact_saved(
    sender: type[Contact],
    instance: Contact,
    created: bool,
    using_db: BaseDBAsyncClient | None,
    update_fields: list[str],
) -> None:
    searched = {"name", "emails", "phones"}
    if created or (update_fields and not searched & set(update_fields)):
        return  # a new contact has no tickets yet; other fields are not searched
    for ticket in await Ticket.filter(contact_id=instance.id):
        await index_ticket(ticket, using_db)
