"""Ticket and CRM screens over a real database and a real SMTP sink: the overview's filters
and grouping, the dispatcher's mass edit, replies with a status, notes whose @mentions mail
the colleague, merging, and sites an agent may not see."""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.asterisk.instance import free_ports
from ehd.config import Config
from ehd.crm.directory import save_contact
from ehd.db.models import (
    CallRecord,
    Contact,
    Queue,
    Role,
    Site,
    Ticket,
    TicketAttachment,
    TicketEntry,
    User,
)
from ehd.platform import create_platform_app
from ehd.tickets.file_store import Upload, attach_files
from ehd.tickets.search import matching
from ehd.tickets.service import create_ticket, ingest_mail
from ehd.web.tickets.remote_images import (
    ALLOWED_ADDRESSES,
    CheckedResolver,
    RefusedAddress,
    fetch_image,
    public_only,
)
from tests.harness.mail_sink import MailSink, mail_sink
from tests.harness.web_client import csrf_token, log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[Client, MailSink]]:
    with mail_sink() as sink:
        config = Config(data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=sink.port,
                        mail_from="support@ehd.example")  # fmt: skip
        app = create_platform_app(config, telephony=False)
        jar = aiohttp.CookieJar(unsafe=True)
        async with TestClient(TestServer(app), cookie_jar=jar) as client:
            await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
            await create_user("bob", "bob-pass", role=Role.AGENT, email="bob@ehd.example")
            await log_in(client, "boss", "boss-pass")
            yield client, sink


async def post(client: Client, path: str, page: str, data: dict[str, str]) -> str:
    token = csrf_token(await (await client.get(page)).text())
    response = await client.post(path, data={"csrf_token": token, **data})
    assert response.status == 200, await response.text()
    return await response.text()


async def test_overview_filters_groups_and_mass_edit(web: tuple[Client, MailSink]) -> None:
    client, _ = web
    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    for n, source in enumerate(["email", "sms", "email"]):
        await create_ticket(f"Problem {n}", "", source, anna, [])
    page = await (await client.get("/tickets?source=sms")).text()
    assert "Problem 1" in page and "Problem 0" not in page
    page = await (await client.get("/tickets?group=source&col=number&col=subject")).text()
    assert "Channel: email" in page and "Channel: sms" in page
    assert ">Subject</a></th>" in page and ">Changed" not in page

    numbers = [str(t.number) for t in await Ticket.all().order_by("number")]
    token = csrf_token(await (await client.get("/tickets")).text())
    chosen = [("number", n) for n in numbers[:2]]
    data = aiohttp.FormData([("csrf_token", token), ("action", "assign"), ("agent", "bob"),
                             ("back", "/tickets"), *chosen])  # fmt: skip
    response = await client.post("/tickets/mass", data=data)
    assert "2 changed" in await response.text()
    tickets = await Ticket.all().order_by("number").prefetch_related("agent")
    assert [t.agent.username if t.agent else None for t in tickets] == ["bob", "bob", None]
    data = aiohttp.FormData([("csrf_token", token), ("action", "close"), ("back", "/tickets"),
                             ("number", numbers[0])])  # fmt: skip
    page = await (await client.post("/tickets/mass", data=data)).text()
    assert "1 changed" in page and "Problem 0" not in page  # closed tickets leave the list


async def test_reply_note_with_mention_and_merge(web: tuple[Client, MailSink]) -> None:
    client, sink = web
    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    first = await create_ticket("Printer", "It jams", "email", anna, [])
    second = await create_ticket("Printer again", "", "email", anna, [])
    await TicketEntry.create(ticket=second, kind="mail_in", text="The toner smells of almonds")
    page_path = f"/tickets/{first.number}"
    page = await post(client, f"{page_path}/reply", page_path,
                      {"text": "Try new paper", "status": "with_contact"})  # fmt: skip
    assert "Reply sent." in page
    reply = await sink.wait_for("anna@example.com")
    assert "Try new paper" in reply.get_content() and str(first.number) in str(reply["Subject"])
    assert (await Ticket.get(id=first.id)).status == "with_contact"

    page = await post(client, f"{page_path}/note", page_path,
                      {"text": "@bob can you call her? Not @nobody."})  # fmt: skip
    assert "@bob told" in page and "internal" in page
    mention = await sink.wait_for("bob@ehd.example")
    assert "can you call her" in mention.get_content()
    assert await TicketEntry.filter(ticket=first, kind="note", public=False).count() == 1

    page = await post(client, f"/tickets/{second.number}/merge", f"/tickets/{second.number}",
                      {"into": str(first.number)})  # fmt: skip
    assert f"Ticket {second.number} merged here." in page
    merged = await Ticket.get(id=second.id)
    assert merged.status == "closed" and merged.master_id == first.id
    assert await matching("almonds") == [first.id]  # a moved entry is found where it went


