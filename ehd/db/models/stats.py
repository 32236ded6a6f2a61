"""Pre-aggregated statistics: counters per slot, kept up to date as events arrive, so a year
of history answers in a fraction of a second."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ehd.db.models.accounts import User


class QueueInterval(Model):
    """The counters of ehd.stats.intervals.SlotCounts for one queue (agent "") or one agent
    in a queue (or in all queues, queue "*"), for the calls that entered the queue in one
    15-minute slot."""

    id = fields.BigIntField(primary_key=True)
    slot = fields.BigIntField()  # Unix seconds at the slot's start
    queue_name = fields.CharField(max_length=64)
    agent = fields.CharField(max_length=64, default="")
    offered = fields.IntField(default=0)
    rejected = fields.IntField(default=0)
    answered = fields.IntField(default=0)
    answered_in_goal = fields.IntField(default=0)
    abandoned = fields.IntField(default=0)
    abandoned_in_goal = fields.IntField(default=0)
    timed_out = fields.IntField(default=0)
    key_exits = fields.IntField(default=0)
    left_empty = fields.IntField(default=0)
    transferred = fields.IntField(default=0)
    completed = fields.IntField(default=0)
    not_answered_rings = fields.IntField(default=0)
    wait_answered_seconds = fields.BigIntField(default=0)
    wait_answered_max = fields.IntField(default=0)
    wait_abandoned_seconds = fields.BigIntField(default=0)
    talk_seconds = fields.BigIntField(default=0)
    # waiting-time bands (ehd.stats.intervals.WAIT_BANDS): answered, then abandoned calls
    answered_wait_0 = fields.IntField(default=0)
    answered_wait_1 = fields.IntField(default=0)
    answered_wait_2 = fields.IntField(default=0)
    answered_wait_3 = fields.IntField(default=0)
    answered_wait_4 = fields.IntField(default=0)
    answered_wait_5 = fields.IntField(default=0)
    answered_wait_6 = fields.IntField(default=0)
    answered_wait_7 = fields.IntField(default=0)
    answered_wait_8 = fields.IntField(default=0)
    answered_wait_9 = fields.IntField(default=0)
    answered_wait_10 = fields.IntField(default=0)
    abandoned_wait_0 = fields.IntField(default=0)
    abandoned_wait_1 = fields.IntField(default=0)
    abandoned_wait_2 = fields.IntField(default=0)
    abandoned_wait_3 = fields.IntField(default=0)
    abandoned_wait_4 = fields.IntField(default=0)
    abandoned_wait_5 = fields.IntField(default=0)
    abandoned_wait_6 = fields.IntField(default=0)
    abandoned_wait_7 = fields.IntField(default=0)
    abandoned_wait_8 = fields.IntField(default=0)
    abandoned_wait_9 = fields.IntField(default=0)
    abandoned_wait_10 = fields.IntField(default=0)

    class Meta:
        table = "queue_intervals"
        unique_together = (("slot", "queue_name", "agent"),)
        # the queues' own rows, and the agents' rows over all queues, without the rest
        indexes = (("agent", "slot"), ("queue_name", "slot"))


class AgentInterval(Model):
    """How one agent spent one 15-minute slot (ehd.stats.agent_time), in seconds."""

    id = fields.BigIntField(primary_key=True)
    slot = fields.BigIntField()  # Unix seconds at the slot's start
    agent = fields.CharField(max_length=64)
    logged_in = fields.FloatField(default=0.0)
    paused = fields.FloatField(default=0.0)
    busy = fields.FloatField(default=0.0)
    wrapup = fields.FloatField(default=0.0)

    class Meta:
        table = "agent_intervals"
        unique_together = (("slot", "agent"),)


class AgentPauseInterval(Model):
    """An agent's paused seconds in one slot for one reason ("" when none was given)."""

    id = fields.BigIntField(primary_key=True)
    slot = fields.BigIntField()
    agent = fields.CharField(max_length=64)
    reason = fields.CharField(max_length=128, default="")
    seconds = fields.FloatField(default=0.0)

    class Meta:
        table = "agent_pause_intervals"
        unique_together = (("slot", "agent", "reason"),)


