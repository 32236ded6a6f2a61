"""The caller's way in over real SIP: calendars, menus, customer numbers, hot prompts, call
recording and voicemail. Each test sets up its own queue, calendar and number (48xx)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from playwright.async_api import expect

from ehd.asterisk.instance import SOUNDS_DIR
from tests.harness.api import Api
from tests.harness.audio import contains_prompt, sox_stat
from tests.harness.browser import headless_chromium, log_in
from tests.harness.carrier import Carrier
from tests.harness.ehd_process import EhdProcess, endpoint_state, queue_log
from tests.harness.mail_sink import MailSink
from tests.harness.phone_farm import Policy, serving
from tests.harness.polling import eventually
from tests.harness.records import call_records, closed_call_record
from tests.harness.web_client import add_user_with_phone, logged_in_session

pytestmark = pytest.mark.asterisk

PROMPTS = SOUNDS_DIR / "en"
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _stored_message_seconds(server: EhdProcess, username: str) -> float:
    """The length of the user's voicemail message last stored, as ehd recorded it."""
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT seconds FROM voicemail_messages WHERE user_id = "
            "(SELECT id FROM users WHERE username = ?) ORDER BY id DESC",
            (username,),
        ).fetchone()
    assert row is not None, "no voicemail message was stored"
    return float(row[0])


def _caller() -> str:
    return "+4673" + str(uuid.uuid4().int)[:7]


@pytest.fixture
async def api(ehd_server: EhdProcess) -> AsyncIterator[Api]:
    client = await Api.admin(ehd_server)
    yield client
    await client.close()


async def open_queue(api: Api, name: str, did: str, **settings: object) -> None:
    """A queue open around the clock (its own calendar) behind ``did``."""
    await api.call("PUT", f"/api/calendars/{name}", {"weekly": ALWAYS, "variations": []})
    await api.call("PUT", f"/api/queues/{name}", {"calendar": name, **settings})
    await api.call("PUT", f"/api/dids/{did}", {"route_type": "queue", "queue": name})


async def upload_speech(api: Api, server: EhdProcess, name: str, text: str) -> Path:
    """Speak ``text`` with espeak-ng and upload it to the library; the stored file."""
    source = server.data_dir / f"{name}-source.wav"
    await asyncio.to_thread(subprocess.run, ["espeak-ng", "-w", str(source), text], check=True)
    me = await api.call("GET", "/api/me")
    form = aiohttp.FormData()
    form.add_field("csrf_token", me["csrf_token"])
    form.add_field("name", name)
    form.add_field("language", "en")
    form.add_field("wording", text)
    form.add_field("file", source.read_bytes(), filename=f"{name}.wav")
    async with api.session.post("/api/sounds", data=form) as response:
        assert response.status == 201, await response.text()
    return server.data_dir / "sounds" / "en" / f"{name}.wav"


def today_in_stockholm() -> str:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()


