"""Every way a caller reaches an agent, checked by ear: each party sends its own tone and
what reaches each side is recorded separately, per second of talk time (see
:mod:`tests.scenarios.ears`). Call control (hold, transfers, conference, monitoring) is
checked the same way in ``test_call_control_by_ear.py``.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator

import pytest

from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.api import Api
from tests.harness.audio import contains_prompt
from tests.harness.carrier import Carrier
from tests.harness.ehd_process import EhdProcess, queue_log
from tests.harness.polling import eventually
from tests.harness.sockets import udp_listeners
from tests.scenarios.ears import QUEUE, QUEUE_SETTINGS, call_in, ears_queue, served_by_alice

pytestmark = pytest.mark.asterisk


@pytest.fixture
async def api(ehd_server: EhdProcess, farm: Carrier) -> AsyncIterator[Api]:
    """Queue `ears` on DID 4760 with alice as its only member, logged out."""
    async with ears_queue(ehd_server) as client:
        yield client


def _asterisk_pid(server: EhdProcess) -> int:
    return int((server.data_dir / "asterisk" / "run" / "ehd-asterisk.pid").read_text())


def _rtp_ports(server: EhdProcess) -> range:
    conf = (server.data_dir / "asterisk" / "etc" / "rtp.conf").read_text()
    values = dict(re.findall(r"^(rtpstart|rtpend)\s*=\s*([0-9]+)", conf, re.MULTILINE))
    return range(int(values["rtpstart"]), int(values["rtpend"]) + 1)


async def test_caller_and_agent_hear_each_other_from_the_answer(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    number = "+4673" + str(uuid.uuid4().int)[:7]
    caller, call_id = await call_in(ehd_server, carrier, number)
    pid = _asterisk_pid(ehd_server)
    agent, listening = await served_by_alice(
        api, farm, caller, call_id, during=lambda: udp_listeners(pid)
    )
    assert listening is not None
    # The call's RTP (two legs, RTP and RTCP each) listens on the configured address only.
    rtp = [(host, port) for host, port in listening if port in _rtp_ports(ehd_server)]
    assert len(rtp) >= 4, listening
    assert {host for host, _ in rtp} == {"127.0.0.1"}, rtp
    # Alice's phone showed who called and for which queue, not the queue's own number.
    ringing = next(start.channel for start in farm.events.incoming if start.channel.id == agent.id)
    assert ringing.caller_number == number, ringing
    assert QUEUE in ringing.caller_name, ringing


async def test_a_connect_during_the_position_announcement_stops_it(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """The announcement (about 7 s) starts a second after the caller queues; alice answers in
    the middle of it. Before the fix the caller heard hold music for the whole call."""
    await api.call(
        "PUT", f"/api/queues/{QUEUE}", {"announce_frequency": 30.0, "announce_start_delay": 1.0}
    )
    caller, call_id = await call_in(ehd_server, carrier)
    await asyncio.sleep(2.0)  # "you are number one in the queue…" is playing now
    await served_by_alice(api, farm, caller, call_id)
    events = [line[4] for line in queue_log(ehd_server, call_id)]
    assert events[:2] == ["ENTERQUEUE", "CONNECT"], events


async def test_a_caller_who_chose_the_queue_in_a_menu_hears_the_agent(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    menu = {"prompt": "demo-menu", "options": {"1": {"kind": "queue", "target": QUEUE}}}
    await api.call("PUT", "/api/menus/ears-menu", menu)
    await api.call("PUT", "/api/dids/4761", {"route_type": "ivr", "menu": "ears-menu"})
    caller, call_id = await call_in(ehd_server, carrier, did="4761", keys="1")
    await served_by_alice(api, farm, caller, call_id)


async def test_a_caller_moved_by_overflow_hears_the_agent_of_the_next_queue(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    await api.call("PUT", "/api/queues/ears-overflow", {**QUEUE_SETTINGS, "number": "4762"})
    await api.call("PUT", "/api/queues/ears-overflow/members/alice", {"penalty": 0})
    await api.call(
        "PUT",
        f"/api/queues/{QUEUE}",
        {"overflow_after": 2.0, "overflow_kind": "queue", "overflow_target": "ears-overflow"},
    )
    caller, call_id = await call_in(ehd_server, carrier)

    async def moved() -> bool:
        return any(line[4] == "EXITWITHTIMEOUT" for line in queue_log(ehd_server, call_id))

    await eventually(moved, timeout=15, what="the overflow to ears-overflow")
    await served_by_alice(api, farm, caller, call_id, "ears-overflow")


async def test_a_caller_who_stays_for_the_survey_heard_the_agent_then_the_survey(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    question = {"id": "csat", "prompt": "survey-question-csat", "low": 1, "high": 5}
    await api.call("PUT", "/api/surveys/ears-survey", {"questions": [question]})
    await api.call("PUT", f"/api/queues/{QUEUE}", {"survey": "ears-survey"})
    caller, call_id = await call_in(ehd_server, carrier)
    try:
        await served_by_alice(api, farm, caller, call_id, agent_hangs_up=True)
        # Long enough for a loaded machine (four workers on two cores once started the
        # survey more than four seconds after the hang-up, and once later than seven); a
        # survey never played still fails.
        after = await caller.listen(f"ear-survey-{call_id}", 16)
    finally:
        await caller.hangup()
        await api.call("PUT", f"/api/queues/{QUEUE}", {"survey": None})
    heard, _ = contains_prompt(after, SOUNDS_DIR / "en" / "survey-intro.wav", max_lag_seconds=11)
    assert heard > 0.8, f"the survey was not heard after the agent hung up ({heard:.2f})"
