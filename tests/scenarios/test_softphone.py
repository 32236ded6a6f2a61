"""A user added in the web registers Debian's baresip within seconds and calls 4600."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.audio import contains_prompt, rms_after, sox_stat
from tests.harness.baresip import Baresip
from tests.harness.ehd_process import EhdProcess, endpoint_state
from tests.harness.polling import eventually
from tests.harness.records import call_records
from tests.harness.web_client import add_user_with_phone

pytestmark = pytest.mark.asterisk


async def test_new_web_user_registers_baresip_and_hears_the_greeting(
    ehd_server: EhdProcess, tmp_path: Path
) -> None:
    sip_password = await add_user_with_phone(ehd_server, "carol", "1003")
    created = time.monotonic()
    phone = Baresip(tmp_path / "baresip", "1003", sip_password, f"127.0.0.1:{ehd_server.sip_port}")
    phone.configure()
    run = asyncio.create_task(phone.run(14, f"/dial sip:4600@127.0.0.1:{ehd_server.sip_port}"))

    async def online() -> bool:
        return await endpoint_state(ehd_server, "1003") == "online"

    await eventually(online, timeout=10, what="baresip registered as 1003")
    assert time.monotonic() - created < 10
    output = await run
    assert "200 OK" in output, output[-2000:]

    heard = phone.heard()
    assert heard, f"baresip recorded nothing:\n{output[-2000:]}"
    stat = sox_stat(heard[-1])
    assert stat.rms_amplitude > 0.02, stat
    greeting = SOUNDS_DIR / "en" / "welcome.wav"
    score, lag = contains_prompt(heard[-1], greeting)
    assert score > 0.8, f"baresip did not hear the greeting (correlation {score:.2f})"
    # Not the first caller of this session's queue: it must still hear music after the greeting.
    after = lag + sox_stat(greeting).seconds + 0.3
    assert rms_after(heard[-1], after) > 0.01, "silence instead of hold music"

    records = call_records(ehd_server.database, caller_number="1003")
    assert records and records[-1]["did"] == "4600"
