"""Seed a demo site: queue ``support`` on DID 4600, agents alice and bob, and an admin.

Idempotent: a second run keeps what exists. Generated passwords are kept in the data folder
(``demo-credentials.json``, mode 600) so every run, and ``ehd run``'s banner, prints the same.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from ehd.accounts.passwords import hash_password
from ehd.accounts.service import create_user
from ehd.calendars.model import WEEKDAYS
from ehd.crm.directory import save_contact
from ehd.db.models import (
    Calendar,
    Company,
    Contact,
    Did,
    IvrMenu,
    PauseCode,
    Queue,
    QueueMember,
    Role,
    RouteType,
    Signature,
    Site,
    Ticket,
    TicketFilter,
    TicketTemplate,
    User,
)
from ehd.queueing.pause_codes import PauseCodeSpec
from ehd.queueing.pause_codes import replace as replace_pause_codes
from ehd.tickets.filter_store import save_filter
from ehd.tickets.service import create_ticket
from ehd.tickets.template_store import save_template

DEMO_DID = "4600"
DEMO_QUEUE = "support"
# The demo's other numbers: a menu in front of the queue, and the phone services.
DEMO_SERVICES = (
    ("4610", RouteType.IVR, "Demo menu: 1 support, 2 a message for Alice"),
    ("4690", RouteType.VOICEMAIL_ACCESS, "Listen to your voicemail"),
    ("4691", RouteType.RECORDING_SERVICE, "Record a sound for the library"),
)
ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in WEEKDAYS}
_AGENTS = (("alice", "Alice Andersson", "1001"), ("bob", "Bob Berg", "1002"))


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    sip_extension: str | None
    sip_password: str | None


@dataclass(frozen=True)
class DemoSite:
    queue: str
    did: str
    accounts: list[DemoAccount]

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def credentials_file(data_dir: Path) -> Path:
    return data_dir / "demo-credentials.json"


def load_demo_site(data_dir: Path) -> DemoSite | None:
    path = credentials_file(data_dir)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return DemoSite(data["queue"], data["did"], [DemoAccount(**a) for a in data["accounts"]])


async def seed_demo(data_dir: Path) -> DemoSite:
    known = load_demo_site(data_dir)
    passwords = {a.username: a.password for a in known.accounts} if known else {}
    queue, _ = await Queue.get_or_create(
        name=DEMO_QUEUE,
        defaults={
            "description": "Demo support queue",
            "greeting": "welcome",
            "number": DEMO_DID,
            "announce_frequency": 45.0,
            "announce_start_delay": 20.0,
            "wrapup_seconds": 5.0,
        },
    )
    # A demo answers at any hour; a real site's default calendar starts as office hours.
    await Calendar.get_or_create(
        name="default", defaults={"weekly": ROUND_THE_CLOCK, "holidays_closed": False}
    )
    did = await Did.get_or_none(number=DEMO_DID)
    if did is None:
        await Did.create(
            number=DEMO_DID,
            route_type=RouteType.QUEUE,
            queue=queue,
            description="Demo support line",
        )
    accounts = []
    wanted = [("admin", "Administrator", None, Role.ADMIN)] + [
        (username, name, ext, Role.AGENT) for username, name, ext in _AGENTS
    ]
    for username, name, extension, role in wanted:
        user = await User.get_or_none(username=username)
        password = passwords.get(username) or secrets.token_urlsafe(9)
        if user is None:
            user = await create_user(
                username, password, name=name, role=role, sip_extension=extension
            )
        elif username not in passwords:
            # The credentials file was lost: give the demo account a password we can print.
            user.password_hash = hash_password(password)
            await user.save(update_fields=["password_hash"])
        if role == Role.AGENT:
            await QueueMember.get_or_create(user=user, queue=queue, defaults={"penalty": 0})
        accounts.append(
            DemoAccount(username, password, role.value, user.sip_extension, user.sip_password)
        )
    await _seed_services()
    await _seed_pause_codes()
    await _seed_crm()
    await _seed_ticket_setup()
    site = DemoSite(DEMO_QUEUE, DEMO_DID, accounts)
    path = credentials_file(data_dir)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(site.as_json())
    return site


DEMO_PAUSE_CODES = [
    PauseCodeSpec("break", "Break"),
    PauseCodeSpec("lunch", "Lunch"),
    PauseCodeSpec("meeting", "Meeting", productive=True),
    PauseCodeSpec("briefing", "Team briefing", productive=True),
    PauseCodeSpec("training", "Training", productive=True),
    PauseCodeSpec("tickets", "Working on tickets", productive=True),
    PauseCodeSpec("mobile", "Away from the desk"),
]


async def _seed_pause_codes() -> None:
    if not await PauseCode.exists():  # an admin's own list is kept
        await replace_pause_codes(DEMO_PAUSE_CODES)


async def _seed_crm() -> None:
    """A brand, a customer company with a contact and one ticket, so the ticket and CRM
    screens, the contact form (/form/DEMO) and the REST API have something to show."""
    site, _ = await Site.get_or_create(
        code="DEMO", defaults={"description": "Demo brand", "greeting": "Contact the demo"}
    )
    company, _ = await Company.get_or_create(
        name="Example AB",
        defaults={
            "site": site,
            "org_number": "556000-0000",
            "phone_series": ["+4640*"],
        },  # fmt: skip
    )
    contact = await Contact.get_or_none(name="Erik Exempel")
    if contact is None:
        contact = await save_contact(Contact(name="Erik Exempel", company=company,
                                             emails=["erik@example.com"],
                                             phones=["+46401234567"]))  # fmt: skip
    if not await Ticket.exists():
        ticket = await create_ticket("Invoice address changed", "Please send our invoices to "
                                     "the new address.", "email", contact, [])  # fmt: skip
        await Ticket.filter(id=ticket.id).update(site=site)


async def _seed_ticket_setup() -> None:
    """A template with guidance, a filter that chooses it, and a shared signature, so those
    admin screens show a working example."""
    if not await TicketTemplate.exists(name="Invoice question"):
        await save_template("Invoice question", {
            "group": DEMO_QUEUE, "default_priority": "medium",
            "description": "Questions about invoices: amounts, addresses, due dates.",
            "steps": ["Find the invoice in the billing system", "Answer or correct it"],
            "suggested_solutions": ["We have sent you a corrected invoice."],
        })  # fmt: skip
    if not await TicketFilter.exists(name="invoices"):
        await save_filter("invoices", {
            "rules": [{"field": "subject", "words": ["invoice*", "faktura*"]}],
            "actions": [{"kind": "template", "value": "Invoice question"}], "weight": 10,
        })  # fmt: skip
    if not await Signature.exists(user_id=None, site_id=None):
        await Signature.create(text="Best regards,\nThe demo support team")


async def _seed_services() -> None:
    menu, _ = await IvrMenu.get_or_create(
        name="demo",
        defaults={
            "prompt": "demo-menu",
            "options": {
                "1": {"kind": "queue", "target": DEMO_QUEUE},
                "2": {"kind": "voicemail", "target": "alice"},
            },
            "fallback": {"kind": "queue", "target": DEMO_QUEUE},
        },
    )
    for number, route_type, description in DEMO_SERVICES:
        await Did.get_or_create(
            number=number,
            defaults={
                "route_type": route_type,
                "menu": menu if route_type == RouteType.IVR else None,
                "description": description,
            },
        )


def describe(site: DemoSite, web_url: str, sip_host: str, sip_port: int) -> str:
    lines = [f"Web:      {web_url}"]
    for account in site.accounts:
        lines.append(f"Login:    {account.username} / {account.password} ({account.role})")
    for account in site.accounts:
        if account.sip_extension:
            lines.append(
                f"SIP:      {account.sip_extension}@{sip_host}:{sip_port} "
                f"password {account.sip_password} ({account.username})"
            )
    lines.append(f"Call:     sip:{site.did}@{sip_host}:{sip_port} (queue {site.queue})")
    lines.append(f"Visitors: {web_url}/form/DEMO (contact form), {web_url}/chat/DEMO (chat)")
    for number, _, description in DEMO_SERVICES:
        lines.append(f"Call:     sip:{number}@{sip_host}:{sip_port} ({description})")
    return "\n".join(lines)
