"""The OpenAPI 3 document of the REST API, built from the resource definitions so the two
cannot drift apart."""

from __future__ import annotations

from functools import cache
from typing import Any

from ehd.web.restapi.query import MAX_LIMIT, ORDERED, Kind
from ehd.web.restapi.resources import RESOURCES, Field, Resource
from ehd.web.restapi.writes import max_length

BASE = "/RestAPI/v1"
ERROR = {"$ref": "#/components/responses/Error"}
ERRORS = {"400": ERROR, "401": ERROR, "404": ERROR, "429": ERROR}  # 429: too many wrong passwords


def _type(kind: Kind) -> dict[str, Any]:
    if kind is Kind.TIME:
        return {"type": "string", "format": "date-time"}
    return {"type": kind.value}


def _shown_schema(field: Field) -> dict[str, Any]:
    schema = (
        {"type": "array", "items": _type(field.list_of)} if field.list_of else _type(field.kind)
    )
    return {**schema, "nullable": True} if field.nullable else schema


def _item_schema(resource: Resource) -> dict[str, Any]:
    return {"type": "object",
            "properties": {f.name: _shown_schema(f) for f in resource.shown}}  # fmt: skip


def _param(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


def _query_schema(kind: Kind) -> dict[str, Any]:
    if kind is Kind.TIME:
        return {"type": "string", "description": "YYYYMMDD or ISO 8601"}
    return _type(kind)


def _search_params(resource: Resource) -> list[dict[str, Any]]:
    params = []
    for name, kind in resource.searchable.items():
        schema = _query_schema(kind)
        if name in resource.choices:
            schema = {**schema, "enum": list(resource.choices[name])}
        params.append(_param(name, schema, f"{name} equals"))
        if kind in ORDERED:
            for op in ("lt", "le", "ge", "gt"):
                params.append(_param(f"{name}:{op}", _query_schema(kind), f"{name} {op}"))
    return params


LIST_PARAMS = [
    _param("sort", {"type": "string", "enum": ["asc", "desc"]}, "order by id"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "at most this many"),
    _param("id_in", {"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$"}, "only these ids"),
]


def _body(resource: Resource, fields: dict[str, Kind], required: tuple[str, ...]) -> dict[str, Any]:
    properties = {}
    for name, kind in fields.items():
        schema = _type(kind)
        limit = max_length(resource.model, name) if kind is Kind.TEXT else None
        if limit:
            schema["maxLength"] = limit
        properties[name] = schema
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paths_of(resource: Resource) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{resource.name}"}
    many = {"type": "array", "items": ref}
    collection: dict[str, Any] = {"get": {
        "summary": resource.summary, "operationId": f"list_{resource.name}",
        "parameters": [*_search_params(resource), *LIST_PARAMS],
        "responses": {"200": _ok(many), **ERRORS},
    }}  # fmt: skip
    if resource.create_fields:
        collection["post"] = {
            "summary": f"Create in {resource.name}", "operationId": f"create_{resource.name}",
            "requestBody": _body(resource, resource.create_fields, resource.required),
            "responses": {"201": _ok(ref, "Created"), "409": ERROR, **ERRORS},
        }  # fmt: skip
    id_param = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 0}}  # fmt: skip
    single: dict[str, Any] = {"parameters": [id_param], "get": {
        "summary": f"One of {resource.name}", "operationId": f"get_{resource.name}",
        "parameters": [_param("info_type", {"type": "string", "enum": list(resource.info_types)})]
        if resource.info_types else [],
        "responses": {"200": _ok({"type": "object"}), **ERRORS},
    }}  # fmt: skip
    if resource.update_fields:
        single["post"] = {
            "summary": f"Change one of {resource.name}", "operationId": f"update_{resource.name}",
            "requestBody": _body(resource, resource.update_fields, ()),
            "responses": {"200": _ok(ref), "409": ERROR, **ERRORS},
        }  # fmt: skip
    if resource.deletable:
        single["delete"] = {"summary": f"Delete one of {resource.name}",
                            "operationId": f"delete_{resource.name}",
                            "responses": {"204": {"description": "Deleted"}, "409": ERROR,
                                          **ERRORS}}  # fmt: skip
    paths = {f"{BASE}/{resource.name}": collection, f"{BASE}/{resource.name}/{{id}}": single}
    for child_name, child in resource.children.items():
        child_resource = RESOURCES[child.resource]
        paths[f"{BASE}/{resource.name}/{{id}}/{child_name}"] = {"get": {
            "summary": f"The {child_name} of one of {resource.name}",
            "operationId": f"list_{resource.name}_{child_name}",
            "parameters": [id_param, *_search_params(child_resource), *LIST_PARAMS],
            "responses": {"200": _ok({"type": "array", "items": {
                "$ref": f"#/components/schemas/{child_resource.name}"}}), **ERRORS},
        }}  # fmt: skip
    return paths


