"""Where calls go and what they leave: DIDs, calendars, menus, sounds and hot prompts,
call records, voicemail, surveys and classification."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ehd.db.models.accounts import User
    from ehd.db.models.crm import Company, Contact
    from ehd.db.models.queues import Queue
    from ehd.db.models.tickets import Ticket


class RouteType(StrEnum):
    """Where a dialled number (DID) goes."""

    QUEUE = "queue"
    IVR = "ivr"
    SIP_ACCOUNT = "sip_account"
    SIP_VOICEMAIL = "sip_voicemail"
    REMOTE_LOGIN = "remote_login"
    RECORDING_SERVICE = "recording_service"
    VOICEMAIL_ACCESS = "voicemail_access"
    UNUSED = "unused"


class SoundSource(StrEnum):
    UPLOAD = "upload"
    PHONE = "phone"  # recorded through the recording service


class Did(Model):
    """A dialled number and its route (the admin's dialplan table)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    route_type = fields.CharEnumField(RouteType, max_length=24, default=RouteType.UNUSED)
    queue: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    queue_id: int | None
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    menu: fields.ForeignKeyNullableRelation[IvrMenu] = fields.ForeignKeyField(
        "models.IvrMenu", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    menu_id: int | None
    # the brand whose number this is (0: none): its calls count in that site's statistics.
    # An id rather than a key, as on the call records (and SQLite cannot take back a key
    # added to a table: Tortoise's downgrade keeps the column)
    site_id = fields.IntField(default=0, db_default=0)
    ring_seconds = fields.IntField(default=30)
    # caller priority in the queue (e.g. a VIP line)
    priority = fields.IntField(default=0, db_default=0)
    description = fields.CharField(max_length=255, default="")

    class Meta:
        table = "dids"


class CallDirection(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"  # an agent's phone through the trunk
    INTERNAL = "internal"  # an agent's phone to a colleague's extension


class CallRecord(Model):
    """One call, from Stasis start to hangup: inbound, or placed by an agent's phone."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, unique=True)
    direction = fields.CharEnumField(
        CallDirection, max_length=8, default=CallDirection.INBOUND, db_default=CallDirection.INBOUND
    )
    did = fields.CharField(max_length=32, default="")  # outbound: the number as dialled
    # The other party: who called in, or (outbound) the number called, in E.164
    caller_number = fields.CharField(max_length=64, default="")
    caller_name = fields.CharField(max_length=128, default="")
    route_type = fields.CharField(max_length=24, default="")
    route_target = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    result = fields.CharField(max_length=32, default="active")
    hangup_cause = fields.IntField(null=True)
    queue_name = fields.CharField(max_length=64, default="", db_default="")
    agent = fields.CharField(max_length=64, default="", db_default="")
    queue_seconds = fields.FloatField(null=True)
    talk_seconds = fields.FloatField(null=True)  # connected and not on hold
    hold_seconds = fields.FloatField(null=True)  # the customer held by the agent
    language = fields.CharField(max_length=8, default="", db_default="")
    customer_number = fields.CharField(max_length=32, default="", db_default="")  # CUSTID, keyed in
    # path under the data dir
    recording = fields.CharField(max_length=255, default="", db_default="")
    # the agent's log code
    classification = fields.CharField(max_length=32, default="", db_default="")
    # who called, matched by number when the call came in
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    company_id: int | None
    # the ticket an agent filed the call under (its recordings play on the ticket's page)
    ticket: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    ticket_id: int | None
    # the site of the number dialled (inbound) or shown (outbound); 0: none. An id rather
    # than a key: a deleted site's calls stay counted under it
    site_id = fields.IntField(default=0, db_default=0)
    # folded into the per-slot call figures (ehd.stats.call_feed), once it had ended
    counted = fields.BooleanField(default=False, db_default=False, db_index=True)

    class Meta:
        table = "call_records"


class HandlingEnd(StrEnum):
    HANGUP = "hangup"
    TRANSFER = "transfer"


class CallHandling(Model):
    """One agent's part of a call. A transferred call stays one CallRecord (counted once)
    with a row here per agent who handled it, in order, each naming where it went next."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, db_index=True)  # the CallRecord's call_id
    agent = fields.CharField(max_length=64)
    queue_name = fields.CharField(max_length=64, default="")
    connected_at = fields.DatetimeField()
    ended_at = fields.DatetimeField()
    talk_seconds = fields.FloatField()
    hold_seconds = fields.FloatField()
    ended_by = fields.CharEnumField(HandlingEnd, max_length=16, default=HandlingEnd.HANGUP)
    transferred_to = fields.CharField(max_length=80, default="")  # "queue:sales", "agent:bob"
    # the file of this part, if any
    recording = fields.CharField(max_length=255, default="", db_default="")

    class Meta:
        table = "call_handlings"


class MonitorMode(StrEnum):
    LISTEN = "listen"  # hears both sides, heard by nobody
    WHISPER = "whisper"  # heard by the agent only
    BARGE = "barge"  # heard by both


class CallMonitoring(Model):
    """A supervisor listening to (or whispering into, or barging into) an agent's call: who,
    whose call, how and when, for the record every contact center keeps of it."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, db_index=True)
    supervisor = fields.CharField(max_length=64)
    agent = fields.CharField(max_length=64)
    mode = fields.CharEnumField(MonitorMode, max_length=8)
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "call_monitorings"


class Calendar(Model):
    """Opening hours (see ehd.calendars). The one named default always exists."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    timezone = fields.CharField(max_length=64, default="Europe/Stockholm")
    country = fields.CharField(max_length=8, default="SE")
    holidays_closed = fields.BooleanField(default=True)
    holidays_off: list[str] = fields.JSONField(default=list)  # holiday names kept as workdays
    # [{"date", "name"}]
    own_holidays: list[dict[str, str]] = fields.JSONField(default=list, db_default=[])
    weekly: dict[str, Any] = fields.JSONField(default=dict)  # {"mon": [["08:00", "17:00"]]}

    class Meta:
        table = "calendars"


class CalendarVariation(Model):
    """An exception to a calendar's hours. Position orders them and the first match wins."""

    id = fields.IntField(primary_key=True)
    calendar: fields.ForeignKeyRelation[Calendar] = fields.ForeignKeyField(
        "models.Calendar", related_name="variations", on_delete=fields.CASCADE
    )
    calendar_id: int
    position = fields.IntField(default=0)
    name = fields.CharField(max_length=128, default="")
    open = fields.BooleanField(default=False)
    date_from = fields.DateField(null=True)
    date_to = fields.DateField(null=True)
    weekdays: list[int] = fields.JSONField(default=list)  # 0 = Monday
    time_from = fields.CharField(max_length=5, null=True)
    time_to = fields.CharField(max_length=5, null=True)
    audio = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "calendar_variations"


class IvrMenu(Model):
    """A keypad menu: a prompt, digits to destinations, retries and a fallback."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    prompt = fields.CharField(max_length=64)
    # {"1": {"kind": "queue", "target": "support"}}; kinds in ehd.callflow.menu.Kind
    options: dict[str, Any] = fields.JSONField(default=dict)
    timeout_seconds = fields.FloatField(default=6.0)
    retries = fields.IntField(default=2)
    invalid_prompt = fields.CharField(max_length=64, default="menu-invalid")
    fallback: dict[str, Any] = fields.JSONField(default=dict)  # a destination, like an option

    class Meta:
        table = "ivr_menus"


class HotPrompt(Model):
    """A temporary announcement before the greeting, for one queue or (queue None) all."""

    id = fields.IntField(primary_key=True)
    queue: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="hot_prompts", null=True, on_delete=fields.CASCADE
    )
    queue_id: int | None
    sound = fields.CharField(max_length=64)
    active = fields.BooleanField(default=True)
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    description = fields.CharField(max_length=255, default="")

    class Meta:
        table = "hot_prompts"


class Sound(Model):
    """An entry of the audio library. The file is sounds/<language>/<name>.wav in the data dir."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    language = fields.CharField(max_length=8, default="en")
    description = fields.CharField(max_length=255, default="")
    wording = fields.CharField(max_length=2000, default="")
    source = fields.CharEnumField(SoundSource, max_length=16, default=SoundSource.UPLOAD)
    created_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sounds"
        unique_together = (("name", "language"),)


class VoicemailMessage(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="voicemails", on_delete=fields.CASCADE
    )
    user_id: int
    call_id = fields.CharField(max_length=64, default="")
    caller_number = fields.CharField(max_length=64, default="")
    path = fields.CharField(max_length=255)  # under the data dir
    seconds = fields.FloatField(default=0.0)
    heard = fields.BooleanField(default=False)
    emailed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "voicemail_messages"


class SurveyProfile(Model):
    """A post-call keypad survey: intro, questions (keys on a scale), thanks."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    intro = fields.CharField(max_length=64, default="survey-intro")
    # [{"id": "csat", "prompt": "survey-question-csat", "low": 1, "high": 5}]
    questions: list[dict[str, Any]] = fields.JSONField(default=list)
    thanks = fields.CharField(max_length=64, default="survey-thanks")

    class Meta:
        table = "survey_profiles"


class SurveyAnswer(Model):
    """One keyed answer, kept even when the caller hangs up before the last question."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, db_index=True)
    profile = fields.CharField(max_length=64)
    queue_name = fields.CharField(max_length=64, default="")
    agent = fields.CharField(max_length=64, default="")
    site_id = fields.IntField(default=0, db_default=0)  # the call's
    question = fields.CharField(max_length=32)
    answer = fields.IntField()
    answered_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_answers"


class ClassificationProfile(Model):
    """Log codes agents choose from for each answered call of the queues using it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    codes: list[dict[str, str]] = fields.JSONField(default=list)  # [{"code", "label"}]

    class Meta:
        table = "classification_profiles"
