"""A remote agent answers on an outside number through the trunk and accepts with 1."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from ehd.asterisk.instance import SOUNDS_DIR
from ehd.asterisk.runtime import AsteriskRuntime
from tests.harness.api import Api
from tests.harness.audio import contains_prompt
from tests.harness.carrier import CarrierCall, connected_carrier
from tests.harness.ehd_process import ehd_with_outbound_carrier, queue_log
from tests.harness.polling import eventually
from tests.harness.records import call_records
from tests.harness.tones import AGENT_HZ, CALLER_HZ, assert_hears, make_tone

pytestmark = pytest.mark.asterisk

MOBILE = "+46701112233"


async def test_remote_agent_accepts_with_1_and_a_silent_one_is_skipped(
    tmp_path: Path, asterisk_runtime: AsteriskRuntime
) -> None:
    server, carrier_instance = await ehd_with_outbound_carrier(tmp_path, asterisk_runtime)
    api = await Api.admin(server)
    try:
        async with connected_carrier(carrier_instance) as carrier:
            await api.call(
                "POST", "/api/agents/alice/login", {"queues": ["support"], "number": MOBILE}
            )

            async def rung(count: int) -> CarrierCall | None:
                incoming = [s for s in carrier.events.incoming if s.args[1:2] == (MOBILE,)]
                return (
                    CarrierCall(carrier, incoming[-1].channel.id)
                    if len(incoming) >= count
                    else None
                )

            # 1. The agent's mobile rings with the queue's number; it answers, hears the
            #    prompt, presses 1, and is connected.
            caller = "+4676" + str(uuid.uuid4().int)[:7]
            call = await carrier.call("4600", caller=caller)
            await call.wait_answered()
            mobile = await eventually(lambda: rung(1), timeout=30, what="the mobile rang")
            await carrier.ari.answer(mobile.id)
            heard = await mobile.record(f"mobile-{caller}", seconds=5)
            await mobile.send_dtmf("1")

            async def connected() -> bool:
                rows = call_records(server.database, caller_number=caller)
                return bool(rows) and any(
                    line[4] == "CONNECT" and line[3] == "alice"
                    for line in queue_log(server, str(rows[0]["call_id"]))
                )

            await eventually(connected, timeout=15, what="alice connected after pressing 1")
            score, _ = contains_prompt(heard, SOUNDS_DIR / "en" / "press-1-to-accept.wav")
            assert score > 0.8, f"the accept prompt was not heard ({score:.2f})"
            # Both talk (their tones) through the trunk: each hears the other.
            await call.play(make_tone(carrier_instance.spec.folder, CALLER_HZ))
            await mobile.play(make_tone(carrier_instance.spec.folder, AGENT_HZ))
            await asyncio.sleep(0.5)  # the tones start only now: the call itself is older
            caller_ear, agent_ear = await asyncio.gather(
                call.listen(f"remote-ear-caller-{caller}", 6),
                mobile.listen(f"remote-ear-agent-{caller}", 6),
            )
            assert_hears(caller_ear, AGENT_HZ, "the caller heard the remote agent")
            assert_hears(agent_ear, CALLER_HZ, "the remote agent heard the caller")
            await call.hangup()
            await mobile.wait_ended()

            # 2. A voicemail-like answer that never presses 1 does not take the call.
            caller2 = "+4676" + str(uuid.uuid4().int)[:7]
            call2 = await carrier.call("4600", caller=caller2)
            await call2.wait_answered()
            mobile2 = await eventually(lambda: rung(2), timeout=30, what="the mobile rang again")
            await carrier.ari.answer(mobile2.id)

            async def missed() -> bool:
                rows = call_records(server.database, caller_number=caller2)
                return bool(rows) and any(
                    line[4] == "RINGNOANSWER" and line[3] == "alice"
                    for line in queue_log(server, str(rows[0]["call_id"]))
                )

            await eventually(missed, timeout=25, what="the silent answer skipped")
            await mobile2.wait_ended()

            # 3. The caller hangs up while the agent's phone rings: the ringing leg goes too.
            mobile3 = await eventually(lambda: rung(3), timeout=30, what="a retry rang")
            await call2.hangup()
            await mobile3.wait_ended(timeout=10)

            async def closed() -> list[str] | None:
                rows = call_records(server.database, caller_number=caller2)
                events = [line[4] for line in queue_log(server, str(rows[0]["call_id"]))]
                return events if "ABANDON" in events else None

            events = await eventually(closed, timeout=10, what="the abandoned call logged")
            assert "RINGCANCELED" in events, events
    finally:
        await api.close()
        await carrier_instance.stop()
        await asyncio.to_thread(server.stop)
