"""The persistent model of the foundation: users, queues, DIDs, call records, web sessions.

Schema changes go through Tortoise's built-in migrations (``ehd db makemigrations``); a test
checks that the models and the migrations agree.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    READONLY = "readonly"


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


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=128, default="")
    email = fields.CharField(max_length=254, default="")
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.AGENT)
    language = fields.CharField(max_length=8, default="en")
    sip_extension = fields.CharField(max_length=32, null=True, unique=True)
    sip_password = fields.CharField(max_length=64, null=True)
    pin_hash = fields.CharField(max_length=255, default="")  # phone services (argon2)
    # Remote login: calls from these numbers (E.164) toggle the agent in and out of the
    # pre-selected queues, and calls are then delivered to remote_number.
    remote_number = fields.CharField(max_length=32, default="", db_index=True)
    alt_number = fields.CharField(max_length=32, default="", db_index=True)
    remote_queues: list[str] = fields.JSONField(default=list)  # empty: every membership
    screen_pop_url = fields.CharField(max_length=512, default="")  # wins over the queue's
    active = fields.BooleanField(default=True)
    password_changed_at = fields.DatetimeField(auto_now_add=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    alias = fields.CharField(max_length=64, default="")  # the name customers and boards see
    sites: list[str] = fields.JSONField(default=list)  # site codes the user works in
    # Restricted: tickets of other sites are hidden (tickets without a site stay visible).
    site_restricted = fields.BooleanField(default=False)
    # Single permissions on top of the role's preset (ehd.accounts.permissions)
    granted: list[str] = fields.JSONField(default=list)
    revoked: list[str] = fields.JSONField(default=list)
    menu_profile = fields.CharField(max_length=64, default="")  # a MenuProfile's name
    failed_logins = fields.IntField(default=0)  # in a row; reset by a good login
    locked_until = fields.DatetimeField(null=True)  # too many failures: no login until then
    chat_ready = fields.BooleanField(default=False)  # logged in to take chats from web pages

    class Meta:
        table = "users"


class PasswordHistory(Model):
    """Earlier password hashes of a user, so the strict policy can refuse reuse."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="password_history", on_delete=fields.CASCADE
    )
    password_hash = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "password_history"


class Queue(Model):
    """A call (or ticket) queue and its ACD settings, see ehd.acd.model.QueueConfig."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    description = fields.CharField(max_length=255, default="")
    number = fields.CharField(max_length=32, default="")  # caller ID shown to agents
    greeting = fields.CharField(max_length=64, default="welcome")
    moh_class = fields.CharField(max_length=64, default="default")
    language = fields.CharField(max_length=8, default="en")
    strategy = fields.CharField(max_length=24, default="longest_idle")
    weight = fields.IntField(default=0)
    ring_timeout = fields.FloatField(default=15.0)
    misses_before_pause = fields.IntField(default=3)
    wrapup_seconds = fields.FloatField(default=0.0)
    max_length = fields.IntField(default=0)
    join_when = fields.CharField(max_length=16, default="always")
    leave_when = fields.CharField(max_length=16, default="always")
    overflow_after = fields.FloatField(null=True)
    overflow_kind = fields.CharField(max_length=16, default="")
    overflow_target = fields.CharField(max_length=64, default="")
    max_penalty = fields.IntField(null=True)
    penalty_rules: list[dict[str, Any]] = fields.JSONField(
        default=list
    )  # [{"after": s, "max": p, "min": p}]
    exit_keys: dict[str, Any] = fields.JSONField(
        default=dict
    )  # {"0": {"kind": "queue", "target": "x"}}
    sl_goal_seconds = fields.FloatField(default=20.0)
    sl_target_percent = fields.FloatField(default=80.0)
    announce_frequency = fields.FloatField(default=0.0)
    announce_start_delay = fields.FloatField(default=0.0)
    expected_handle_seconds = fields.FloatField(default=180.0)
    # The caller's way in (ehd.calls.queue_flow): hot prompts, language, calendar, greeting,
    # menu, customer number, then the queue.
    calendar: fields.ForeignKeyNullableRelation[Calendar] = fields.ForeignKeyField(
        "models.Calendar", related_name="queues", null=True, on_delete=fields.SET_NULL
    )  # None: the default calendar
    languages: list[str] = fields.JSONField(default=list)  # several: the caller chooses
    closed_audio = fields.CharField(max_length=64, default="closed")
    closed_voicemail: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="closed_queues", null=True, on_delete=fields.SET_NULL
    )  # when closed, messages go to this user's mailbox
    menu: fields.ForeignKeyNullableRelation[IvrMenu] = fields.ForeignKeyField(
        "models.IvrMenu", related_name="queues", null=True, on_delete=fields.SET_NULL
    )
    customer_number = fields.CharField(max_length=16, default="off")  # off|optional|required
    customer_number_min = fields.IntField(default=1)
    customer_number_max = fields.IntField(default=12)
    customer_number_checksum = fields.CharField(max_length=16, default="")  # "" or "luhn"
    recording = fields.CharField(max_length=16, default="none")  # none|all|on_demand
    classification: fields.ForeignKeyNullableRelation[ClassificationProfile] = (
        fields.ForeignKeyField(
            "models.ClassificationProfile",
            related_name="queues",
            null=True,
            on_delete=fields.SET_NULL,
        )
    )  # the agent picks a code for each answered call
    screen_pop_url = fields.CharField(max_length=512, default="")  # see ehd.callflow.screen_pop
    # The callback offer ("press 1 to be called back"; the key is an exit key of kind
    # callback): after this many seconds of waiting, or at once from this queue position.
    callback_offer_after = fields.FloatField(null=True)
    callback_offer_position = fields.IntField(default=0)
    survey: fields.ForeignKeyNullableRelation[SurveyProfile] = fields.ForeignKeyField(
        "models.SurveyProfile", related_name="queues", null=True, on_delete=fields.SET_NULL
    )  # asked after the agent hangs up

    class Meta:
        table = "queues"


class QueueMember(Model):
    """An agent's membership of a queue (response group), with a penalty (skill level)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="members", on_delete=fields.CASCADE
    )
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
    device = fields.CharField(max_length=128)  # PJSIP/1001, or PJSIP/+4670…@trunk
    remote = fields.BooleanField(default=False)  # an outside number: accept by pressing 1
    queues: list[str] = fields.JSONField(default=list)  # names staffed in this login
    state = fields.CharField(max_length=16, default="ready")
    pause_reason = fields.CharField(max_length=64, default="")
    # Where the login was made: console logins end when the console is gone for a while;
    # web, mobile, remote-login and scheduled logins stay until logged out.
    source = fields.CharField(max_length=16, default="web")
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
    # A callback keeps the caller's place after they hang up: caller_id is the number to call.
    kind = fields.CharField(max_length=16, default="call")  # call | callback
    attempts = fields.IntField(default=0)

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


