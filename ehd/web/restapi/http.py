"""HTTP for the REST API: ``/RestAPI/v1/<resource>[/<id>][/<sub-resource>[/<id>]]``.

Authentication is HTTP Basic with an admin's own credentials (401 with WWW-Authenticate
otherwise). GET reads, POST creates (201) or updates (200), DELETE deletes (204); other verbs
get 405. Query parameters are parsed by ``ehd.web.restapi.query`` before any database work.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from tortoise.models import Model
from tortoise.queryset import QuerySet

from ehd.accounts.login_guard import UserAttemptLimiter
from ehd.accounts.password_policy import Policy
from ehd.accounts.service import verify_credentials
from ehd.calendars.store import ensure_default_calendar
from ehd.db.models import Role, User
from ehd.errors import (
    AuthenticationError,
    EhdError,
    NotFoundError,
    TooManyAttemptsError,
    ValidationError,
)
from ehd.plain_numbers import row_id
from ehd.stats.call_report import call_report
from ehd.stats.call_report import parse_request as parse_call_request
from ehd.stats.call_report import report_json as call_report_json
from ehd.stats.ticket_report import parse_request as parse_ticket_request
from ehd.stats.ticket_report import report_json as ticket_report_json
from ehd.stats.ticket_report import ticket_report
from ehd.tickets.options import ticket_options
from ehd.web.client_address import client_of
from ehd.web.json_input import json_body
from ehd.web.keys import CONFIG, LOGIN_ATTEMPTS
from ehd.web.peers import live_figures
from ehd.web.restapi import computed, writes
from ehd.web.restapi.query import Op, Selection, parse
from ehd.web.restapi.resources import RESOURCES, Resource

BASE = "/RestAPI/v1"
COMPUTED = ("crm_aid", "crm_contactsearch", "crm_contactstatus", "userstats", "teamstats",
            "callstats", "ticketstats")  # fmt: skip
# The statistics views' own parameters (the pages' query, through the same doors).
CALL_STATS_PARAMETERS = ("from", "to", "granularity", "group", "queue")
TICKET_STATS_PARAMETERS = ("from", "to", "granularity", "group", "channel", "site",
                           "group_name", "agent", "template")  # fmt: skip
ORM_OPS = {Op.LT: "lt", Op.LE: "lte", Op.GE: "gte", Op.GT: "gt"}

routes = web.RouteTableDef()


class MethodNotAllowed(EhdError):
    error_id = "method-not-allowed"
    status = 405


class Unauthorised(AuthenticationError):
    """401 that tells the client to authenticate with Basic."""


class WrongPassword(Unauthorised):
    """A username and password were tried and did not fit: it counts towards the limit."""


class VerifiedCredentials:
    """Basic credentials verified in the last minute, by the SHA-256 of the header: argon2
    takes tens of milliseconds by design, which a script making many calls should not pay
    each time. A user who stops being an active admin, or whose password changed since, is
    refused at once."""

    def __init__(self, seconds: float = 60.0, capacity: int = 1000) -> None:
        self.seconds, self.capacity = seconds, capacity
        self._users: dict[str, tuple[int, str, float]] = {}  # user id, password hash, until

    def user_id(self, header: str) -> tuple[int, str] | None:
        """(user id, the password hash it was verified against), while remembered."""
        found = self._users.get(hashlib.sha256(header.encode()).hexdigest())
        return (found[0], found[1]) if found and found[2] > time.monotonic() else None

    def remember(self, header: str, user: User) -> None:
        if len(self._users) >= self.capacity:
            self._users.clear()
        digest = hashlib.sha256(header.encode()).hexdigest()
        self._users[digest] = (user.id, user.password_hash, time.monotonic() + self.seconds)


VERIFIED = web.AppKey("rest_verified_credentials", VerifiedCredentials)


async def basic_admin(request: web.Request) -> User:
    header = request.headers.get("Authorization", "")
    username, password = _basic_credentials(header)
    now, address = time.monotonic(), client_of(request)
    per_address, per_user = request.app[LOGIN_ATTEMPTS], request.app[REST_USER_ATTEMPTS]
    # The limits come before the cache of good credentials: a guess that happens to be right
    # must look like any other guess while its address or user is held back.
    wait = max(per_address.wait(address, now), per_user.wait(username, address, now))
    if wait:
        raise TooManyAttemptsError(f"too many failed tries; wait {math.ceil(wait)} seconds",
                                   retry_after=math.ceil(wait))  # fmt: skip
    verified = request.app[VERIFIED]
    known = verified.user_id(header)
    if known is not None:
        user_id, password_hash = known
        user = await User.get_or_none(id=user_id, active=True, role=Role.ADMIN)
        if user is not None and user.password_hash == password_hash:
            return user
    try:
        user = await _check_basic(username, password)
    except WrongPassword:
        per_address.failed(address, now)  # a guess; no header at all is none
        per_user.failed(username, now)
        raise
    per_user.succeeded(username, address)
    verified.remember(header, user)
    return user


REST_USER_ATTEMPTS = web.AppKey("rest_user_attempts", UserAttemptLimiter)


def _basic_credentials(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise Unauthorised("authenticate with HTTP Basic and an admin's username and password")
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as err:
        raise Unauthorised("the Basic credentials are not valid base64 of user:password") from err
    return username, password


async def _check_basic(username: str, password: str) -> User:
    user = await verify_credentials(username, password)  # never locks the account
    if user is None:
        raise WrongPassword("wrong username or password")
    if user.role != Role.ADMIN:
        raise Unauthorised("the REST API needs a user with admin access")
    return user


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def rows(resource: Resource, query: QuerySet[Any]) -> list[dict[str, Any]]:
    shown = resource.shown
    found = await query.values(*[f.path for f in shown])
    return [{f.name: _plain(row[f.path]) for f in shown} for row in found]


def select(resource: Resource, query: QuerySet[Any], selection: Selection) -> QuerySet[Any]:
    equal: dict[str, list[object]] = {}
    searched = False
    for condition in selection.conditions:
        field = resource.field(condition.field)
        limit = writes.max_length(resource.model, field.path)
        if isinstance(condition.value, str) and limit and len(condition.value) > limit:
            raise ValidationError(f"{field.name} is at most {limit} characters", field=field.name)
        if field.search is not None:
            query, searched = query.filter(field.search(condition.value)), True
        elif condition.op is Op.EQ:
            equal.setdefault(field.path, []).append(condition.value)
        else:
            query = query.filter(**{f"{field.path}__{ORM_OPS[condition.op]}": condition.value})
    for path, values in equal.items():  # one field given twice: either value
        query = query.filter(**({path: values[0]} if len(values) == 1 else {f"{path}__in": values}))
    if selection.id_in:
        query = query.filter(**{f"{resource.id_column}__in": list(selection.id_in)})
    order = f"{'-' if selection.descending else ''}{resource.id_column}"
    query = query.order_by(order).limit(selection.limit)
    return query.distinct() if searched else query


async def _item(resource: Resource, raw_id: str, within: QuerySet[Any] | None = None) -> Model:
    item_id = row_id(raw_id)
    if item_id is None:
        raise NotFoundError(f"no {resource.name} item {raw_id!r}")
    query = within if within is not None else resource.model.all()
    item = await query.get_or_none(**{resource.id_column: item_id})
    if item is None:
        raise NotFoundError(f"no {resource.name} item {raw_id}")
    return item


async def _one(resource: Resource, item: Model) -> dict[str, Any]:
    query = resource.model.filter(**{resource.id_column: getattr(item, resource.id_column)})
    return (await rows(resource, query))[0]


def _allow(request: web.Request, *methods: str) -> None:
    if request.method not in methods:
        raise MethodNotAllowed(f"{request.method} is not allowed here; use {', '.join(methods)}",
                               allow=list(methods))  # fmt: skip


def _live_figures(request: web.Request) -> dict[str, Any]:
    return live_figures(request.app)


async def _computed(request: web.Request, name: str, rest: list[str]) -> web.StreamResponse:
    _allow(request, "GET")
    if name == "crm_contactstatus":
        contact_id = row_id(rest[0]) if len(rest) == 1 else None
        if contact_id is None:
            raise NotFoundError("ask for /crm_contactstatus/<contact id>")
        parse(request.query.items(), {})
        return web.json_response(await computed.crm_contactstatus(contact_id))
    if rest:
        raise NotFoundError(f"{name} has no items")
    if name in ("callstats", "ticketstats"):
        return web.json_response(await _statistics(request, name))
    if name in ("userstats", "teamstats"):
        selection = parse(request.query.items(), computed.PERIOD_FIELDS)
        stats = computed.userstats if name == "userstats" else computed.teamstats
        return web.json_response(await stats(selection))
    own = {"crm_aid": ("aid",), "crm_contactsearch": ("q", "limit")}[name]
    unknown = [key for key in request.query if key not in own]
    if unknown:
        raise ValidationError(f"unknown parameter {unknown[0]!r}", field=unknown[0])
    if name == "crm_aid":
        return web.json_response(await computed.crm_aid(request.query))
    selection = parse([(k, v) for k, v in request.query.items() if k == "limit"], {})
    return web.json_response(await computed.crm_contactsearch(request.query, selection.limit))


async def _statistics(request: web.Request, name: str) -> dict[str, object]:
    """The call or ticket statistics view, as the page's ``format=json`` gives it."""
    allowed = CALL_STATS_PARAMETERS if name == "callstats" else TICKET_STATS_PARAMETERS
    unknown = [key for key in request.query if key not in allowed]
    if unknown:
        raise ValidationError(f"unknown parameter {unknown[0]!r}", field=unknown[0])
    query = {key: request.query[key] for key in allowed if key in request.query}
    zone = ZoneInfo((await ensure_default_calendar()).timezone)
    today = datetime.now(zone).date()
    if name == "callstats":
        return call_report_json(await call_report(parse_call_request(query, today), zone))
    return ticket_report_json(await ticket_report(parse_ticket_request(query, today)))