async def test_agents_restricted_to_their_sites_cannot_reach_other_sites_tickets(
    web: tuple[Client, MailSink],
) -> None:
    client, _ = web
    north, south = await Site.create(code="NORTH"), await Site.create(code="SOUTH")
    own = await create_ticket("North matter", "", "email", None, [])
    other = await create_ticket("South matter", "", "email", None, [])
    await Ticket.filter(id=own.id).update(site=north)
    await Ticket.filter(id=other.id).update(site=south)
    await User.filter(username="bob").update(sites=["NORTH"], site_restricted=True)
    await client.post(
        "/logout", data={"csrf_token": csrf_token(await (await client.get("/")).text())}
    )
    await log_in(client, "bob", "bob-pass")
    page = await (await client.get("/tickets")).text()
    assert "North matter" in page and "South matter" not in page
    assert (await client.get(f"/tickets/{other.number}")).status == 404
    assert (await client.get(f"/api/tickets/{other.number}")).status == 404
    assert (await client.get(f"/tickets/{own.number}")).status == 200
    response = await client.get("/tickets/mass")
    assert response.status in (404, 405)


async def test_crm_pages_show_tickets_and_calls(web: tuple[Client, MailSink]) -> None:
    client, _ = web
    response = await client.post("/api/companies", json={"name": "Acme <b>AB</b>"})
    company = await response.json()
    anna = await save_contact(
        Contact(name="Anna", emails=["anna@example.com"], company_id=company["id"])
    )
    await create_ticket("Invoice", "", "email", anna, [])
    page = await (await client.get(f"/crm/contacts/{anna.id}")).text()
    assert "Invoice" in page and "Acme &lt;b&gt;AB&lt;/b&gt;" in page  # escaped
    page = await (await client.get("/crm/contacts?q=anna@")).text()
    assert f"/crm/contacts/{anna.id}" in page
    assert (await client.get("/crm/contacts/99999")).status == 404


async def test_statistics_for_supervisors_with_a_csv_download(
    web: tuple[Client, MailSink],
) -> None:
    client, _ = web
    await Queue.create(name="support")
    when = datetime(2026, 11, 3, 9, tzinfo=UTC)
    await CallRecord.create(call_id="x1", queue_name="support", result="answered", agent="bob",
                            queue_seconds=5, started_at=when)  # fmt: skip
    page = await (await client.get("/statistics?from=2026-11-01&to=2026-11-30")).text()
    assert "<td>support</td><td>1</td><td>1</td>" in page
    response = await client.get("/statistics?from=2026-11-01&to=2026-11-30&format=csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "support,1,1,0,0,100.0,5.0," in await response.text()
    assert (await client.get("/statistics?from=yesterday")).status == 400
    assert (await client.get("/statistics?from=2020-01-01&to=2026-01-01")).status == 400


async def test_the_ticket_page_fetches_no_remote_image_of_a_stored_mail(
    web: tuple[Client, MailSink],
) -> None:
    """Mail stored before remote images were blocked still carries them; the page shows the
    mail without them, so opening a ticket tells no sender that it was read."""
    from ehd.db.models import TicketEntry
    from ehd.tickets.service import create_ticket

    client, _ = web
    ticket = await create_ticket("Newsletter", "", "email", None, [])
    tracked = '<p>Hi<img src="https://tracker.example/p.gif" alt="x"></p>'
    await TicketEntry.create(ticket=ticket, kind="mail_in", public=True, text="Hi", html=tracked)
    page = await (await client.get(f"/tickets/{ticket.number}")).text()
    assert "Hi" in page and "tracker.example" not in page


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082"
)
INLINE_IMAGE_MAIL = (
    b"From: Anna <anna@example.com>\r\nSubject: Broken part\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=M\r\n\r\n--M\r\n"
    b"Content-Type: multipart/related; boundary=R\r\n\r\n--R\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b'<p>See the photo:<img src="cid:photo1@example.com" alt="photo">'
    b'<img src="cid:missing@example.com" alt="gone"></p>\r\n'
    b"--R\r\nContent-Type: image/png\r\nContent-ID: <photo1@example.com>\r\n"
    b"Content-Disposition: inline; filename=photo.png\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PNG) + b"--R--\r\n"
    b"--M\r\nContent-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=logo.svg"
    b"\r\n\r\n<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>\r\n"
    b"--M--\r\n"
)