class Did(Model):
    """A dialled number and its route (the admin's dialplan table)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    route_type = fields.CharEnumField(RouteType, max_length=24, default=RouteType.UNUSED)
    queue: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    menu: fields.ForeignKeyNullableRelation[IvrMenu] = fields.ForeignKeyField(
        "models.IvrMenu", related_name="dids", null=True, on_delete=fields.SET_NULL
    )
    ring_seconds = fields.IntField(default=30)
    priority = fields.IntField(default=0)  # caller priority in the queue (e.g. a VIP line)
    description = fields.CharField(max_length=255, default="")

    class Meta:
        table = "dids"


class CallRecord(Model):
    """One inbound call, from Stasis start to hangup."""

    id = fields.IntField(primary_key=True)
    call_id = fields.CharField(max_length=64, unique=True)
    did = fields.CharField(max_length=32, default="")
    caller_number = fields.CharField(max_length=64, default="")
    caller_name = fields.CharField(max_length=128, default="")
    route_type = fields.CharField(max_length=24, default="")
    route_target = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    answered_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    result = fields.CharField(max_length=32, default="active")
    hangup_cause = fields.IntField(null=True)
    queue_name = fields.CharField(max_length=64, default="")
    agent = fields.CharField(max_length=64, default="")
    queue_seconds = fields.FloatField(null=True)
    talk_seconds = fields.FloatField(null=True)
    language = fields.CharField(max_length=8, default="")
    customer_number = fields.CharField(max_length=32, default="")  # CUSTID, keyed in
    recording = fields.CharField(max_length=255, default="")  # path under the data dir
    classification = fields.CharField(max_length=32, default="")  # the agent's log code
    # who called, matched by number when the call came in
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="calls", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "call_records"


class WebSession(Model):
    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "web_sessions"


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


class Calendar(Model):
    """Opening hours (see ehd.calendars). The one named default always exists."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    timezone = fields.CharField(max_length=64, default="Europe/Stockholm")
    country = fields.CharField(max_length=8, default="SE")
    holidays_closed = fields.BooleanField(default=True)
    holidays_off: list[str] = fields.JSONField(default=list)  # holiday names kept as workdays
    own_holidays: list[dict[str, str]] = fields.JSONField(default=list)  # [{"date", "name"}]
    weekly: dict[str, Any] = fields.JSONField(default=dict)  # {"mon": [["08:00", "17:00"]]}

    class Meta:
        table = "calendars"