@routes.route("*", BASE + "/{path:.*}")
async def dispatch(request: web.Request) -> web.StreamResponse:
    me = await basic_admin(request)
    parts = request.match_info["path"].strip("/").split("/")
    name, rest = parts[0], parts[1:]
    if name in COMPUTED:
        return await _computed(request, name, rest)
    resource = RESOURCES.get(name)
    if resource is None or len(rest) > 3:
        raise NotFoundError(f"no resource {request.match_info['path']!r}")
    if not rest:
        return await _collection(request, resource, me)
    item = await _item(resource, rest[0])
    if len(rest) == 1:
        return await _single(request, resource, item, me)
    _allow(request, "GET")
    child = resource.children.get(rest[1])
    if child is None:
        raise NotFoundError(f"{resource.name} has no {rest[1]!r}")
    child_resource = RESOURCES[child.resource]
    within = child_resource.model.filter(**{child.column: item.pk})
    if len(rest) == 3:
        parse(request.query.items(), {})
        return web.json_response(await _one(child_resource, await _item(child_resource, rest[2],
                                                                         within)))  # fmt: skip
    selection = parse(
        request.query.items(), child_resource.searchable, choices=child_resource.choices
    )
    return web.json_response(await rows(child_resource, select(child_resource, within, selection)))