async def test_inline_images_and_files_are_served_through_the_app_within_the_site_walls(
    web: tuple[Client, MailSink], tmp_path: Path
) -> None:
    """Inline (cid:) images were dropped and files could not be opened at all. Now the image
    shows in the mail, each file opens from the ticket, an SVG only as a download, and an
    agent who may not see the ticket gets none of it."""
    client, _ = web
    store = Config(data_dir=tmp_path).paths.mail
    result = await ingest_mail(INLINE_IMAGE_MAIL, b"k" * 32, store)
    photo = await TicketAttachment.get(filename="photo.png")
    logo = await TicketAttachment.get(filename="logo.svg")
    assert photo.content_id == "photo1@example.com"
    page = await (await client.get(f"/tickets/{result.ticket_number}")).text()
    image_url = f"/tickets/{result.ticket_number}/files/{photo.id}"
    assert f'src="{image_url}"' in page and 'alt="photo"' in page
    assert "cid:" not in page and 'alt="gone"' in page  # an unknown part: no source
    assert f'href="/tickets/{result.ticket_number}/files/{logo.id}"' in page
    image = await client.get(image_url)
    assert image.content_type == "image/png" and await image.read() == PNG
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    svg = await client.get(f"/tickets/{result.ticket_number}/files/{logo.id}")
    assert svg.content_type == "application/octet-stream"
    assert svg.headers["Content-Disposition"].startswith("attachment;")
    other = await create_ticket("Other", "", "email", None, [])
    assert (await client.get(f"/tickets/{other.number}/files/{photo.id}")).status == 404
    assert (await client.get(f"/tickets/{result.ticket_number}/files/²")).status == 404

    await Site.create(code="NORTH")
    south = await Site.create(code="SOUTH")
    await Ticket.filter(number=result.ticket_number).update(site=south)
    await User.filter(username="bob").update(sites=["NORTH"], site_restricted=True)
    await client.post(
        "/logout", data={"csrf_token": csrf_token(await (await client.get("/")).text())}
    )
    await log_in(client, "bob", "bob-pass")
    assert (await client.get(image_url)).status == 404  # another site's ticket


