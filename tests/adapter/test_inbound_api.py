"""The inbound-flow API against a real database and real sox: uploads, calendars, menus."""

from __future__ import annotations

import asyncio
import io
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import Role, Sound
from ehd.platform import create_platform_app
from tests.harness.audio import sine_file
from tests.harness.web_client import log_in

Client = TestClient[aiohttp.web.Request, aiohttp.web.Application]


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_platform_app(Config(data_dir=tmp_path), telephony=False)
    async with TestClient(TestServer(app), cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        await create_user("admin", "admin-pass", role=Role.ADMIN)
        await log_in(client, "admin", "admin-pass")
        yield client


async def upload(
    client: Client, filename: str, data: bytes, name: str = "hello", token: str | None = None
) -> tuple[int, dict[str, Any]]:
    if token is None:
        token = (await (await client.get("/api/me")).json())["csrf_token"]
    form = aiohttp.FormData()
    form.add_field("csrf_token", token)
    form.add_field("name", name)
    form.add_field("language", "sv")
    form.add_field("description", "a test")
    form.add_field("file", io.BytesIO(data), filename=filename)
    response = await client.post("/api/sounds", data=form)
    return response.status, await response.json()


@pytest.mark.parametrize("fmt", ["wav", "gsm", "au"])
async def test_an_upload_is_converted_to_asterisks_format(
    admin: Client, tmp_path: Path, fmt: str
) -> None:
    status, body = await upload(admin, f"Tone.{fmt.upper()}", sine_file(tmp_path / f"t.{fmt}", fmt))
    assert status == 201, body
    stored = tmp_path / "sounds" / "sv" / "hello.wav"
    info = await asyncio.to_thread(
        subprocess.run, ["soxi", str(stored)], capture_output=True, text=True, check=True
    )
    assert "Sample Rate    : 8000" in info.stdout and "Channels       : 1" in info.stdout
    assert (await Sound.get(name="hello", language="sv")).description == "a test"
    listed = await (await admin.get("/api/sounds")).json()
    assert [s["name"] for s in listed["sounds"]] == ["hello"]


@pytest.mark.parametrize(
    ("filename", "data", "name", "status", "message"),
    [
        ("notes.wav", b"this is not audio at all" * 100, "hello", 400, "not wav audio"),
        ("song.mp3", b"ID3" + b"\0" * 100, "hello", 400, "unsupported format"),
        ("big.wav", b"\0" * (5 * 1024 * 1024 + 1), "hello", 413, "over 5 MB"),
        ("ok.wav", None, "../../etc/passwd", 400, "no paths"),
        ("ok.wav", None, "sub/dir", 400, "no paths"),
    ],
)
async def test_bad_uploads_are_refused_with_the_reason_and_leave_nothing(
    admin: Client,
    tmp_path: Path,
    filename: str,
    data: bytes | None,
    name: str,
    status: int,
    message: str,
) -> None:
    payload = data if data is not None else sine_file(tmp_path / "t.wav", "wav")
    got, body = await upload(admin, filename, payload, name=name)
    assert got == status, body
    assert message in body["message"]
    assert await Sound.all().count() == 0
    assert not list((tmp_path / "sounds").rglob("*.wav"))


async def test_an_upload_without_the_token_is_refused(admin: Client, tmp_path: Path) -> None:
    status, body = await upload(
        admin, "t.wav", sine_file(tmp_path / "t.wav", "wav"), token="forged"
    )
    assert status == 403 and body["error"] == "csrf-failed"


async def test_calendar_overlaps_are_warned_and_checks_follow_the_order(admin: Client) -> None:
    calendar = {
        "weekly": {"mon": [["08:00", "17:00"]]},
        "variations": [
            {"name": "training", "open": False, "date_from": "2026-11-23", "date_to": "2026-11-23",
             "time_from": "13:00", "time_to": "15:00", "audio": "training"},
            {"name": "long day", "open": True, "date_from": "2026-11-23", "date_to": "2026-11-23"},
        ],
    }  # fmt: skip
    response = await admin.put("/api/calendars/sales", json=calendar)
    body = await response.json()
    assert response.status == 200, body
    assert body["warnings"] == ["variation training hides long day where they overlap"]
    check = await admin.get("/api/calendars/sales/check", params={"at": "2026-11-23T14:00"})
    training_id = body["variations"][0]["id"]
    expected = {"open": False, "reason": f"variation:{training_id}", "audio": "training"}
    assert await check.json() == expected
    evening = await admin.get("/api/calendars/sales/check", params={"at": "2026-11-23T20:00"})
    assert (await evening.json())["open"] is True
    bad = await admin.put("/api/calendars/sales", json={"weekly": {"mon": [["17:00", "08:00"]]}})
    assert bad.status == 400 and "crosses midnight" in (await bad.json())["message"]
    bad = await admin.put("/api/calendars/sales", json={"timezone": "Nowhere/Land"})
    assert bad.status == 400


async def test_menus_are_validated_before_they_are_stored(admin: Client) -> None:
    good = {"prompt": "demo-menu", "options": {"1": {"kind": "queue", "target": "support"}}}
    assert (await admin.put("/api/menus/main", json=good)).status == 200
    bad = {"prompt": "demo-menu", "options": {"1": {"kind": "queue"}}}
    response = await admin.put("/api/menus/main", json=bad)
    assert response.status == 400 and "needs a target" in (await response.json())["message"]
