"""Tickets with their entries, attachments and history; templates, filters, mailboxes,
signatures, knowledge articles and the ticket settings (chats: ``ehd.db.models.chat``, SLA
policies: ``ehd.db.models.sla``)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from ehd.db.models.chat import ChatState  # noqa: F401  (migration 0029 imports it from here)

if TYPE_CHECKING:
    from ehd.db.models.accounts import User
    from ehd.db.models.calls import Calendar
    from ehd.db.models.crm import Company, Contact, Site
    from ehd.db.models.queues import Queue


class TicketStatus(StrEnum):
    """Where a ticket stands (the rules between them: ``ehd.tickets.status``)."""

    NEW = "new"
    OPEN = "open"
    WITH_CONTACT = "with_contact"  # waiting for the customer
    WITH_EXTERNAL = "with_external"  # waiting for a third party
    RESTING = "resting"
    RESTING_UNTIL = "resting_until"  # wakes up by itself at resting_until
    SOLVED = "solved"
    CLOSED = "closed"


class TicketPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class MailSecurity(StrEnum):
    TLS = "tls"
    NONE = "none"


class AfterImport(StrEnum):
    """What happens to a message in the mailbox once it is a ticket."""

    DELETE = "delete"
    FLAG = "flag"


class MailCreation(StrEnum):
    AUTO = "auto"  # new mail makes tickets at once
    REVIEW = "review"  # new tickets are held until someone accepts them


class TicketTemplate(Model):
    """Defaults and guidance for a kind of ticket, and the rules that choose it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128, unique=True)
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="templates", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    group: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="templates", null=True, on_delete=fields.SET_NULL
    )
    group_id: int | None
    subject = fields.CharField(max_length=255, default="")
    description = fields.CharField(max_length=4000, default="")
    solution = fields.CharField(max_length=4000, default="")
    suggested_solutions: list[str] = fields.JSONField(default=list)
    types: list[dict[str, str]] = fields.JSONField(default=list)  # [{"name", "instruction"}]
    steps: list[str] = fields.JSONField(default=list)
    sla_goal_minutes = fields.IntField(null=True)
    calendar: fields.ForeignKeyNullableRelation[Calendar] = fields.ForeignKeyField(
        "models.Calendar", related_name="templates", null=True, on_delete=fields.SET_NULL
    )
    calendar_id: int | None
    default_status = fields.CharEnumField(TicketStatus, max_length=16, default=TicketStatus.NEW)
    default_priority = fields.CharEnumField(
        TicketPriority, max_length=8, default=TicketPriority.MEDIUM
    )
    match_rules: dict[str, Any] = fields.JSONField(default=dict)  # a filter definition

    class Meta:
        table = "ticket_templates"


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    subject = fields.CharField(max_length=512, default="")
    status = fields.CharEnumField(
        TicketStatus, max_length=16, default=TicketStatus.NEW, db_index=True
    )
    priority = fields.CharEnumField(TicketPriority, max_length=8, default=TicketPriority.MEDIUM)
    resting_until = fields.DatetimeField(null=True)
    template: fields.ForeignKeyNullableRelation[TicketTemplate] = fields.ForeignKeyField(
        "models.TicketTemplate", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    template_id: int | None
    ticket_type = fields.CharField(max_length=64, default="")
    itil_process = fields.CharField(max_length=32, default="")
    # the response group
    group: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    group_id: int | None
    agent: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    agent_id: int | None
    locked = fields.BooleanField(default=False)  # picked as own: only the agent works on it
    # from a review mailbox: not yet accepted
    held = fields.BooleanField(default=False, db_default=False)
    master: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    master_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    company_id: int | None
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    description = fields.CharField(max_length=8000, default="")
    cc: list[str] = fields.JSONField(default=list)
    bcc: list[str] = fields.JSONField(default=list)
    custom_fields: dict[str, Any] = fields.JSONField(default=dict)
    source = fields.CharField(max_length=16, default="manual")  # manual|email|form|sms|phone|…
    watchers: list[int] = fields.JSONField(default=list)  # user ids
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # For the SLA escalation job (ehd.tickets.sla_tracking): something that moves the clocks
    # changed since it last looked, or its next escalation step falls due then.
    sla_stale = fields.BooleanField(default=True, db_default=True, db_index=True)
    sla_next_check_at = fields.DatetimeField(null=True, db_index=True)
    # When its first running SLA clock breaches (or breached), as of that look: the wallboard's
    # and the list's order of urgency. None: no clock running.
    sla_due_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "tickets"
        # The ticket list's views: recent first; by status and channel (its counts read this
        # index alone); an agent's own; a contact's history; sorted by subject or creation
        # (SQLite ends every index with the id, the list's tie-breaker).
        indexes = (
            Index(fields=["updated_at"]),
            Index(fields=["status", "held", "source", "updated_at"]),
            Index(fields=["agent_id", "status", "updated_at"]),
            Index(fields=["contact_id", "updated_at"]),
            Index(fields=["subject"]),
            Index(fields=["created_at"]),
        )


class TicketEntry(Model):
    """The ticket's log: solutions, actions, notes, and mail in and out."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="entries", on_delete=fields.CASCADE
    )
    ticket_id: int
    kind = fields.CharField(max_length=16)  # solution|action|note|mail_in|mail_out|customer
    public = fields.BooleanField(default=False)  # shown on the customer's ticket link
    author = fields.CharField(max_length=254, default="")
    text = fields.TextField()
    html = fields.TextField(null=True)  # sanitised
    message_id = fields.CharField(max_length=255, default="", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket_entries"
        indexes = (Index(fields=["ticket_id"]),)


class TicketAttachment(Model):
    """A file on a ticket. The bytes are stored once, by their SHA-256."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="attachments", on_delete=fields.CASCADE
    )
    ticket_id: int
    entry: fields.ForeignKeyNullableRelation[TicketEntry] = fields.ForeignKeyField(
        "models.TicketEntry", related_name="attachments", null=True, on_delete=fields.SET_NULL
    )
    entry_id: int | None
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=128)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.IntField()
    # an inline image the HTML shows
    content_id = fields.CharField(max_length=255, default="", db_default="")

    class Meta:
        table = "ticket_attachments"
        indexes = (Index(fields=["ticket_id"]),)