async def _collection(request: web.Request, resource: Resource, me: User) -> web.StreamResponse:
    writable = bool(resource.create_fields)
    _allow(request, "GET", *(["POST"] if writable else []))
    if request.method == "GET":
        selection = parse(request.query.items(), resource.searchable, choices=resource.choices)
        if selection.info_type:
            raise ValidationError("info_type is asked of one item: /<resource>/<id>",
                                  field="info_type")  # fmt: skip
        found = select(resource, resource.model.all(), selection)
        return web.json_response(await rows(resource, found))
    parse(request.query.items(), {})
    values = writes.checked_body(await json_body(request), resource.create_fields,
                                 resource.required, resource.model)  # fmt: skip
    config = request.app[CONFIG]
    policy = Policy(config.password_policy)
    item = await writes.create(
        resource, values, me.username, policy, config.admin_password_min_length
    )
    return web.json_response(await _one(resource, item), status=201)


async def _single(
    request: web.Request, resource: Resource, item: Model, me: User
) -> web.StreamResponse:
    methods = ["GET"] + (["POST"] if resource.update_fields else [])
    _allow(request, *methods, *(["DELETE"] if resource.deletable else []))
    selection = parse(request.query.items(), {}, resource.info_types)
    if request.method == "GET":
        if selection.info_type:
            answer = await computed.info(resource.name, item, selection.info_type,
                                         _live_figures(request))  # fmt: skip
            return web.json_response(answer)
        return web.json_response(await _one(resource, item))
    if request.method == "DELETE":
        await writes.delete(resource, item, me, await ticket_options(request.app[CONFIG]))
        return web.Response(status=204)
    values = writes.checked_body(await json_body(request), resource.update_fields, (),
                                 resource.model)  # fmt: skip
    options = await ticket_options(request.app[CONFIG])
    await writes.update(resource, item, values, me, options)
    return web.json_response(await _one(resource, item))