class CalendarVariation(Model):
    """An exception to a calendar's hours. Position orders them and the first match wins."""

    id = fields.IntField(primary_key=True)
    calendar: fields.ForeignKeyRelation[Calendar] = fields.ForeignKeyField(
        "models.Calendar", related_name="variations", on_delete=fields.CASCADE
    )
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
    source = fields.CharField(max_length=16, default="upload")  # upload|phone
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
    question = fields.CharField(max_length=32)
    answer = fields.IntField()
    answered_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_answers"


class AgentSchedule(Model):
    """A planned login: the scheduler logs the agent in at starts_at and out at ends_at."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="schedules", on_delete=fields.CASCADE
    )
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField(db_index=True)
    number = fields.CharField(max_length=32, default="")  # empty: the agent's SIP phone
    queues: list[str] = fields.JSONField(default=list)  # empty: every membership
    state = fields.CharField(max_length=16, default="planned")  # planned|active|done|failed
    created_by = fields.CharField(max_length=64, default="")

    class Meta:
        table = "agent_schedules"


class ClassificationProfile(Model):
    """Log codes agents choose from for each answered call of the queues using it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    codes: list[dict[str, str]] = fields.JSONField(default=list)  # [{"code", "label"}]

    class Meta:
        table = "classification_profiles"


# --- tickets and CRM ----------------------------------------------------------------------
class Site(Model):
    """A brand: its own sender address, greeting and agent instruction."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=8, unique=True)
    description = fields.CharField(max_length=255, default="")
    agent_instruction = fields.CharField(max_length=2000, default="")
    email_sender = fields.CharField(max_length=254, default="")
    greeting = fields.CharField(max_length=64, default="")
    # Origins (https://www.example.com) whose pages may embed the site's contact form
    embed_origins: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "sites"


class Company(Model):
    id = fields.IntField(primary_key=True)
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="companies", null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=255)
    org_number = fields.CharField(max_length=32, default="")
    address = fields.CharField(max_length=512, default="")
    # E.164 numbers, or prefixes ending with *, that identify callers as this company
    phone_series: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "companies"


class Contact(Model):
    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="contacts", null=True, on_delete=fields.SET_NULL
    )
    name = fields.CharField(max_length=255, default="")
    emails: list[str] = fields.JSONField(default=list)  # lower case
    phones: list[str] = fields.JSONField(default=list)  # E.164

    class Meta:
        table = "contacts"


class ContactPoint(Model):
    """An index of contacts by phone (E.164) and email (lower case), kept with each contact so
    a caller or sender is found by one indexed lookup."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="points", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=8)  # phone or email
    value = fields.CharField(max_length=254)

    class Meta:
        table = "contact_points"
        unique_together = (("kind", "value", "contact"),)
        indexes = (("kind", "value"),)


class TicketTemplate(Model):
    """Defaults and guidance for a kind of ticket, and the rules that choose it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128, unique=True)
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="templates", null=True, on_delete=fields.SET_NULL
    )
    group: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="templates", null=True, on_delete=fields.SET_NULL
    )
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
    default_status = fields.CharField(max_length=16, default="new")
    default_priority = fields.CharField(max_length=8, default="medium")
    match_rules: dict[str, Any] = fields.JSONField(default=dict)  # a filter definition

    class Meta:
        table = "ticket_templates"


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    number = fields.IntField(unique=True)
    subject = fields.CharField(max_length=512, default="")
    status = fields.CharField(max_length=16, default="new", db_index=True)
    priority = fields.CharField(max_length=8, default="medium")
    resting_until = fields.DatetimeField(null=True)
    template: fields.ForeignKeyNullableRelation[TicketTemplate] = fields.ForeignKeyField(
        "models.TicketTemplate", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    ticket_type = fields.CharField(max_length=64, default="")
    itil_process = fields.CharField(max_length=32, default="")
    group: fields.ForeignKeyNullableRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )  # the response group
    agent: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    locked = fields.BooleanField(default=False)  # picked as own: only the agent works on it
    held = fields.BooleanField(default=False)  # from a review mailbox: not yet accepted
    master: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    company: fields.ForeignKeyNullableRelation[Company] = fields.ForeignKeyField(
        "models.Company", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    description = fields.CharField(max_length=8000, default="")
    cc: list[str] = fields.JSONField(default=list)
    bcc: list[str] = fields.JSONField(default=list)
    custom_fields: dict[str, Any] = fields.JSONField(default=dict)
    source = fields.CharField(max_length=16, default="manual")  # manual|email|form|sms|phone|…
    watchers: list[int] = fields.JSONField(default=list)  # user ids
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tickets"


class TicketEntry(Model):
    """The ticket's log: solutions, actions, notes, and mail in and out."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="entries", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)  # solution|action|note|mail_in|mail_out|customer
    public = fields.BooleanField(default=False)  # shown on the customer's ticket link
    author = fields.CharField(max_length=254, default="")
    text = fields.TextField()
    html = fields.TextField(null=True)  # sanitised
    message_id = fields.CharField(max_length=255, default="", db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket_entries"


class ChatSession(Model):
    """A live chat from a site's web page. Its messages are public entries of its ticket, so
    the conversation stays in the customer's history when the chat ends. The token in the
    visitor's address is the only key to the visitor's side."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="chats", on_delete=fields.CASCADE
    )
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="chats", null=True, on_delete=fields.SET_NULL
    )
    visitor_name = fields.CharField(max_length=128, default="")
    visitor_email = fields.CharField(max_length=254, default="")
    state = fields.CharField(max_length=16, default="waiting", db_index=True)  # or active, ended
    agent: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="chats", null=True, on_delete=fields.SET_NULL
    )
    started_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    visitor_seen_at = fields.DatetimeField(null=True)  # the visitor's page last asked for news

    class Meta:
        table = "chat_sessions"


class TicketAttachment(Model):
    """A file on a ticket. The bytes are stored once, by their SHA-256."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="attachments", on_delete=fields.CASCADE
    )
    entry: fields.ForeignKeyNullableRelation[TicketEntry] = fields.ForeignKeyField(
        "models.TicketEntry", related_name="attachments", null=True, on_delete=fields.SET_NULL
    )
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=128)
    sha256 = fields.CharField(max_length=64, db_index=True)
    size = fields.IntField()

    class Meta:
        table = "ticket_attachments"


