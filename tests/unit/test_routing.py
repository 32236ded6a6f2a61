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


@pytest.mark.parametrize(
    "kind",
    [
        RouteType.IVR,
        RouteType.REMOTE_LOGIN,
        RouteType.RECORDING_SERVICE,
        RouteType.VOICEMAIL_ACCESS,
    ],
)
def test_routes_of_later_features_are_explicitly_unavailable(kind: RouteType) -> None:
    route = decide_route(DidEntry("4620", kind))
    assert route.action == Action.UNAVAILABLE
    assert kind.value in route.reason


def test_holding_bridge_id_is_deterministic() -> None:
    assert holding_bridge_id(7) == holding_bridge_id(7) == "ehd-queue-7"