async def test_remote_images_load_only_on_request_and_only_through_the_proxy(
    tmp_path: Path,
) -> None:
    """Remote images were dropped for good, so a mail that is mostly images could not be read.
    Now "show images" on one message fetches them through ehd (the sender never sees the
    agent's address or cookies), only for what that message showed, never from inside."""
    seen: list[aiohttp.web.Request] = []

    async def image_server(request: aiohttp.web.Request) -> aiohttp.web.StreamResponse:
        seen.append(request)
        if request.path == "/logo.png":
            return aiohttp.web.Response(body=PNG, content_type="image/png")
        if request.path == "/moved":
            raise aiohttp.web.HTTPFound("/logo.png")
        return aiohttp.web.Response(text="<script>x</script>", content_type="text/html")

    remote = aiohttp.web.Application()
    remote.router.add_get("/{name}", image_server)
    runner = aiohttp.web.AppRunner(remote)
    await runner.setup()
    (port,) = free_ports(1)
    await aiohttp.web.TCPSite(runner, "0.0.0.0", port).start()
    config = Config(data_dir=tmp_path)
    app = create_platform_app(config, telephony=False)
    app[ALLOWED_ADDRESSES] = lambda address: str(address) == "127.0.0.1"  # "the internet"
    try:
        async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
            await log_in(client, "boss", "boss-pass")
            base = f"http://127.0.0.1:{port}"
            body = (f'<p>Offer<img src="{base}/logo.png" alt="logo">'
                    f'<img src="{base}/page" alt="page"><img src="{base}/moved" alt="moved">'
                    f'<img src="http://127.0.0.2:{port}/logo.png" alt="inside"></p>')  # fmt: skip
            mail = ("From: shop@example.com\r\nSubject: Offer\r\nContent-Type: text/html\r\n\r\n"
                    + body).encode()  # fmt: skip
            result = await ingest_mail(mail, b"k" * 32, config.paths.mail)
            entry = await TicketEntry.get(ticket__number=result.ticket_number)
            page = await (await client.get(f"/tickets/{result.ticket_number}")).text()
            assert f":{port}" not in page and f"?images={entry.id}" in page and not seen

            shown = await (await client.get(f"/tickets/{result.ticket_number}?images={entry.id}"))\
                .text()  # fmt: skip
            sources = re.findall(r'src="(/tickets/[^"]+)"', shown)
            assert len(sources) == 4 and 'src="http' not in shown  # all through the proxy
            logo, page_url, moved, inside = (html.unescape(s) for s in sources)
            image = await client.get(logo)
            assert image.status == 200 and await image.read() == PNG
            assert image.content_type == "image/png"
            assert len(seen) == 1 and "Cookie" not in seen[0].headers
            assert "Referer" not in seen[0].headers
            assert (await client.get(page_url)).status == 502  # not an image
            assert (await client.get(moved)).status == 502  # no redirects followed
            assert (await client.get(inside)).status == 502  # not a public address
            assert [r.path for r in seen] == ["/logo.png", "/page", "/moved"]
            forged = logo.replace("logo.png", "page")
            assert (await client.get(forged)).status == 404  # only what the message showed
    finally:
        await runner.cleanup()


async def test_the_proxy_refuses_names_that_resolve_inside() -> None:
    with pytest.raises(RefusedAddress):
        await CheckedResolver(public_only).resolve("localhost", 80)
    with pytest.raises(RefusedAddress):
        await fetch_image("http://10.0.0.1/x.png", public_only)


