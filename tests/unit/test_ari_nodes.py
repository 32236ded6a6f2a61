"""Requests through several Asterisk nodes reach the node holding what they name."""

from __future__ import annotations

from typing import Any

import pytest

from ehd.ari.client import AriClient
from ehd.ari.events import parse_event
from ehd.ari.nodes import LOST_AFTER_SECONDS, AriNodes, NodeUnsettled


class FakeNode(AriClient):
    """A node that notes each request and answers lists with what it holds."""

    def __init__(self, name: str, log: list[tuple[str, str, str]]) -> None:
        self.base_url, self.auth_headers = f"http://{name}/ari", {}
        self.name, self.log = name, log
        self.channels: list[dict[str, Any]] = []

    async def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        self.log.append((self.name, method, path))
        if (method, path) == ("GET", "channels"):
            return self.channels
        if (method, path) == ("GET", "bridges"):
            return []
        if method == "POST" and path.startswith("channels/") and path.count("/") == 1:
            return _channel(path.split("/")[1])
        if method == "POST" and path.startswith("bridges/") and path.count("/") == 1:
            return {"id": path.split("/")[1], "bridge_type": "mixing", "channels": []}
        return None


def _channel(channel_id: str) -> dict[str, Any]:
    return {"id": channel_id, "name": f"PJSIP/x-{channel_id}", "state": "Up"}


def _started(channel_id: str) -> Any:
    return parse_event({"type": "StasisStart", "application": "ehd", "args": [],
                        "channel": _channel(channel_id)})  # fmt: skip


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def nodes() -> tuple[AriNodes, list[tuple[str, str, str]], Clock]:
    log: list[tuple[str, str, str]] = []
    clock = Clock()
    router = AriNodes({"a": FakeNode("a", log), "b": FakeNode("b", log)}, clock=clock)
    router.connected("a")
    router.connected("b")
    return router, log, clock


async def test_a_call_is_answered_played_to_and_hung_up_on_its_own_node(
    nodes: tuple[AriNodes, list[tuple[str, str, str]], Clock],
) -> None:
    router, log, _ = nodes
    router.learn("b", _started("ehd-b-1.1"))
    await router.answer("ehd-b-1.1")
    await router.play("ehd-b-1.1", "sound:hello", "pb-1")
    await router.stop_playback("pb-1")
    await router.start_moh("ehd-b-1.1")
    await router.hangup("ehd-b-1.1")
    assert {node for node, _, _ in log} == {"b"}, log


async def test_an_agent_leg_is_made_beside_its_caller_and_bridged_there(
    nodes: tuple[AriNodes, list[tuple[str, str, str]], Clock],
) -> None:
    router, log, _ = nodes
    router.learn("b", _started("ehd-b-1.1"))
    await router.originate("PJSIP/1001", channel_id="ehd-q-1", app="ehd", beside="ehd-b-1.1")
    await router.create_bridge("ehd-call-1", "mixing")
    await router.add_to_bridge("ehd-call-1", ["ehd-b-1.1", "ehd-q-1"])
    await router.record_bridge("ehd-call-1", "calls/1")
    await router.stop_recording("calls/1")
    await router.destroy_bridge("ehd-call-1")
    assert [(node, method, path) for node, method, path in log] == [
        ("b", "POST", "channels/ehd-q-1"),
        ("b", "POST", "bridges/ehd-call-1"),
        ("b", "POST", "bridges/ehd-call-1/addChannel"),
        ("b", "POST", "bridges/ehd-call-1/record"),
        ("b", "POST", "recordings/live/calls/1/stop"),
        ("b", "DELETE", "bridges/ehd-call-1"),
    ]


async def test_a_queues_holding_bridge_is_made_on_each_node_with_a_caller_waiting(
    nodes: tuple[AriNodes, list[tuple[str, str, str]], Clock],
) -> None:
    router, log, _ = nodes
    router.learn("a", _started("ehd-1.1"))
    router.learn("b", _started("ehd-b-1.1"))
    await router.create_bridge("ehd-hold-1", "holding")
    await router.add_to_bridge("ehd-hold-1", "ehd-1.1")
    await router.add_to_bridge("ehd-hold-1", "ehd-b-1.1")
    await router.request("POST", "bridges/ehd-hold-1/removeChannel", {"channel": "ehd-b-1.1"})
    made = [(node, path) for node, method, path in log if method == "POST"]
    assert made == [
        ("a", "bridges/ehd-hold-1"),
        ("a", "bridges/ehd-hold-1/addChannel"),
        ("b", "bridges/ehd-hold-1"),
        ("b", "bridges/ehd-hold-1/addChannel"),
        ("b", "bridges/ehd-hold-1/removeChannel"),
    ]


async def test_a_node_down_holds_back_the_list_until_it_is_lost(
    nodes: tuple[AriNodes, list[tuple[str, str, str]], Clock],
) -> None:
    router, _, clock = nodes
    first, second = router.nodes["a"], router.nodes["b"]
    assert isinstance(first, FakeNode) and isinstance(second, FakeNode)
    first.channels, second.channels = [_channel("ehd-1.1")], [_channel("ehd-b-1.1")]
    assert {c.id for c in await router.list_channels()} == {"ehd-1.1", "ehd-b-1.1"}
    router.disconnected("b")
    with pytest.raises(NodeUnsettled):
        await router.list_channels()  # its calls may go on: not ended in the records yet
    clock.now += LOST_AFTER_SECONDS
    assert router.is_lost("b")
    assert {c.id for c in await router.list_channels()} == {"ehd-1.1"}
    router.connected("b")
    assert not router.is_lost("b")


async def test_new_channels_without_a_partner_go_to_the_nodes_that_are_up_in_turn(
    nodes: tuple[AriNodes, list[tuple[str, str, str]], Clock],
) -> None:
    router, log, _ = nodes
    for number in range(4):
        await router.originate("PJSIP/1001", channel_id=f"ehd-click-{number}", app="ehd")
    assert [node for node, _, _ in log] == ["a", "b", "a", "b"]
    router.disconnected("a")
    log.clear()
    await router.originate("PJSIP/1001", channel_id="ehd-click-9", app="ehd")
    assert log == [("b", "POST", "channels/ehd-click-9")]
