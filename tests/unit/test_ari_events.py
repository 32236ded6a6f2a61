import json

import pytest

from ehd.ari.events import (
    AriPayloadError,
    ChannelDestroyed,
    ChannelDtmfReceived,
    PlaybackEvent,
    StasisStart,
    UnknownEvent,
    parse_event,
    parse_time,
)

CHANNEL = {
    "id": "1700000000.12",
    "name": "PJSIP/trunk-00000001",
    "state": "Ring",
    "caller": {"name": "Test", "number": "+46701234567"},
    "connected": {"name": "", "number": ""},
    "accountcode": "",
    "dialplan": {
        "context": "from-trunk",
        "exten": "4600",
        "priority": 1,
        "app_name": "Stasis",
        "app_data": "ehd,inbound,4600",
    },
    "creationtime": "2026-11-22T23:20:34.797+0000",
    "language": "en",
}


def test_stasis_start_is_typed() -> None:
    event = parse_event(
        {
            "type": "StasisStart",
            "application": "ehd",
            "args": ["inbound", "4600"],
            "channel": CHANNEL,
        }
    )
    assert isinstance(event, StasisStart)
    assert event.args == ("inbound", "4600")
    assert event.channel.caller_number == "+46701234567"
    assert event.channel.exten == "4600"
    assert event.channel.created is not None and event.channel.created.year == 2026


def test_dtmf_destroyed_and_playback_events() -> None:
    dtmf = parse_event(
        {
            "type": "ChannelDtmfReceived",
            "application": "ehd",
            "digit": "5",
            "duration_ms": 100,
            "channel": CHANNEL,
        }
    )
    assert isinstance(dtmf, ChannelDtmfReceived) and dtmf.digit == "5"
    gone = parse_event(
        {
            "type": "ChannelDestroyed",
            "application": "ehd",
            "cause": 16,
            "cause_txt": "Normal Clearing",
            "channel": CHANNEL,
        }
    )
    assert isinstance(gone, ChannelDestroyed) and gone.cause == 16
    done = parse_event(
        {
            "type": "PlaybackFinished",
            "application": "ehd",
            "playback": {
                "id": "pb1",
                "media_uri": "sound:x",
                "target_uri": "channel:1700000000.12",
                "language": "en",
                "state": "done",
            },
        }
    )
    assert isinstance(done, PlaybackEvent) and done.playback_id == "pb1"


def test_unmodelled_event_type_is_kept_raw() -> None:
    event = parse_event({"type": "ChannelVarset", "application": "ehd", "variable": "X"})
    assert isinstance(event, UnknownEvent) and event.raw["variable"] == "X"


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "text",
        {"application": "ehd"},
        {"type": 5, "application": "ehd"},
        {"type": "StasisStart", "application": "ehd", "args": []},
        {"type": "StasisStart", "application": "ehd", "args": "x", "channel": CHANNEL},
        {"type": "StasisEnd", "application": "ehd", "channel": {**CHANNEL, "caller": "oops"}},
        {"type": "ChannelDtmfReceived", "application": "ehd", "digit": 5, "channel": CHANNEL},
    ],
)
def test_odd_payloads_raise_a_payload_error(payload: object) -> None:
    with pytest.raises(AriPayloadError):
        parse_event(json.loads(json.dumps(payload)))


def test_bad_timestamps_parse_to_none() -> None:
    assert parse_time("") is None
    assert parse_time("yesterday") is None