class TicketCounters(Model):
    """The counters of ehd.stats.ticket_figures.TicketCounts, shared by the two tables."""

    created = fields.IntField(default=0)
    solved = fields.IntField(default=0)
    reopened = fields.IntField(default=0)
    first_responses = fields.IntField(default=0)
    first_response_seconds = fields.BigIntField(default=0)
    resolution_seconds = fields.BigIntField(default=0)
    first_response_goals = fields.IntField(default=0)
    first_response_met = fields.IntField(default=0)
    resolution_goals = fields.IntField(default=0)
    resolution_met = fields.IntField(default=0)

    class Meta:
        abstract = True


class TicketDay(TicketCounters):
    """The counters of ehd.stats.ticket_figures.TicketCounts for the ticket events of one
    local day under one set of ticket attributes (0 or "": none). Ids rather than foreign keys:
    a deleted group or agent leaves its history counted."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    channel = fields.CharField(max_length=16, default="")
    site_id = fields.IntField(default=0)
    group_id = fields.IntField(default=0)
    agent_id = fields.IntField(default=0)
    template_id = fields.IntField(default=0)

    class Meta:
        table = "ticket_days"
        unique_together = (("day", "channel", "site_id", "group_id", "agent_id", "template_id"),)


class TicketDaySlice(TicketCounters):
    """The same counters as TicketDay summed over every attribute but one (dimension:
    channel, site, group, agent or template, value: its stored value) or all of them
    (total): what a view without filters reads, a few dozen rows a day however many
    combinations of attributes the tickets had."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    dimension = fields.CharField(max_length=16)
    value = fields.CharField(max_length=32, default="")

    class Meta:
        table = "ticket_day_slices"
        unique_together = (("dimension", "day", "value"),)


class StatsCursor(Model):
    """How far a statistics feed has read a table (the id of the last row folded)."""

    name = fields.CharField(max_length=32, primary_key=True)
    last_id = fields.BigIntField(default=0)

    class Meta:
        table = "stats_cursors"


class ReportFrequency(StrEnum):
    DAILY = "daily"  # yesterday's figures
    WEEKLY = "weekly"  # last week's, Monday to Sunday
    MONTHLY = "monthly"  # last month's


class ReportSubscription(Model):
    """A statistics view mailed at a chosen frequency, as PDF, XLSX and/or CSV, to chosen
    addresses (ehd.web.boards.report_central)."""

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="report_subscriptions", on_delete=fields.CASCADE
    )
    owner_id: int
    name = fields.CharField(max_length=128)
    # the view's parameters: {"granularity": "hour", "group": "queue", "queue": "support"}
    query: dict[str, str] = fields.JSONField(default=dict)
    frequency = fields.CharEnumField(ReportFrequency, max_length=8, default=ReportFrequency.DAILY)
    hour = fields.IntField(default=6)  # sent after this hour on the site's clock
    formats: list[str] = fields.JSONField(default=list)  # "pdf", "xlsx", "csv"
    recipients: list[str] = fields.JSONField(default=list)
    last_sent_through = fields.DateField(null=True)  # the last day of the last period sent
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report_subscriptions"


class CallSlice(Model):
    """The counters of ehd.stats.call_slices.CallCounts for the calls that started in one
    15-minute slot: in total (dimension "total", value ""), or of one site (its id), one
    dialled number, one queue or one agent."""

    id = fields.BigIntField(primary_key=True)
    slot = fields.BigIntField()  # Unix seconds at the slot's start
    dimension = fields.CharField(max_length=8)
    value = fields.CharField(max_length=64, default="")
    inbound = fields.IntField(default=0)
    answered = fields.IntField(default=0)
    answered_in_goal = fields.IntField(default=0)
    abandoned = fields.IntField(default=0)
    closed = fields.IntField(default=0)
    overflowed = fields.IntField(default=0)
    voicemail = fields.IntField(default=0)
    callback_requests = fields.IntField(default=0)
    other = fields.IntField(default=0)
    callbacks_made = fields.IntField(default=0)
    transferred = fields.IntField(default=0)
    held = fields.IntField(default=0)
    outbound = fields.IntField(default=0)
    outbound_answered = fields.IntField(default=0)
    wait_answered_seconds = fields.BigIntField(default=0)
    wait_answered_max = fields.IntField(default=0)
    wait_abandoned_seconds = fields.BigIntField(default=0)
    talk_seconds = fields.BigIntField(default=0)
    hold_seconds = fields.BigIntField(default=0)
    outbound_talk_seconds = fields.BigIntField(default=0)

    class Meta:
        table = "call_slices"
        unique_together = (("dimension", "slot", "value"),)