def _computed_paths() -> dict[str, Any]:
    day = _query_schema(Kind.TIME)
    period = [_param("day", day), _param("day:ge", day), _param("day:le", day), LIST_PARAMS[1]]
    plain = {"200": _ok({"type": "object"}), **ERRORS}
    listed = {"200": _ok({"type": "array", "items": {"type": "object"}}), **ERRORS}
    return {
        f"{BASE}/crm_aid": {"get": {"summary": "Who calls from a number", "operationId": "crm_aid",
            "parameters": [{**_param("aid", {"type": "string"}), "required": True}],
            "responses": plain}},
        f"{BASE}/crm_contactsearch": {"get": {"summary": "Find contacts by name, email or phone",
            "operationId": "crm_contactsearch",
            "parameters": [{**_param("q", {"type": "string", "minLength": 2, "maxLength": 100}),
                            "required": True}, LIST_PARAMS[1]],
            "responses": listed}},
        f"{BASE}/crm_contactstatus/{{id}}": {"get": {"summary": "A contact's tickets and calls",
            "operationId": "crm_contactstatus", "parameters": [{"name": "id", "in": "path",
            "required": True, "schema": {"type": "integer", "minimum": 0}}], "responses": plain}},
        f"{BASE}/userstats": {"get": {"summary": "Per user: calls answered, talk time, tickets "
            "solved", "operationId": "userstats",
            "parameters": [*period, _param("username", {"type": "string"})], "responses": listed}},
        f"{BASE}/teamstats": {"get": {"summary": "Per queue: calls, answered, lost, service "
            "level", "operationId": "teamstats",
            "parameters": [*period, _param("queue", {"type": "string"})], "responses": listed}},
        f"{BASE}/callstats": {"get": {"summary": "Call statistics per period (docs/statistics.md)",
            "operationId": "callstats", "parameters": [*_view_params(
                {"granularity": ["15min", "hour", "day", "week", "month"],
                 "group": ["total", "queue", "agent"]}, ("queue",))],
            "responses": plain}},
        f"{BASE}/ticketstats": {"get": {"summary": "Ticket statistics per period "
            "(docs/statistics.md)", "operationId": "ticketstats", "parameters": [*_view_params(
                {"granularity": ["day", "week", "month"],
                 "group": ["total", "channel", "site", "group", "agent", "template"]},
                ("channel", "site", "group_name", "agent", "template"))],
            "responses": plain}},
    }  # fmt: skip


def _view_params(choices: dict[str, list[str]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    """A statistics view's query: a period of days, choices, and filters by name."""
    day = {"type": "string", "format": "date"}
    return [
        _param("from", day), _param("to", day),
        *(_param(key, {"type": "string", "enum": values}) for key, values in choices.items()),
        *(_param(name, {"type": "string", "maxLength": 128}) for name in names),
    ]  # fmt: skip


@cache
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for resource in RESOURCES.values():
        paths.update(_paths_of(resource))
    paths.update(_computed_paths())
    error = {"type": "object", "properties": {"error": {"type": "string"},
             "message": {"type": "string"}, "details": {"type": "object"}}}  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "ehd REST API", "version": "1"},
        "paths": paths,
        "security": [{"basic": []}],
        "components": {
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
            "schemas": {name: _item_schema(r) for name, r in RESOURCES.items()},
            "responses": {"Error": _ok(error, "An error, with the parameter at fault")},
        },
    }