async def test_a_holiday_closes_the_queue_with_the_closed_prompt(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    await open_queue(api, "flow-holiday", "4801")
    holiday = [{"date": today_in_stockholm(), "name": "Staff day"}]
    await api.call("PUT", "/api/calendars/flow-holiday", {"own_holidays": holiday})
    caller = _caller()
    call = await carrier.call("4801", caller=caller)
    await call.wait_answered()
    wav = await call.record(f"holiday-{caller}", seconds=8)
    await call.wait_ended()
    closed, _ = contains_prompt(wav, PROMPTS / "closed.wav")
    welcome, _ = contains_prompt(wav, PROMPTS / "welcome.wav")
    assert closed > 0.8 and welcome < closed, (closed, welcome)
    record = await closed_call_record(ehd_server.database, caller)
    assert record["result"] == "closed"
    checked = ehd_server.ehd("calendar", "check", "--queue", "flow-holiday", "--at",
                             datetime.now(UTC).isoformat(), "--json")  # fmt: skip
    assert json.loads(checked.stdout.splitlines()[-1])["reason"] == "holiday:Staff day"


async def test_a_closing_variation_plays_its_own_audio(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    audio = await upload_speech(
        api, ehd_server, "flow-meeting", "We are at a staff meeting until three o'clock."
    )
    await open_queue(api, "flow-meeting", "4802")
    today = today_in_stockholm()
    variation = {"name": "meeting", "open": False, "date_from": today, "date_to": today,
                 "audio": "flow-meeting"}  # fmt: skip
    await api.call("PUT", "/api/calendars/flow-meeting", {"variations": [variation]})
    caller = _caller()
    call = await carrier.call("4802", caller=caller)
    await call.wait_answered()
    wav = await call.record(f"meeting-{caller}", seconds=8)
    await call.wait_ended()
    own, _ = contains_prompt(wav, audio)
    standard, _ = contains_prompt(wav, PROMPTS / "closed.wav")
    assert own > 0.8 and standard < own, (own, standard)


async def test_a_menu_digit_routes_to_its_queue(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    await open_queue(api, "flow-sales", "4809", greeting="welcome")
    menu = {"prompt": "demo-menu", "options": {"1": {"kind": "queue", "target": "flow-sales"}}}
    await api.call("PUT", "/api/menus/flow-main", menu)
    await api.call("PUT", "/api/dids/4803", {"route_type": "ivr", "menu": "flow-main"})
    caller = _caller()
    call = await carrier.call("4803", caller=caller)
    await call.wait_answered()
    recording = asyncio.create_task(call.listen(f"menu-{caller}", seconds=12))
    await asyncio.sleep(2.0)
    await call.send_dtmf("1")
    wav = await recording
    await call.hangup()
    score, lag = contains_prompt(wav, PROMPTS / "welcome.wav", max_lag_seconds=8)
    assert score > 0.8, f"the queue's greeting was not heard ({score:.2f})"
    record = await closed_call_record(ehd_server.database, caller)
    assert record["queue_name"] == "flow-sales"


async def test_an_invalid_digit_is_retried_then_falls_back(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    menu = {
        "prompt": "demo-menu",
        "options": {"1": {"kind": "queue", "target": "flow-sales"}},
        "retries": 1,
        "timeout_seconds": 3,
        "fallback": {"kind": "hangup", "target": "goodbye"},
    }
    await api.call("PUT", "/api/menus/flow-strict", menu)
    await api.call("PUT", "/api/dids/4804", {"route_type": "ivr", "menu": "flow-strict"})
    caller = _caller()
    call = await carrier.call("4804", caller=caller)
    await call.wait_answered()
    recording = asyncio.create_task(call.listen(f"invalid-{caller}", seconds=20))
    await asyncio.sleep(2.0)
    await call.send_dtmf("7")  # not an option; then silence: the fallback
    await call.wait_ended(timeout=25)
    wav = await recording
    invalid, invalid_at = contains_prompt(wav, PROMPTS / "menu-invalid.wav", max_lag_seconds=15)
    goodbye, goodbye_at = contains_prompt(wav, PROMPTS / "goodbye.wav", max_lag_seconds=18)
    assert invalid > 0.8, f"no 'invalid choice' ({invalid:.2f})"
    assert goodbye > 0.8 and goodbye_at > invalid_at, (goodbye, goodbye_at, invalid_at)
    record = await closed_call_record(ehd_server.database, caller)
    assert record["queue_name"] == ""


async def test_the_customer_number_is_checked_and_captured(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    await open_queue(api, "flow-custid", "4805", greeting="goodbye", customer_number="required",
                     customer_number_min=10, customer_number_max=10,
                     customer_number_checksum="luhn")  # fmt: skip
    caller = _caller()
    call = await carrier.call("4805", caller=caller)
    await call.wait_answered()
    greeting = sox_stat(PROMPTS / "goodbye.wav").seconds
    await asyncio.sleep(0.4 + greeting + 1.0)  # into the "enter your number" prompt
    await call.send_dtmf("8112189875#")  # wrong check digit
    await asyncio.sleep(4.5)  # "not valid", then the prompt again
    await call.send_dtmf("8112189876#")

    async def captured() -> bool:
        rows = await asyncio.to_thread(_customer_number, ehd_server, caller)
        return rows == "8112189876"

    await eventually(captured, timeout=15, what="customer number stored on the call")
    await call.hangup()


def _customer_number(server: EhdProcess, caller: str) -> str:
    rows = call_records(server.database, caller_number=caller)
    return str(rows[0]["customer_number"]) if rows else ""


async def test_the_hot_prompt_is_heard_before_the_greeting(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    storm = await upload_speech(
        api, ehd_server, "flow-storm", "Because of the storm, waiting times are long today."
    )
    await open_queue(api, "flow-hot", "4806", greeting="welcome")
    created = await api.call(
        "POST", "/api/hot-prompts", {"queue": "flow-hot", "sound": "flow-storm"}
    )
    try:
        caller = _caller()
        call = await carrier.call("4806", caller=caller)
        await call.wait_answered()
        wav = await call.record(f"hot-{caller}", seconds=14)
        await call.hangup()
    finally:
        await api.call("DELETE", f"/api/hot-prompts/{created['id']}")
    hot, hot_at = contains_prompt(wav, storm, max_lag_seconds=6)
    welcome, welcome_at = contains_prompt(wav, PROMPTS / "welcome.wav", max_lag_seconds=10)
    assert hot > 0.8 and welcome > 0.8, (hot, welcome)
    assert hot_at < welcome_at, (hot_at, welcome_at)


async def test_a_recorded_call_leaves_a_file_with_sound_played_in_the_browser(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    """The recording has the agent's audio; alice plays it on the caller's contact page in
    headless Chromium (streamed with range requests), and bob, not on the call, may not."""
    caller = _caller()
    contact = await api.call("POST", "/api/contacts", {"name": "Rita Recorded", "phones": [caller]})
    await open_queue(api, "flow-rec", "4807", recording="all", ring_timeout=8.0)
    await api.call("PUT", "/api/queues/flow-rec/members/alice", {"penalty": 0})

    async def online() -> bool:
        return await endpoint_state(ehd_server, "1001") == "online"

    await eventually(online, timeout=15, what="alice's phone registered")
    await api.call("POST", "/api/agents/alice/login", {"queues": ["flow-rec"]})
    policy = Policy(media=f"sound:{(PROMPTS / 'closed').as_posix()}", after=0.3)
    try:
        async with serving(farm, {"1001": policy}):
            call = await carrier.call("4807", caller=caller)
            await call.wait_answered()
            await asyncio.sleep(12)
            await call.hangup()
    finally:
        await api.call("POST", "/api/agents/alice/logout")
    record = await closed_call_record(ehd_server.database, caller)
    assert record["agent"] == "alice" and record["recording"], record
    path = Path(str(record["recording"]))
    await eventually(lambda: _exists(path), timeout=10, what="the recording file")
    stat = sox_stat(path)
    assert stat.seconds > 2 and stat.rms_amplitude > 0.01, stat
    score, _ = contains_prompt(path, PROMPTS / "closed.wav", max_lag_seconds=8)
    assert score > 0.7, f"the agent's audio is not in the recording ({score:.2f})"

    url = f"/calls/{record['call_id']}/recording"
    async with headless_chromium() as browser:
        page = await browser.new_page()
        await log_in(page, ehd_server, "alice", f"/crm/contacts/{contact['id']}")
        audio = page.locator("audio.recording")
        await audio.evaluate("a => { a.muted = true; return a.play(); }")  # muted may autoplay

        async def playing() -> bool:
            return float(await audio.evaluate("a => a.currentTime")) > 1.5

        await eventually(playing, timeout=15, what="the recording playing in the browser")
        duration = await audio.evaluate("a => a.duration")
    assert duration > 2, duration  # as long as the file (seconds > 2 above)
    alice = await logged_in_session(ehd_server.web_url, "alice", _password(ehd_server, "alice"))
    bob = await logged_in_session(ehd_server.web_url, "bob", _password(ehd_server, "bob"))
    async with alice, bob:
        async with alice.get(url, headers={"Range": "bytes=0-99"}) as part:
            assert part.status == 206 and len(await part.read()) == 100, part.headers
            assert part.headers["Content-Range"].startswith("bytes 0-99/"), part.headers
        async with bob.get(url) as refused:
            assert refused.status == 403, await refused.text()


def _password(server: EhdProcess, username: str) -> str:
    return next(a.password for a in server.demo_site().accounts if a.username == username)


async def _exists(path: Path) -> bool:
    def big_enough() -> bool:
        return path.exists() and path.stat().st_size > 8000

    return await asyncio.to_thread(big_enough)


async def test_a_voicemail_arrives_by_email_with_its_audio(
    ehd_server: EhdProcess, carrier: Carrier, api: Api, mail_server: MailSink
) -> None:
    address = f"vm-{uuid.uuid4().hex[:6]}@example.test"
    await add_user_with_phone(ehd_server, "vmuser", "1099", email=address)
    did = {"route_type": "sip_voicemail", "user": "vmuser", "ring_seconds": 5}
    await api.call("PUT", "/api/dids/4808", did)
    caller = _caller()
    call = await carrier.call("4808", caller=caller)  # 1099 never registers: straight to voicemail
    await call.wait_answered()
    greeting = sox_stat(PROMPTS / "voicemail-greeting.wav").seconds
    await asyncio.sleep(0.4 + greeting + 1.0)  # after the tone
    message = PROMPTS / "technical-problem.wav"
    await call.play(f"sound:{message.with_suffix('')}")
    await asyncio.sleep(sox_stat(message).seconds + 0.5)
    await call.send_dtmf("#")
    await call.wait_ended(timeout=15)

    mail = await mail_server.wait_for(address)
    assert caller in str(mail["Subject"])
    attachments = list(mail.iter_attachments())
    assert len(attachments) == 1 and attachments[0].get_content_type() == "audio/wav"
    wav = ehd_server.data_dir / f"voicemail-{caller}.wav"
    wav.write_bytes(attachments[0].get_content())
    score, _ = contains_prompt(wav, message, max_lag_seconds=4)
    assert score > 0.7, f"the caller's message is not in the attachment ({score:.2f})"
    record = await closed_call_record(ehd_server.database, caller)
    assert record["result"] == "voicemail"

    async with headless_chromium() as browser:  # the owner plays it on the voicemail page
        page = await browser.new_page()
        await log_in(page, ehd_server, "vmuser", "/voicemail", password="carol-pass-1")
        await expect(page.locator("tr.unheard")).to_have_count(1)
        audio = page.locator("audio.voicemail")
        await audio.evaluate("a => { a.muted = true; return a.play(); }")

        async def playing() -> bool:
            return float(await audio.evaluate("a => a.currentTime")) > 1.0

        await eventually(playing, timeout=15, what="the voicemail playing in the browser")
        duration = await audio.evaluate("a => a.duration")
        await page.reload()
        await expect(page.locator("tr.unheard")).to_have_count(0)  # heard now
    assert duration > sox_stat(message).seconds - 1, duration


async def test_a_sound_recorded_by_phone_lands_in_the_library(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    await api.call("PUT", "/api/users/alice/pin", {"pin": "2468"})
    await api.call("PUT", "/api/dids/4811", {"route_type": "recording_service"})
    before = {s["id"] for s in (await api.call("GET", "/api/sounds"))["sounds"]}
    speech = PROMPTS / "technical-problem.wav"
    call = await carrier.call("4811", caller=_caller())
    await call.wait_answered()
    await asyncio.sleep(1.5)
    await call.send_dtmf("1001#2468#")  # user number and PIN, typed ahead of the prompts
    keying = 10 * 0.25  # ten keys, 100 ms each with 150 ms between
    await asyncio.sleep(keying + sox_stat(PROMPTS / "recording-service-record.wav").seconds + 1.5)
    await call.play(f"sound:{speech.with_suffix('')}")  # after the tone
    await asyncio.sleep(sox_stat(speech).seconds + 0.5)
    await call.send_dtmf("#")
    await asyncio.sleep(sox_stat(speech).seconds + 2.5)  # ehd plays the take back
    await call.send_dtmf("1")  # save
    await call.wait_ended(timeout=30)

    sounds = (await api.call("GET", "/api/sounds"))["sounds"]
    new = [s for s in sounds if s["id"] not in before]
    assert len(new) == 1 and new[0]["source"] == "phone" and new[0]["created_by"] == "alice"
    stored = ehd_server.data_dir / "sounds" / "en" / f"{new[0]['name']}.wav"
    score, _ = contains_prompt(stored, speech, max_lag_seconds=3)
    assert score > 0.7, f"the recorded speech is not in the library file ({score:.2f})"


async def test_voicemail_is_heard_and_deleted_by_phone(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    await add_user_with_phone(ehd_server, "vmlisten", "1098")
    await api.call("PUT", "/api/users/vmlisten/pin", {"pin": "1357"})
    await api.call("PUT", "/api/dids/4812", {"route_type": "sip_voicemail", "user": "vmlisten"})
    await api.call("PUT", "/api/dids/4813", {"route_type": "voicemail_access"})
    message = PROMPTS / "technical-problem.wav"
    leaving = await carrier.call("4812", caller=_caller())
    await leaving.wait_answered()
    # Speak well after the greeting and tone: on a loaded parallel run ehd's greeting once
    # began late enough that the recording missed the message's start. The silence before it
    # is recorded too (ehd ends a message after 10 s of silence, not before).
    await asyncio.sleep(0.4 + sox_stat(PROMPTS / "voicemail-greeting.wav").seconds + 3.0)
    await leaving.play(f"sound:{message.with_suffix('')}")
    await asyncio.sleep(sox_stat(message).seconds + 0.5)
    await leaving.send_dtmf("#")
    await leaving.wait_ended(timeout=15)

    listening = await carrier.call("4813", caller=_caller())
    await listening.wait_answered()
    heard = asyncio.create_task(listening.listen(f"vm-listen-{uuid.uuid4().hex[:6]}", 25))
    await asyncio.sleep(1.5)
    await listening.send_dtmf("1098#1357#")
    keying = 10 * 0.25  # the keys go out one by one after this returns; the intro waits for them
    intro = sum(
        sox_stat(PROMPTS / f"{name}.wav").seconds
        for name in ("voicemail-you-have", "voicemail-messages")
    )
    # Into the menu: a "7" that comes while the message still plays is lost (it once came
    # 0.1 s early under load, and the message was kept). The menu prompt and its 6 s wait
    # leave about 12 s after the message as recorded, so the key goes 5 s in.
    await asyncio.sleep(
        keying + intro + 1.0 + _stored_message_seconds(ehd_server, "vmlisten") + 5.0
    )
    await listening.send_dtmf("7")  # delete
    await listening.wait_ended(timeout=30)
    wav = await heard
    score, _ = contains_prompt(wav, message, max_lag_seconds=15)
    assert score > 0.7, f"the message was not played back ({score:.2f})"
    deleted, _ = contains_prompt(wav, PROMPTS / "voicemail-deleted.wav", max_lag_seconds=22)
    assert deleted > 0.8, f"no 'message deleted' ({deleted:.2f})"
    rows = await asyncio.to_thread(_voicemail_count, ehd_server, "vmlisten")
    assert rows == 0


def _voicemail_count(server: EhdProcess, username: str) -> int:
    import sqlite3

    with sqlite3.connect(server.database) as db:
        (count,) = db.execute(
            "SELECT COUNT(*) FROM voicemail_messages v JOIN users u ON u.id = v.user_id "
            "WHERE u.username = ?",
            (username,),
        ).fetchone()
    return int(count)


async def test_remote_login_toggles_with_an_announcement_and_refuses_strangers(
    ehd_server: EhdProcess, carrier: Carrier, api: Api
) -> None:
    mobile = "+46705550101"
    await api.call(
        "PUT", "/api/users/bob/remote", {"number": "070-555 01 01", "queues": ["support"]}
    )
    await api.call("POST", "/api/agents/bob/logout")
    await api.call("PUT", "/api/dids/4820", {"route_type": "remote_login"})

    async def toggle(caller: str, expected: str) -> None:
        call = await carrier.call("4820", caller=caller)
        await call.wait_answered()
        wav = await call.record(f"remote-{uuid.uuid4().hex[:6]}", seconds=6)
        await call.wait_ended()
        score, _ = contains_prompt(wav, PROMPTS / f"{expected}.wav")
        assert score > 0.8, f"'{expected}' not heard ({score:.2f})"

    try:
        await toggle("+46709999999", "remote-login-refused")
        assert (await api.call("GET", "/api/agents/bob"))["state"] == "logged_out"
        await toggle(mobile, "remote-logged-in")
        state = await api.call("GET", "/api/agents/bob")
        assert state["state"] == "ready" and state["queues"] == ["support"]
        assert state["device"] == f"PJSIP/{mobile}@trunk"
        await toggle(mobile, "remote-logged-out")
        assert (await api.call("GET", "/api/agents/bob"))["state"] == "logged_out"
    finally:
        await api.call("POST", "/api/agents/bob/logout")


async def test_survey_answers_keyed_after_the_call_are_stored(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    questions = [
        {"id": f"q{n}", "prompt": "survey-question-csat", "low": 1, "high": 5} for n in (1, 2, 3)
    ]
    await api.call("PUT", "/api/surveys/flow-survey", {"questions": questions})
    await open_queue(api, "flow-survey", "4821", greeting="goodbye", survey="flow-survey")
    await api.call("PUT", "/api/queues/flow-survey/members/alice", {"penalty": 0})

    async def online() -> bool:
        return await endpoint_state(ehd_server, "1001") == "online"

    await eventually(online, timeout=15, what="alice's phone registered")
    await api.call("POST", "/api/agents/alice/login", {"queues": ["flow-survey"]})
    caller = _caller()
    try:
        async with serving(farm, {"1001": Policy(talk=2.0)}):
            call = await carrier.call("4821", caller=caller)
            await call.wait_answered()

            async def agent_hung_up() -> bool:
                return "COMPLETEAGENT" in await asyncio.to_thread(_queue_events, ehd_server, caller)

            await eventually(agent_hung_up, timeout=30, what="the agent hung up")
            for key in "453":
                await asyncio.sleep(1.5)  # during the intro / the next question
                await call.send_dtmf(key)
            await call.wait_ended(timeout=20)
    finally:
        await api.call("POST", "/api/agents/alice/logout")
    answers = await asyncio.to_thread(_survey_answers, ehd_server, caller)
    assert answers == [("q1", 4, "alice", "flow-survey"), ("q2", 5, "alice", "flow-survey"),
                       ("q3", 3, "alice", "flow-survey")]  # fmt: skip


def _queue_events(server: EhdProcess, caller: str) -> list[str]:
    rows = call_records(server.database, caller_number=caller)
    return [line[4] for line in queue_log(server, str(rows[0]["call_id"]))] if rows else []


def _survey_answers(server: EhdProcess, caller: str) -> list[tuple[str, int, str, str]]:
    import sqlite3

    with sqlite3.connect(server.database) as db:
        rows = db.execute(
            "SELECT a.question, a.answer, a.agent, a.queue_name FROM survey_answers a "
            "JOIN call_records c ON c.call_id = a.call_id WHERE c.caller_number = ? "
            "ORDER BY a.id",
            (caller,),
        ).fetchall()
    return [(str(q), int(v), str(agent), str(queue)) for q, v, agent, queue in rows]


async def test_the_console_gets_the_call_and_screen_pop_before_the_phone_rings(
    ehd_server: EhdProcess, carrier: Carrier, farm: Carrier, api: Api
) -> None:
    template = "https://crm.example/pop?aid={AID}&bid={BID}&q={QID}&c={CUSTID}&id={GARPNUM}"
    await open_queue(api, "flow-pop", "4822", greeting="goodbye", screen_pop_url=template,
                     customer_number="optional", customer_number_min=1)  # fmt: skip
    await api.call("PUT", "/api/queues/flow-pop/members/alice", {"penalty": 0})
    await api.call("POST", "/api/agents/alice/login", {"queues": ["flow-pop"]})
    password = next(a.password for a in ehd_server.demo_site().accounts if a.username == "alice")
    console = await logged_in_session(ehd_server.web_url, "alice", password)
    caller = "+46731234567"
    try:
        async with console.ws_connect("/api/agents/alice/events") as feed:
            hello = await feed.receive_json(timeout=5)
            assert hello["type"] == "hello" and hello["state"] == "ready"
            async with serving(farm, {"1001": Policy(after=1.0, talk=1.0)}) as phones:
                call = await carrier.call("4822", caller=caller)
                await call.wait_answered()
                await asyncio.sleep(0.4 + sox_stat(PROMPTS / "goodbye.wav").seconds + 1.0)
                await call.send_dtmf("12345#")
                while (event := await feed.receive_json(timeout=30))["type"] != "offer":
                    pass
                answered_when_offered = bool(phones.answered_by("1001"))
                await call.hangup()
    finally:
        await console.close()
        await api.call("POST", "/api/agents/alice/logout")
    assert not answered_when_offered, "the console heard of the call after the phone answered"
    call_id = event["call_id"]
    assert (event["caller"], event["did"], event["customer_number"]) == (caller, "4822", "12345")
    assert event["screen_pop"] == (
        f"https://crm.example/pop?aid=%2B46731234567&bid=4822&q=flow-pop&c=12345&id={call_id}"
    )
