from tortoise import migrations
from tortoise.migrations import operations as ops

# The full-text index of tickets (ehd.tickets.search): one row per ticket head (key: the
# negated ticket id) and one per entry (key: the entry id).
_PEOPLE = (
    "coalesce(c.name, '') || ' ' || coalesce(CAST(c.emails AS TEXT), '') || ' ' || "
    "coalesce(CAST(c.phones AS TEXT), '') || ' ' || coalesce(co.name, '') || ' ' || "
    "coalesce(co.org_number, '')"
)
_HEADS = (
    "SELECT -t.id, t.id, t.subject, CAST(t.number AS TEXT) || ' ' || t.description, "
    f"{_PEOPLE} FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id "
    "LEFT JOIN companies co ON co.id = t.company_id"
)
_ENTRIES = "SELECT e.id, e.ticket_id, '', substr(e.text, 1, 100000), '' FROM ticket_entries e"

SQLITE = [
    "CREATE VIRTUAL TABLE ticket_search USING fts5(ticket_id UNINDEXED, subject, body, people, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"INSERT INTO ticket_search (rowid, ticket_id, subject, body, people) {_HEADS}",
    f"INSERT INTO ticket_search (rowid, ticket_id, subject, body, people) {_ENTRIES}",
]
POSTGRES = [
    # Words match without their accents ("strom" finds "Ström"), as SQLite's tokenizer does.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION ehd_search (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION ehd_search ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, simple",
    # Words are runs of letters and digits, as the queries split them (an address is words).
    "CREATE FUNCTION ehd_search_words(text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS "
    "$$ SELECT to_tsvector('ehd_search', regexp_replace($1, '[^[:alnum:]_]+', ' ', 'g')) $$",
    "CREATE TABLE ticket_search (key BIGINT PRIMARY KEY, ticket_id INT NOT NULL, "
    "subject TEXT NOT NULL, body TEXT NOT NULL, people TEXT NOT NULL, document TSVECTOR)",
    "CREATE INDEX ticket_search_document ON ticket_search USING GIN (document)",
    "CREATE INDEX ticket_search_ticket ON ticket_search (ticket_id)",
    f"INSERT INTO ticket_search (key, ticket_id, subject, body, people) {_HEADS}",
    f"INSERT INTO ticket_search (key, ticket_id, subject, body, people) {_ENTRIES}",
    "UPDATE ticket_search SET document = setweight(ehd_search_words(subject), 'A') || "
    "ehd_search_words(body) || setweight(ehd_search_words(people), 'B')",
]


async def create_search_index(apps, schema_editor):
    client = schema_editor.client
    for sql in POSTGRES if client.capabilities.dialect == "postgres" else SQLITE:
        await client.execute_script(sql)


async def drop_search_index(apps, schema_editor):
    await schema_editor.client.execute_script("DROP TABLE IF EXISTS ticket_search")
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(
            "DROP FUNCTION IF EXISTS ehd_search_words(text); "
            "DROP TEXT SEARCH CONFIGURATION IF EXISTS ehd_search"
        )


class Migration(migrations.Migration):
    dependencies = [('models', '0045_ticket_list_indexes')]

    initial = False

    operations = [ops.RunPython(create_search_index, drop_search_index)]
