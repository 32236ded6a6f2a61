"""The call log and voicemail pages over a real database: agents see the calls they took a
part in and supervisors every call, a page at a time with the filters kept; each recorded
part plays; bad filters are a 400. Voicemail reaches only its owner (others get 404),
listening marks a message heard, and deleting removes the file too."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from ehd.accounts.service import create_user
from ehd.config import Config
from ehd.db.models import CallDirection, CallHandling, CallRecord, Role, User, VoicemailMessage
from ehd.platform import create_platform_app
from ehd.web.telephony.call_log import PAGE_SIZE
from tests.harness.web_client import client_logged_in, csrf_token

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[tuple[TestServer, Config]]:
    """One app; each user gets their own client (and cookies) on it."""
    config = Config(data_dir=tmp_path)
    server = TestServer(create_platform_app(config, telephony=False))
    async with server:
        await create_user("boss", "boss-pass", role=Role.SUPERVISOR)
        await create_user("alice", "alice-pass", role=Role.AGENT)
        await create_user("bob", "bob-pass", role=Role.AGENT)
        yield server, config


def _calls_on(page: str) -> list[str]:
    return re.findall(r'data-call="([^"]+)"', page)


async def test_agents_see_their_own_calls_and_supervisors_all_a_page_at_a_time(
    app: tuple[TestServer, Config],
) -> None:
    web_app, config = app
    recorded = config.paths.recordings / "calls" / "c-0.wav"
    recorded.parent.mkdir(parents=True, exist_ok=True)
    recorded.write_bytes(b"RIFF" + b"\0" * 60)
    second = recorded.with_name("c-0-2.wav")
    second.write_bytes(b"RIFF" + b"\0" * 60)
    for n in range(PAGE_SIZE + 5):
        await CallRecord.create(
            call_id=f"c-{n}", caller_number=f"+4670000{n:04d}",
            started_at=START + timedelta(minutes=n), agent="bob" if n % 2 else "alice",
            direction=CallDirection.OUTBOUND if n == 3 else CallDirection.INBOUND,
            recording=str(recorded) if n == 0 else "",
        )  # fmt: skip
    # c-0 went from alice to bob: both see it, with both recorded parts
    await CallHandling.create(
        call_id="c-0", agent="bob", connected_at=START, ended_at=START, talk_seconds=5.0,
        hold_seconds=0.0, recording=str(second),
    )  # fmt: skip
    boss, bob = await client_logged_in(web_app, "boss"), await client_logged_in(web_app, "bob")
    try:
        first = await (await boss.get("/calls")).text()
        assert len(_calls_on(first)) == PAGE_SIZE
        assert _calls_on(first)[0] == f"c-{PAGE_SIZE + 4}"  # newest first
        older = re.search(r'id="older" href="([^"]+)"', first)
        assert older is not None
        rest = await (await boss.get("/calls" + older.group(1).replace("&amp;", "&"))).text()
        assert _calls_on(rest) == ["c-4", "c-3", "c-2", "c-1", "c-0"]
        assert "/calls/c-0/recording?part=1" in rest and "/calls/c-0/recording?part=2" in rest

        mine = _calls_on(await (await bob.get(f"/calls?before={PAGE_SIZE + 5}")).text())
        assert "c-0" in mine and all(c == "c-0" or int(c[2:]) % 2 for c in mine), mine
        outbound = _calls_on(await (await boss.get("/calls?direction=out")).text())
        assert outbound == ["c-3"]
        by_number = _calls_on(await (await boss.get("/calls?number=%2B46700000007")).text())
        assert by_number == ["c-7"]
        async with bob.get("/calls/c-0/recording?part=2") as part:
            assert part.status == 200 and (await part.read()).startswith(b"RIFF")
        async with bob.get("/calls/c-0/recording?part=3") as missing:
            assert missing.status == 404
        for bad in (
            "direction=sideways",
            "number=12ab",
            "before=%C2%B2",
            "before=-1",
            "result=Answered!",
            "from=2026-13-01",
            "to=%C2%B2",
            f"queue={'q' * 65}",
        ):
            async with boss.get(f"/calls?{bad}") as refused:
                assert refused.status == 400, (bad, refused.status)
        async with bob.get("/calls?agent=alice") as refused:
            assert refused.status == 400, "an agent filtered on a colleague"
    finally:
        await boss.close()
        await bob.close()


async def test_supervisors_filter_by_days_queue_and_result_and_download_csv(
    app: tuple[TestServer, Config],
) -> None:
    """Days are the site's (Stockholm): a call at 23:30 UTC on 1 December is on the 2nd."""
    web_app, _ = app
    calls = [  # id, started (UTC), queue, result, talk
        ("d-1", datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "support", "answered", 61.25),
        ("d-2", datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "support", "abandoned", None),
        ("d-3", datetime(2026, 12, 2, 10, 0, tzinfo=UTC), "sales", "answered", 30.0),
        ("d-4", datetime(2026, 12, 3, 10, 0, tzinfo=UTC), "support", "answered", 10.0),
    ]
    for call_id, started, queue, result, talk in calls:
        await CallRecord.create(call_id=call_id, started_at=started, queue_name=queue,
                                result=result, talk_seconds=talk, agent="alice",
                                caller_number="+46701234567")  # fmt: skip
    boss = await client_logged_in(web_app, "boss")
    try:

        async def found(query: str) -> list[str]:
            return _calls_on(await (await boss.get(f"/calls?{query}")).text())

        assert await found("from=2026-12-02&to=2026-12-02") == ["d-3", "d-2"]
        assert await found("queue=support&result=answered") == ["d-4", "d-1"]
        assert await found("to=2026-12-01") == ["d-1"]
        page = await (await boss.get("/calls?queue=support")).text()
        assert 'href="?queue=support&amp;format=csv"' in page
        assert "2026-12-02 00:30" in page  # shown on the site's clock
        async with boss.get("/calls?queue=support&format=csv") as response:
            assert response.status == 200 and response.content_type == "text/csv"
            rows = list(csv.DictReader(io.StringIO(await response.text())))
        assert [(r["call_id"], r["started"], r["result"], r["talk_seconds"]) for r in rows] == [
            ("d-4", "2026-12-03T11:00:00+01:00", "answered", "10.0"),
            ("d-2", "2026-12-02T00:30:00+01:00", "abandoned", ""),
            ("d-1", "2026-12-01T10:00:00+01:00", "answered", "61.2"),
        ]
    finally:
        await boss.close()


