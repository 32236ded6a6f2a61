"""Tickets: the screens, the JSON API, the customer's page, the ways tickets come in
(contact form, text messages) and the ticket admin (templates, SLA policies, filters,
mailboxes, options, signatures, shortcut menus).

``routes`` is the package's one route table, in the order the app registers it."""

from __future__ import annotations

from aiohttp.web import AbstractRouteDef

from ehd.web.tickets import (
    admin_api,
    api,
    contact_form,
    control_panel,
    customer_page,
    files,
    filters_admin,
    mailboxes_admin,
    new_ticket,
    pages,
    quarantine_admin,
    remote_images,
    shortcuts,
    signatures,
    sla_admin,
    sms_inbound,
    templates_admin,
    ticket_calls,
)

routes: list[AbstractRouteDef] = [
    *new_ticket.routes,
    *pages.routes,
    *files.routes,
    *remote_images.routes,
    *api.routes,
    *customer_page.routes,
    *shortcuts.routes,
    *mailboxes_admin.routes,
    *quarantine_admin.routes,
    *filters_admin.routes,
    *templates_admin.routes,
    *sla_admin.routes,
    *signatures.routes,
    *contact_form.routes,
    *control_panel.routes,
    *admin_api.routes,
    *sms_inbound.routes,
    *ticket_calls.routes,
]