class TicketChange(Model):
    """Who changed which field of a ticket, from what to what, and when."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="changes", on_delete=fields.CASCADE
    )
    ticket_id: int
    who = fields.CharField(max_length=254)
    field = fields.CharField(max_length=64)
    old = fields.CharField(max_length=1000, default="")
    new = fields.CharField(max_length=1000, default="")
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket_changes"
        indexes = (Index(fields=["ticket_id"]),)


class TicketFilter(Model):
    """A filter rule set. Its definition is parsed by ehd.tickets.filters before saving."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128, unique=True)
    definition: dict[str, Any] = fields.JSONField()
    active = fields.BooleanField(default=True)

    class Meta:
        table = "ticket_filters"


class Mailbox(Model):
    """An IMAP mailbox whose mail becomes tickets. The UID state makes polling exact."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="mailboxes", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    host = fields.CharField(max_length=255)
    port = fields.IntField(default=993)
    security = fields.CharEnumField(MailSecurity, max_length=8, default=MailSecurity.TLS)
    username = fields.CharField(max_length=255)
    password = fields.CharField(max_length=255)
    folder = fields.CharField(max_length=255, default="INBOX")
    after_import = fields.CharEnumField(AfterImport, max_length=8, default=AfterImport.DELETE)
    creation = fields.CharEnumField(MailCreation, max_length=8, default=MailCreation.AUTO)
    uidvalidity = fields.BigIntField(default=0)
    last_uid = fields.BigIntField(default=0)
    active = fields.BooleanField(default=True)
    last_error = fields.CharField(max_length=512, default="")

    class Meta:
        table = "mailboxes"


class QuarantinedMail(Model):
    """A message that could not become a ticket for a reason of its own (not the database or the
    disk being away). It is kept raw, by its digest in the mail store, with the error, for an
    admin to retry, download or discard, and it no longer holds up the mail behind it."""

    id = fields.IntField(primary_key=True)
    received_at = fields.DatetimeField(auto_now_add=True)
    source = fields.CharField(max_length=80)  # smtp, or imap:<mailbox name>
    raw_sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.IntField()
    sender = fields.CharField(max_length=255, default="")
    subject = fields.CharField(max_length=255, default="")
    error = fields.TextField()
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="quarantined_mail", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    hold = fields.BooleanField(default=False)  # the mailbox holds its new tickets for review
    ticket_number = fields.IntField(null=True)  # once a retry made the ticket
    released_at = fields.DatetimeField(null=True)

    class Meta:
        table = "quarantined_mail"


class Signature(Model):
    """Text under outgoing mail. The most specific one wins: the user's own for the ticket's
    site, then the user's, then the site's, then the global one."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="signatures", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="signatures", null=True, on_delete=fields.CASCADE
    )
    site_id: int | None
    text = fields.CharField(max_length=4000)
    image = fields.CharField(max_length=255, default="")  # a file in the data dir, attached inline

    class Meta:
        table = "signatures"
        unique_together = (("user", "site"),)