class TicketChange(Model):
    """Who changed which field of a ticket, from what to what, and when."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="changes", on_delete=fields.CASCADE
    )
    who = fields.CharField(max_length=254)
    field = fields.CharField(max_length=64)
    old = fields.CharField(max_length=1000, default="")
    new = fields.CharField(max_length=1000, default="")
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "ticket_changes"


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
    host = fields.CharField(max_length=255)
    port = fields.IntField(default=993)
    security = fields.CharField(max_length=8, default="tls")  # tls | none
    username = fields.CharField(max_length=255)
    password = fields.CharField(max_length=255)
    folder = fields.CharField(max_length=255, default="INBOX")
    after_import = fields.CharField(max_length=8, default="delete")  # delete | flag
    creation = fields.CharField(max_length=8, default="auto")  # auto | review
    uidvalidity = fields.BigIntField(default=0)
    last_uid = fields.BigIntField(default=0)
    active = fields.BooleanField(default=True)
    last_error = fields.CharField(max_length=512, default="")

    class Meta:
        table = "mailboxes"


class Signature(Model):
    """Text under outgoing mail. The most specific one wins: the user's own for the ticket's
    site, then the user's, then the site's, then the global one."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="signatures", null=True, on_delete=fields.CASCADE
    )
    site: fields.ForeignKeyNullableRelation[Site] = fields.ForeignKeyField(
        "models.Site", related_name="signatures", null=True, on_delete=fields.CASCADE
    )
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
    times_used = fields.IntField(default=0)

    class Meta:
        table = "knowledge_articles"


class SavedSearch(Model):
    """A ticket overview's filters under a name, run as /tickets?g_exe=NAME: the owner's own,
    or shared with everyone (owner empty)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="saved_searches", null=True, on_delete=fields.CASCADE
    )
    query = fields.CharField(max_length=2000)  # the overview's query string
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "saved_searches"
        unique_together = (("name", "owner"),)


class MenuProfile(Model):
    """A shortcut menu: links shown to a user, to the members of some teams, or to everyone
    when it is the standard profile."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    items: list[dict[str, str]] = fields.JSONField(default=list)  # [{"label", "url"}]
    teams: list[str] = fields.JSONField(default=list)  # queue (team) names
    standard = fields.BooleanField(default=False)

    class Meta:
        table = "menu_profiles"


class TicketSettings(Model):
    """The control panel's ticket options, one row. Until first saved, the configuration
    file's ticket_* settings apply."""

    id = fields.IntField(primary_key=True)
    assign_required = fields.BooleanField(default=False)  # a ticket must have an agent
    auto_assign = fields.BooleanField(default=False)  # opening a new ticket makes it yours
    allow_delete = fields.BooleanField(default=False)  # dispatchers may delete tickets
    required_fields: list[str] = fields.JSONField(default=list)  # before solving or closing
    hidden_fields: list[str] = fields.JSONField(default=list)

    class Meta:
        table = "ticket_settings"
