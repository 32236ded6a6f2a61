import pytest

from ehd.calls.routing import Action, DidEntry, decide_route, holding_bridge_id
from ehd.db.models import RouteType


def test_unknown_number_is_not_in_service() -> None:
    route = decide_route(None)
    assert route.action == Action.NOT_IN_SERVICE
    assert route.reason == "unknown number"


def test_unused_number_is_not_in_service() -> None:
    assert decide_route(DidEntry("4601", RouteType.UNUSED)).action == Action.NOT_IN_SERVICE


def test_queue_route_carries_the_queue_settings() -> None:
    entry = DidEntry(
        "4600",
        RouteType.QUEUE,
        queue_id=3,
        queue_name="support",
        queue_greeting="hello",
        queue_moh_class="jazz",
        queue_language="sv",
    )
    route = decide_route(entry)
    assert route.action == Action.QUEUE
    assert (route.queue_id, route.target, route.greeting) == (3, "support", "hello")
    assert (route.moh_class, route.language) == ("jazz", "sv")


def test_queue_route_without_queue_is_not_in_service() -> None:
    route = decide_route(DidEntry("4600", RouteType.QUEUE))
    assert route.action == Action.NOT_IN_SERVICE


@pytest.mark.parametrize(("configured", "expected"), [(30, 30), (1, 5), (600, 120)])
def test_sip_route_rings_within_bounds(configured: int, expected: int) -> None:
    entry = DidEntry("4610", RouteType.SIP_ACCOUNT, sip_extension="1001", ring_seconds=configured)
    route = decide_route(entry)
    assert (route.action, route.target, route.ring_seconds) == (Action.RING_SIP, "1001", expected)


def test_sip_route_without_account_is_not_in_service() -> None:
    assert decide_route(DidEntry("4610", RouteType.SIP_ACCOUNT)).action == Action.NOT_IN_SERVICE


def test_remote_login_number() -> None:
    assert decide_route(DidEntry("4620", RouteType.REMOTE_LOGIN)).action == Action.REMOTE_LOGIN


def test_sip_with_voicemail_names_the_mailbox() -> None:
    entry = DidEntry("4610", RouteType.SIP_VOICEMAIL, sip_extension="1001", username="alice")
    assert decide_route(entry).voicemail == "alice"
    plain = DidEntry("4610", RouteType.SIP_ACCOUNT, sip_extension="1001", username="alice")
    assert decide_route(plain).voicemail == ""


def test_menu_and_service_numbers() -> None:
    assert decide_route(DidEntry("4630", RouteType.IVR, menu_name="main")).target == "main"
    assert decide_route(DidEntry("4630", RouteType.IVR)).action == Action.NOT_IN_SERVICE
    voicemail = decide_route(DidEntry("4640", RouteType.VOICEMAIL_ACCESS))
    assert voicemail.action == Action.VOICEMAIL_ACCESS
    recording = decide_route(DidEntry("4650", RouteType.RECORDING_SERVICE))
    assert recording.action == Action.RECORDING_SERVICE


def test_holding_bridge_id_is_deterministic() -> None:
    assert holding_bridge_id(7) == holding_bridge_id(7) == "ehd-queue-7"