class KnowledgeArticle(Model):
    """An answer from the knowledge base, usable as a filter's automatic reply."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=255)
    answer = fields.CharField(max_length=8000)
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="articles", null=True, on_delete=fields.SET_NULL
    )
    site_id: int | None
    times_used = fields.IntField(default=0)

    class Meta:
        table = "knowledge_articles"


class Delivery(StrEnum):
    QUEUED = "queued"  # not sent yet: tried again later
    SENT = "sent"
    FAILED = "failed"  # given up after the last try


class OutgoingMail(Model):
    """A mail in the outbox: saved before it is sent, so a reply or confirmation outlives a
    mail server that is down, and is tried again with growing pauses until sent or given up."""

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyNullableRelation[TicketEntry] = fields.ForeignKeyField(
        "models.TicketEntry", related_name="deliveries", null=True, on_delete=fields.CASCADE
    )
    entry_id: int | None
    recipients = fields.CharField(max_length=1000, default="")
    message = fields.BinaryField()  # the whole message as it goes out
    state = fields.CharEnumField(Delivery, max_length=8, default=Delivery.QUEUED, db_index=True)
    attempts = fields.IntField(default=0)
    next_try_at = fields.DatetimeField()
    last_error = fields.CharField(max_length=512, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outgoing_mail"


class TicketCounter(Model):
    """The last ticket number given, one row: taking the next one locks it, so two tickets
    made at once (in two transactions) wait for each other instead of clashing."""

    id = fields.IntField(primary_key=True)
    last_given = fields.IntField()

    class Meta:
        table = "ticket_counter"


class TicketSettings(Model):
    """The control panel's ticket options, one row. Until first saved, the configuration
    file's ticket_* settings apply."""

    id = fields.IntField(primary_key=True)
    assign_required = fields.BooleanField(default=False)  # a ticket must have an agent
    auto_assign = fields.BooleanField(default=False)  # opening a new ticket makes it yours
    allow_delete = fields.BooleanField(default=False)  # dispatchers may delete tickets
    # Automatic mail (vacation replies, bounces, lists) that starts no conversation of ours
    # waits in the review list instead of the agents' in-tray.
    hold_automatic_mail = fields.BooleanField(default=True, db_default=True)
    required_fields: list[str] = fields.JSONField(default=list)  # before solving or closing
    hidden_fields: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "ticket_settings"
