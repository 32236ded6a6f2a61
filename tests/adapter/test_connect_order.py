"""The order of a connect as Asterisk sees it: everything the caller hears stops first, then
caller and agent are bridged in one request, then CONNECT is logged; and the end of the
cancelled announcement brings no music back under the call.

Asterisk stands in as a small REST server that records every request
(``tests/harness/fake_ari.py``); the database is real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ehd.db.lifecycle import close_database, open_database
from ehd.db.models import Queue
from tests.harness.fake_ari import event, fake_ari


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await open_database(database_url)
    yield
    await close_database()


async def test_a_connect_during_an_announcement(database: None, tmp_path: Path) -> None:
    await Queue.create(name="q", number="4700")
    async with fake_ari(tmp_path) as (service, asterisk):
        await service.audio.hold("caller-1", "default")
        await service.enqueue(
            "caller-1",
            "q",
            priority=0,
            caller_id="+46701234567",
            language="en",
            moh_class="default",
            notify=lambda _event: None,
        )
        # The position announcement (three items) starts; then alice logs in and answers.
        await service.audio.announce("caller-1", "ann", ["sound:a", "number:1", "sound:b"])
        await service.agent_logged_in("alice", {"q": 0}, "PJSIP/1001", remote=False)
        [leg] = [offered.channel_id for offered in service.legs]
        del asterisk.seen[:]
        await service.on_event(event("StasisStart", args=["queue-leg", "caller-1"],
                                     channel={"id": leg}))  # fmt: skip
        await service.on_event(event("PlaybackFinished", playback={"id": "ann-0", "state": "done"}))
    seen = asterisk.seen
    bridged = seen.index("POST bridges/ehd-call-caller-1/addChannel")
    stopped = [i for i, r in enumerate(seen) if r.startswith("DELETE playbacks/ann-")]
    assert len(stopped) == 3 and max(stopped) < bridged, seen
    assert seen.index("LOG CONNECT") > bridged, seen
    assert "POST channels/caller-1/moh" not in seen, "music started under the agent"