async def test_a_reply_in_rich_text_with_copies_and_files_and_a_note_with_a_file(
    web: tuple[Client, MailSink],
) -> None:
    """The composer's form: rich text sent as HTML beside plain text (script removed), the
    copies, the blind copy on the envelope only, the files in the mail and on the ticket; a
    bad address or a file over 10 MB sends nothing and says why."""
    client, sink = web
    anna = await Contact.create(name="Anna", emails=["anna@example.com"])
    ticket = await create_ticket("Router", "", "email", anna, [])
    page_path = f"/tickets/{ticket.number}"

    async def send(fields: list[tuple[str, str]], files: list[tuple[str, bytes]]) -> str:
        token = csrf_token(await (await client.get(page_path)).text())
        form = aiohttp.FormData([("csrf_token", token), *fields])
        for name, data in files:
            form.add_field("file", io.BytesIO(data), filename=name, content_type="application/pdf")
        response = await client.post(f"{page_path}/reply", data=form)
        assert response.status == 200
        return await response.text()

    page = await send([("cc", "x@example, it@example.com"), ("html", "<div>Hi</div>")], [])
    assert "x@example is not an email address" in html.unescape(page)
    page = await send([("html", "<div>Hi</div>")], [("big.pdf", b"x" * (10 * 1024 * 1024 + 1))])
    assert "big.pdf is over 10 MB" in page
    assert sink.messages == [] and await TicketEntry.filter(kind="mail_out").count() == 0

    markup = ('<div>Restart it <strong>twice</strong>.<script>alert(1)</script></div>'
              '<ul><li>off</li><li>on</li></ul>')  # fmt: skip
    page = await send(
        [
            ("html", markup),
            ("cc", "it@example.com; boss@example.com"),
            ("bcc", "audit@ehd.example"),
        ],
        [("steps.pdf", b"%PDF-1.4 steps")],
    )
    assert "Reply sent." in page
    mail = await sink.wait_for("anna@example.com")
    assert mail["Cc"] == "it@example.com, boss@example.com" and mail["Bcc"] is None
    assert "audit@ehd.example" in sink.envelope_of(mail)
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content().replace("\r\n", "\n").startswith("Restart it twice.\n- off\n- on")
    assert "<strong>twice</strong>" in rich.get_content() and "<script" not in rich.get_content()
    assert [(p.get_filename(), p.get_content()) for p in mail.iter_attachments()] == [
        ("steps.pdf", b"%PDF-1.4 steps")
    ]
    entry = await TicketEntry.get(ticket=ticket, kind="mail_out")
    assert entry.html is not None and "<script" not in entry.html
    attachment = await TicketAttachment.get(entry=entry)
    served = await client.get(f"{page_path}/files/{attachment.id}")
    assert await served.read() == b"%PDF-1.4 steps"
    assert served.headers["Content-Disposition"].startswith("attachment;")

    token = csrf_token(await (await client.get(page_path)).text())
    form = aiohttp.FormData([("csrf_token", token), ("text", "Log attached")])
    form.add_field("file", io.BytesIO(b"line 1\n"), filename="router.log", content_type="bogus")
    page = await (await client.post(f"{page_path}/note", data=form)).text()
    assert "Note saved." in page and "router.log" in page
    log_file = await TicketAttachment.get(filename="router.log")
    assert log_file.content_type == "application/octet-stream" and log_file.size == 7  # no type


async def test_files_are_previewed_in_a_page_as_text_or_image_never_as_markup(
    web: tuple[Client, MailSink], tmp_path: Path
) -> None:
    client, _ = web
    ticket = await create_ticket("Files", "", "manual", None, [])
    store = Config(data_dir=tmp_path).paths.mail
    entry = await TicketEntry.create(ticket=ticket, kind="note", text="files")
    files = [
        Upload("trace.log", "text/plain", b"line <1>\n" * 30000),
        Upload("page.html", "text/html", b"<script>alert(1)</script><b>hi</b>"),
        Upload("photo.png", "image/png", PNG),
        Upload("scan.pdf", "application/pdf", b"%PDF"),
        Upload("backup.zip", "application/zip", b"PK\x03\x04"),
    ]
    log, page_file, photo, pdf, archive = await attach_files(ticket, entry, files, store)
    base = f"/tickets/{ticket.number}/files"
    page = await (await client.get(f"/tickets/{ticket.number}")).text()
    assert (
        f'href="{base}/{log.id}/preview"' in page and '<span class="file-kind">LOG</span>' in page
    )
    shown = await (await client.get(f"{base}/{log.id}/preview")).text()
    text = shown.split('id="preview-text">')[1].split("</pre>")[0]
    assert text.startswith("line &lt;1&gt;\n") and len(html.unescape(text)) == 200 * 1024
    assert "Only the beginning is shown" in shown  # 270 kB: the first 200 kB
    shown = await (await client.get(f"{base}/{page_file.id}/preview")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert" not in shown
    shown = await (await client.get(f"{base}/{photo.id}/preview")).text()
    assert f'<img class="preview-image" src="{base}/{photo.id}"' in shown
    shown = await (await client.get(f"{base}/{pdf.id}/preview")).text()
    assert f'data-src="{base}/{pdf.id}"' in shown and "/static/file_preview.js" in shown
    assert f'href="{base}/{pdf.id}" download' in shown  # drawn by pdf.js; downloadable too
    shown = await (await client.get(f"{base}/{archive.id}/preview")).text()
    assert "is not shown here" in shown and f'href="{base}/{archive.id}" download' in shown
    assert (await client.get(f"{base}/99999/preview")).status == 404
