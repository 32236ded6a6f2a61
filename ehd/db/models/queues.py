"""Queues, their members and agents' logins, waiting calls, pause codes, login
schedules and the queue_log table."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ehd.db.models.accounts import User
    from ehd.db.models.calls import Calendar, ClassificationProfile, IvrMenu, SurveyProfile


class CustomerNumberMode(StrEnum):
    """Whether callers key in their customer number before they queue."""

    OFF = "off"
    OPTIONAL = "optional"
    REQUIRED = "required"


class RecordingMode(StrEnum):
    NONE = "none"
    ALL = "all"
    ON_DEMAND = "on_demand"  # the agent starts it from the console


class QueuedCallKind(StrEnum):
    CALL = "call"
    CALLBACK = "callback"  # no line held: the caller's place kept as data


class ScheduleState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DONE = "done"
    FAILED = "failed"


class Queue(Model):
    """A call (or ticket) queue and its ACD settings, see ehd.acd.model.QueueConfig."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    description = fields.CharField(max_length=255, default="")
    number = fields.CharField(max_length=32, default="", db_default="")  # caller ID shown to agents
    greeting = fields.CharField(max_length=64, default="welcome")
    moh_class = fields.CharField(max_length=64, default="default")
    language = fields.CharField(max_length=8, default="en")
    strategy = fields.CharField(max_length=24, default="longest_idle", db_default="longest_idle")
    weight = fields.IntField(default=0, db_default=0)
    ring_timeout = fields.FloatField(default=15.0, db_default=15.0)
    misses_before_pause = fields.IntField(default=3, db_default=3)
    wrapup_seconds = fields.FloatField(default=0.0, db_default=0.0)
    max_length = fields.IntField(default=0, db_default=0)
    join_when = fields.CharField(max_length=16, default="always", db_default="always")
    leave_when = fields.CharField(max_length=16, default="always", db_default="always")
    overflow_after = fields.FloatField(null=True)
    overflow_kind = fields.CharField(max_length=16, default="", db_default="")
    overflow_target = fields.CharField(max_length=64, default="", db_default="")
    max_penalty = fields.IntField(null=True)
    # [{"after": s, "max": p, "min": p}]
    penalty_rules: list[dict[str, Any]] = fields.JSONField(default=list, db_default=[])
    # {"0": {"kind": "queue", "target": "x"}}
    exit_keys: dict[str, Any] = fields.JSONField(default=dict, db_default={})
    sl_goal_seconds = fields.FloatField(default=20.0, db_default=20.0)
    sl_target_percent = fields.FloatField(default=80.0, db_default=80.0)
    announce_frequency = fields.FloatField(default=0.0, db_default=0.0)
    announce_start_delay = fields.FloatField(default=0.0, db_default=0.0)
    expected_handle_seconds = fields.FloatField(default=180.0, db_default=180.0)
    # The caller's way in (ehd.calls.queue_flow): hot prompts, language, calendar, greeting,
    # menu, customer number, then the queue.
    # None: the default calendar
    calendar: fields.ForeignKeyNullableRelation[Calendar] = fields.ForeignKeyField(
        "models.Calendar", related_name="queues", null=True, on_delete=fields.SET_NULL
    )
    calendar_id: int | None
    # several: the caller chooses
    languages: list[str] = fields.JSONField(default=list, db_default=[])
    closed_audio = fields.CharField(max_length=64, default="closed", db_default="closed")
    # when closed, messages go to this user's mailbox
    closed_voicemail: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="closed_queues", null=True, on_delete=fields.SET_NULL
    )
    closed_voicemail_id: int | None
    menu: fields.ForeignKeyNullableRelation[IvrMenu] = fields.ForeignKeyField(
        "models.IvrMenu", related_name="queues", null=True, on_delete=fields.SET_NULL
    )
    menu_id: int | None
    customer_number = fields.CharEnumField(
        CustomerNumberMode, max_length=16, default=CustomerNumberMode.OFF
    )
    customer_number_min = fields.IntField(default=1, db_default=1)
    customer_number_max = fields.IntField(default=12, db_default=12)
    # "" or "luhn"
    customer_number_checksum = fields.CharField(max_length=16, default="", db_default="")
    recording = fields.CharEnumField(RecordingMode, max_length=16, default=RecordingMode.NONE)
    classification: fields.ForeignKeyNullableRelation[ClassificationProfile] = (
        fields.ForeignKeyField(
            "models.ClassificationProfile",
            related_name="queues",
            null=True,
            on_delete=fields.SET_NULL,
        )
    )  # the agent picks a code for each answered call
    classification_id: int | None
    # see ehd.callflow.screen_pop
    screen_pop_url = fields.CharField(max_length=512, default="", db_default="")
    # The callback offer ("press 1 to be called back"; the key is an exit key of kind
    # callback): after this many seconds of waiting, or at once from this queue position.
    callback_offer_after = fields.FloatField(null=True)
    callback_offer_position = fields.IntField(default=0, db_default=0)
    # asked after the agent hangs up
    survey: fields.ForeignKeyNullableRelation[SurveyProfile] = fields.ForeignKeyField(
        "models.SurveyProfile", related_name="queues", null=True, on_delete=fields.SET_NULL
    )
    survey_id: int | None

    class Meta:
        table = "queues"


