"""End to end over real SIP and RTP: the carrier calls ehd's trunk and records what it hears."""

from __future__ import annotations

import uuid

import pytest

from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.audio import contains_prompt, rms_after, sox_stat
from tests.harness.carrier import Carrier
from tests.harness.ehd_process import EhdProcess
from tests.harness.records import closed_call_record

pytestmark = pytest.mark.asterisk

UNALLOCATED = 1  # Q.850 cause: no route to an unallocated number


def _caller() -> str:
    return "+4670" + str(uuid.uuid4().int)[:7]


async def test_call_to_4600_hears_the_greeting_and_leaves_a_call_record(
    ehd_server: EhdProcess, carrier: Carrier
) -> None:
    caller = _caller()
    call = await carrier.call("4600", caller=caller)
    await call.wait_answered()
    wav = await call.record(f"greeting-{caller}", seconds=9)
    await call.hangup()

    greeting = SOUNDS_DIR / "en" / "welcome.wav"
    stat = sox_stat(wav)
    assert stat.seconds >= sox_stat(greeting).seconds, "recording shorter than the greeting"
    assert stat.rms_amplitude > 0.02, f"recording is silent: {stat}"
    score, lag = contains_prompt(wav, greeting)
    assert score > 0.8, f"the greeting was not heard (correlation {score:.2f})"
    assert lag < 1.5, f"the greeting started late ({lag:.2f} s)"
    greeting_end = lag + sox_stat(greeting).seconds
    assert rms_after(wav, greeting_end + 0.3) > 0.01, "silence instead of hold music"

    record = await closed_call_record(ehd_server.database, caller)
    assert record["did"] == "4600"
    assert record["route_type"] == "queue"
    assert record["started_at"] and record["answered_at"]
    assert str(record["started_at"]) <= str(record["answered_at"]) <= str(record["ended_at"])


async def test_an_unused_number_is_refused_unanswered_after_the_message(
    ehd_server: EhdProcess, carrier: Carrier
) -> None:
    """The carrier bills answered calls: "not in service" goes out as early media, then the
    call is refused as an unallocated number (cause 1, SIP 404) without ever being answered."""
    asterisk_log = ehd_server.data_dir / "asterisk" / "log" / "messages.log"
    logged_before = asterisk_log.stat().st_size
    caller = _caller()
    call = await carrier.call("4999", caller=caller)
    await call.wait_ended(timeout=20)
    assert not call.was_answered(), "ehd answered a call to an unused number"
    assert call.hangup_cause() == UNALLOCATED, call.hangup_cause()

    record = await closed_call_record(ehd_server.database, caller)
    assert record["did"] == "4999"
    assert record["route_type"] == "not_in_service"
    assert record["result"] == "not_in_service" and record["answered_at"] is None
    # ehd played the message before refusing (the carrier's ARI cannot record early media).
    with asterisk_log.open() as log:
        log.seek(logged_before)
        assert "not-in-service" in log.read()
