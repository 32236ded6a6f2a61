"""The helpdesk's files and composer in headless Chromium, against the running ehd and a real
SMTP sink: a customer's mail with a PDF and an image arrives at the forwarding address, the
agent finds it by the customer's name, opens the image, sees the PDF's page drawn in a page and
downloads it (the same bytes),
and answers in rich text with a copy, a blind copy and a file; the customer's mail server
receives HTML and plain text, the file, the copy, and the blind copy only on the envelope."""

from __future__ import annotations

import re
import struct
import zlib
from email.message import EmailMessage

import aiosmtplib
import pytest
from playwright.async_api import FilePayload, expect

from tests.harness.api import Api
from tests.harness.browser import headless_chromium, log_in
from tests.harness.ehd_process import EhdProcess
from tests.harness.mail_sink import MailSink

pytestmark = pytest.mark.asterisk

DRAWING = b"1 0 0 rg 50 50 100 100 re f"  # a red square in the middle of a 200 x 200 page
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]"
       b"/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>"
       b"endobj 4 0 obj<</Length " + str(len(DRAWING)).encode() + b">>stream\n" + DRAWING
       + b"\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")  # fmt: skip
# The colour at a canvas's middle and near its corner.
MIDDLE_AND_CORNER = """(canvas) => {
    const drawn = canvas.getContext("2d");
    const at = (x, y) => Array.from(drawn.getImageData(x, y, 1, 1).data.slice(0, 3));
    return [at(canvas.width / 2, canvas.height / 2), at(3, 3)];
}"""


def png(width: int, height: int) -> bytes:
    """A small red image, written out as PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))  # fmt: skip


async def test_files_in_and_a_rich_reply_with_a_copy_and_a_file_out(
    ehd_server: EhdProcess, mail_server: MailSink
) -> None:
    image = png(40, 30)
    mail = EmailMessage()
    mail["From"] = "Petra Holm <petra@example.com>"
    mail["To"] = "support@ehd.example"
    mail["Subject"] = "Scanner prints stripes"
    mail.set_content("The scan and a photo of the stripes are attached.")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="scan.pdf")
    mail.add_attachment(image, maintype="image", subtype="png", filename="stripes.png")
    await aiosmtplib.send(mail, hostname="127.0.0.1",
                          port=int(ehd_server.env["EHD_MAIL_IN_PORT"]))  # fmt: skip
    api = await Api.admin(ehd_server)
    try:
        await api.call("POST", "/api/knowledge", {"title": "Scanner care",
                                                  "answer": "Wipe the glass weekly."})  # fmt: skip
    finally:
        await api.close()

    async with headless_chromium() as browser:
        context = await browser.new_context(accept_downloads=True)
        page = await context.new_page()
        await log_in(page, ehd_server, "admin", "/")
        await page.fill("form.topsearch input[name=q]", "Holm")
        await page.press("form.topsearch input[name=q]", "Enter")
        await page.click("#found-tickets a[href^='/tickets/']")
        await expect(page.locator("h1")).to_contain_text("Scanner prints stripes")
        ticket_url = page.url

        async with page.expect_download() as waiting:
            await page.click("a:text('scan.pdf')")
        download = await waiting.value
        assert download.suggested_filename == "scan.pdf"
        assert (await download.path()).read_bytes() == PDF
        await page.click("a:text('stripes.png')")
        shown = page.locator("img")
        await expect(shown).to_have_count(1)
        assert await shown.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [40, 30]
        await page.goto(ticket_url)
        await page.click("p.file:has-text('stripes.png') a.preview")  # shown within a page
        preview = page.locator("img.preview-image")
        await expect(preview).to_be_visible()
        assert await preview.evaluate("(img) => img.naturalWidth") == 40
        await page.goto(ticket_url)
        await page.click("p.file:has-text('scan.pdf') a.preview")  # drawn by pdf.js in the page
        drawn = page.locator("#pdf-pages[data-shown='1'] canvas")
        await expect(drawn).to_have_count(1)
        await expect(drawn).to_have_attribute("aria-label", "Page 1 / 1")
        assert await drawn.evaluate(MIDDLE_AND_CORNER) == [[255, 0, 0], [255, 255, 255]]
        await page.goto(ticket_url)

        editor = page.locator("trix-editor#reply-editor")
        await page.click("#quote-last")  # the customer's words, quoted
        await page.select_option("#standard-text", label="Scanner care")
        await editor.click()
        await page.keyboard.press("Control+End")
        await page.keyboard.type(" Please clean the glass, ")
        await page.click("trix-toolbar button[data-trix-attribute=bold]")
        await page.keyboard.type("then scan again")
        written = page.locator("#reply-html")  # what the form sends
        await expect(written).to_have_value(re.compile("<strong>then scan again</strong>"))
        await page.fill("#reply-cc", "it@example.com")
        await page.fill("#reply-bcc", "quality@ehd.example")
        guide: FilePayload = {"name": "cleaning guide.txt", "mimeType": "text/plain",
                              "buffer": b"Step 1: open the lid.\n"}  # fmt: skip
        await page.set_input_files("#reply-files", files=[guide])
        await page.click("#reply-form button[type=submit]")
        await expect(page.locator("[role=status]")).to_have_text("Reply sent.")
        await expect(page.locator("a:text('cleaning guide.txt')")).to_have_count(1)
        await expect(page.locator(".entry-mail_out strong")).to_have_text("then scan again")

    reply = await mail_server.wait_for("petra@example.com")
    assert reply["Cc"] == "it@example.com" and reply["Bcc"] is None  # the blind copy is hidden
    assert "quality@ehd.example" in mail_server.envelope_of(reply)
    assert "it@example.com" in mail_server.envelope_of(reply)
    plain = reply.get_body(preferencelist=("plain",))
    rich = reply.get_body(preferencelist=("html",))
    assert plain is not None and rich is not None
    assert "Please clean the glass, then scan again" in plain.get_content()
    assert "<strong>then scan again</strong>" in rich.get_content()
    assert "<blockquote>The scan and a photo of the stripes are attached." in rich.get_content()
    assert "Wipe the glass weekly." in plain.get_content()  # the standard text
    files = {part.get_filename(): part.get_content() for part in reply.iter_attachments()}
    assert files["cleaning guide.txt"] == "Step 1: open the lid.\n"