class QueueMember(Model):
    """An agent's membership of a queue (response group), with a penalty (skill level)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    user_id: int
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="members", on_delete=fields.CASCADE
    )
    queue_id: int
    penalty = fields.IntField(default=0)

    class Meta:
        table = "queue_members"
        unique_together = (("user", "queue"),)


class AgentSession(Model):
    """An agent's login: where calls go and the state the ACD had (restored after a restart)."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="agent_session", on_delete=fields.CASCADE
    )
    user_id: int
    device = fields.CharField(max_length=128)  # PJSIP/1001, or PJSIP/+4670…@trunk
    remote = fields.BooleanField(default=False)  # an outside number: accept by pressing 1
    queues: list[str] = fields.JSONField(default=list)  # names staffed in this login
    state = fields.CharField(max_length=16, default="ready")
    pause_reason = fields.CharField(max_length=64, default="")
    # Where the login was made: console logins end when the console is gone for a while;
    # web, mobile, remote-login and scheduled logins stay until logged out.
    source = fields.CharField(max_length=16, default="web", db_default="web")
    logged_in_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agent_sessions"


class QueuedCall(Model):
    """A call waiting in (or connected from) a queue, kept so a restarted ehd re-adopts it."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, unique=True)
    queue_name = fields.CharField(max_length=64)
    priority = fields.IntField(default=0)
    caller_id = fields.CharField(max_length=64, default="")
    entered_at = fields.FloatField()  # Unix time: the engine's clock
    agent = fields.CharField(max_length=64, default="")
    agent_channel = fields.CharField(max_length=64, default="")
    connected_at = fields.FloatField(null=True)  # Unix time the caller was put through
    held_since = fields.FloatField(null=True)  # Unix time the agent put the caller on hold
    held_before = fields.FloatField(default=0.0, db_default=0.0)  # seconds of holds that have ended
    # The agent's consultation while the caller holds: the consulted leg, whom it calls (a
    # colleague, or a number) and how far it got, so a restarted ehd can still end it.
    consult_channel = fields.CharField(max_length=64, default="", db_default="")
    consult_agent = fields.CharField(max_length=64, default="", db_default="")
    consult_number = fields.CharField(max_length=32, default="", db_default="")
    consult_state = fields.CharField(max_length=16, default="", db_default="")
    # A callback keeps the caller's place after they hang up: caller_id is the number to call.
    kind = fields.CharEnumField(QueuedCallKind, max_length=16, default=QueuedCallKind.CALL)
    attempts = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "queued_calls"


class PauseCode(Model):
    """A reason agents pause for (lunch, meeting, training…), from the site's list, so
    statistics can count pauses by reason. Productive pauses count as work."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    label = fields.CharField(max_length=64, default="")
    productive = fields.BooleanField(default=False)
    position = fields.IntField(default=0)

    class Meta:
        table = "pause_codes"


class AgentSchedule(Model):
    """A planned login: the scheduler logs the agent in at starts_at and out at ends_at."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="schedules", on_delete=fields.CASCADE
    )
    user_id: int
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField(db_index=True)
    number = fields.CharField(max_length=32, default="")  # empty: the agent's SIP phone
    queues: list[str] = fields.JSONField(default=list)  # empty: every membership
    state = fields.CharEnumField(ScheduleState, max_length=16, default=ScheduleState.PLANNED)
    created_by = fields.CharField(max_length=64, default="")

    class Meta:
        table = "agent_schedules"


class QueueLogEntry(Model):
    """app_queue's queue_log table layout (time, callid, queuename, agent, event, data1-5)."""

    id = fields.BigIntField(primary_key=True)
    time = fields.DatetimeField(db_index=True)
    call_id = fields.CharField(max_length=64, db_index=True)
    queue_name = fields.CharField(max_length=64)
    agent = fields.CharField(max_length=64)
    event = fields.CharField(max_length=32)
    data1 = fields.CharField(max_length=128, default="")
    data2 = fields.CharField(max_length=128, default="")
    data3 = fields.CharField(max_length=128, default="")
    data4 = fields.CharField(max_length=128, default="")
    data5 = fields.CharField(max_length=128, default="")

    class Meta:
        table = "queue_log"