async def test_voicemail_reaches_only_its_owner_and_is_heard_then_deleted(
    app: tuple[TestServer, Config],
) -> None:
    web_app, config = app
    alice = await User.get(username="alice")
    path = config.paths.asterisk / "spool" / "recording" / "voicemail" / "1" / "m.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF" + b"\1" * 400)
    message = await VoicemailMessage.create(user=alice, caller_number="+46701234567",
                                            path=str(path), seconds=3.0)  # fmt: skip
    owner, other = await client_logged_in(web_app, "alice"), await client_logged_in(web_app, "bob")
    try:
        page = await (await owner.get("/voicemail")).text()
        assert f'data-message="{message.id}" class="unheard"' in page
        async with other.get(f"/voicemail/{message.id}/audio") as hidden:
            assert hidden.status == 404
        async with other.get("/voicemail?user=alice") as refused:
            assert refused.status == 403
        assert f'data-message="{message.id}"' not in await (await other.get("/voicemail")).text()
        async with owner.get(
            f"/voicemail/{message.id}/audio", headers={"Range": "bytes=0-9"}
        ) as part:
            assert part.status == 206 and len(await part.read()) == 10
        assert (await VoicemailMessage.get(id=message.id)).heard
        token = csrf_token(await (await owner.get("/voicemail")).text())
        form = {"csrf_token": token}
        other_token = csrf_token(await (await other.get("/voicemail")).text())
        async with other.post(f"/voicemail/{message.id}/delete", data={"csrf_token": other_token},
                              allow_redirects=False) as refused:  # fmt: skip
            assert refused.status in (403, 404)
        assert path.exists()
        async with owner.post(f"/voicemail/{message.id}/delete", data=form,
                              allow_redirects=False) as deleted:  # fmt: skip
            assert deleted.status == 303, await deleted.text()
        assert not path.exists() and not await VoicemailMessage.exists(id=message.id)
        async with owner.get("/voicemail/%C2%B2/audio") as odd:
            assert odd.status == 404
    finally:
        await owner.close()
        await other.close()
