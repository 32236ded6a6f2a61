"""The door for customers' text messages: the SMS gateway posts each one here.

The gateway proves itself with the shared token from the configuration; without a configured
token the door does not exist (404), so an unset secret can never be guessed.
"""

from __future__ import annotations

import hmac

from aiohttp import web

from ehd.errors import AuthenticationError, NotFoundError, ValidationError
from ehd.tickets.texts import ingest_text
from ehd.web.json_input import json_body
from ehd.web.keys import CONFIG, TICKET_MAIL

routes = web.RouteTableDef()


@routes.post("/api/sms/inbound")
async def text_in(request: web.Request) -> web.StreamResponse:
    """{"from": "+46701234567", "text": "..."} -> 201 {"ticket", "new"}."""
    token = request.app[CONFIG].sms_inbound_token
    if not token:
        raise NotFoundError("no text messages are received here")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise AuthenticationError("the gateway's token is missing or wrong")
    body = await json_body(request)
    sender, text = body.get("from"), body.get("text")
    if not isinstance(sender, str) or not isinstance(text, str):
        raise ValidationError('send {"from": number, "text": message} as strings', field="from")
    result = await ingest_text(sender, text)
    await request.app[TICKET_MAIL].after_ingest(result)
    return web.json_response({"ticket": result.ticket_number, "new": result.new}, status=201)
