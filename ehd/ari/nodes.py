"""Several Asterisk nodes behind the one ARI client the application uses.

Each request goes to the node that holds what it names: a channel (known from the node's
events, or from the request that made it), a playback or recording started on a channel, a
bridge. What ehd makes is made beside what it belongs with: a channel originated for a call
on the call's node (``beside``), a bridge on the node of the first channel put into it (so
the holding bridge of a queue exists once per node that has a caller waiting). Lists are
gathered from every node; a node that is down leaves its channels out of them only once it
has been gone for :data:`LOST_AFTER_SECONDS`, so a short outage does not end its calls in
ehd's records while they go on in Asterisk.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from ehd.ari.client import AriClient, AriHttpError
from ehd.ari.events import (
    Bridge,
    BridgeChannelEvent,
    Channel,
    ChannelDestroyed,
    ChannelEvent,
    Event,
    PlaybackEvent,
    RecordingEvent,
)

log = logging.getLogger(__name__)

# A node whose events have stopped this long is lost: its calls are over.
LOST_AFTER_SECONDS = 5.0


class NodeUnsettled(AriHttpError):
    """A node is down but not yet lost: its channels can be neither listed nor given up."""


class AriNodes(AriClient):
    def __init__(
        self, nodes: dict[str, AriClient], clock: Callable[[], float] = time.monotonic
    ) -> None:
        # No session of its own: every request goes through one of the nodes' clients.
        first = next(iter(nodes.values()))
        self.base_url, self.auth_headers = first.base_url, first.auth_headers
        self.nodes = nodes
        self._clock = clock
        self._where: dict[str, str] = {}  # channel, playback or recording -> its node
        self._bridges: dict[str, set[str]] = {}  # bridge -> the nodes it exists on
        self._bridge_kinds: dict[str, tuple[str, str]] = {}  # bridge -> (type, name)
        self._down_since: dict[str, float] = dict.fromkeys(nodes, clock())
        self._turn = itertools.cycle(list(nodes))

    # --- what the nodes tell -------------------------------------------------------------
    def connected(self, node: str) -> None:
        """The node's events flow again; what ehd knew of its bridges may be stale."""
        self._down_since.pop(node, None)
        for nodes in self._bridges.values():
            nodes.discard(node)

    def disconnected(self, node: str) -> None:
        self._down_since.setdefault(node, self._clock())

    def is_up(self, node: str) -> bool:
        return node not in self._down_since

    def is_lost(self, node: str) -> bool:
        since = self._down_since.get(node)
        return since is not None and self._clock() - since >= LOST_AFTER_SECONDS

    def learn(self, node: str, event: Event) -> None:
        """Note where the things an event names live (before it is dispatched)."""
        if isinstance(event, ChannelEvent):
            self._where[event.channel.id] = node
        if isinstance(event, BridgeChannelEvent):
            self._bridges.setdefault(event.bridge.id, set()).add(node)
        elif isinstance(event, PlaybackEvent):
            self._where[event.playback_id] = node
        elif isinstance(event, RecordingEvent):
            self._where[f"recording:{event.name}"] = node

    def forget(self, event: Event) -> None:
        """Drop what an event ended (after it is dispatched)."""
        if isinstance(event, ChannelDestroyed):
            self._where.pop(event.channel.id, None)
        elif isinstance(event, PlaybackEvent) and event.type == "PlaybackFinished":
            self._where.pop(event.playback_id, None)

    def node_of(self, resource_id: str) -> str | None:
        return self._where.get(resource_id)

    # --- routing --------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        parts = path.strip("/").split("/")
        node = self._route(method, parts, params or {})
        return await self.nodes[node].request(method, path, params, body)

    def _route(self, method: str, parts: list[str], params: dict[str, Any]) -> str:
        match parts:
            case ["channels", channel_id]:
                node = self._where.get(channel_id) or self._spare_node()
                if method == "POST":  # originated here
                    self._where.setdefault(channel_id, node)
                return node
            case ["channels", channel_id, *rest]:
                node = self._where.get(channel_id) or self._spare_node()
                self._note_made(node, rest, params)
                return node
            case ["bridges", bridge_id, *rest]:
                channel = str(params.get("channel") or "").split(",")[0]
                node = self._where.get(channel) or self._bridge_node(bridge_id)
                self._note_made(node, rest, params)
                return node
            case ["playbacks", playback_id, *_]:
                return self._where.get(playback_id) or self._spare_node()
            case ["recordings", "live", *name]:  # a name may hold slashes
                if name[-1:] in (["stop"], ["pause"], ["mute"]):
                    name = name[:-1]
                return self._where.get(f"recording:{'/'.join(name)}") or self._spare_node()
            case _:  # endpoints, applications, asterisk: any node answers the same
                return self._spare_node()

    def _note_made(self, node: str, rest: list[str], params: dict[str, Any]) -> None:
        """A playback, snoop or recording a request starts lives on the node it asked."""
        match rest:
            case ["play", playback_id]:
                self._where[playback_id] = node
            case ["snoop"] if params.get("snoopId"):
                self._where[str(params["snoopId"])] = node
            case ["record"] if params.get("name"):
                self._where[f"recording:{params['name']}"] = node
            case _:
                pass

    def _bridge_node(self, bridge_id: str) -> str:
        nodes = self._bridges.get(bridge_id)
        return next(iter(nodes)) if nodes else self._spare_node()

    def _spare_node(self) -> str:
        """A node that is up, in turn (the first if none is)."""
        for _ in range(len(self.nodes)):
            node = next(self._turn)
            if self.is_up(node):
                return node
        return next(iter(self.nodes))

    # --- the helpers that need more than one node ------------------------------------------
    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str,
        app: str,
        app_args: str = "",
        caller_id: str | None = None,
        timeout: int = 30,
        variables: dict[str, str] | None = None,
        beside: str = "",
    ) -> Channel:
        if beside and channel_id not in self._where:
            node = self._where.get(beside)
            if node is not None:
                self._where[channel_id] = node
        return await super().originate(
            endpoint, channel_id=channel_id, app=app, app_args=app_args,
            caller_id=caller_id, timeout=timeout, variables=variables,
        )  # fmt: skip

    async def create_bridge(self, bridge_id: str, bridge_type: str, name: str = "") -> Bridge:
        """Made on a node when its first channel is added (:meth:`add_to_bridge`)."""
        self._bridge_kinds[bridge_id] = (bridge_type, name or bridge_id)
        self._bridges.setdefault(bridge_id, set())
        return Bridge(bridge_id, bridge_type, ())

    async def add_to_bridge(
        self, bridge_id: str, channel_id: str | list[str], role: str | None = None
    ) -> None:
        first = channel_id if isinstance(channel_id, str) else channel_id[0]
        node = self._where.get(first) or self._spare_node()
        where = self._bridges.setdefault(bridge_id, set())
        kind = self._bridge_kinds.get(bridge_id)
        if node not in where and kind is not None:
            await self.nodes[node].create_bridge(bridge_id, *kind)
        where.add(node)
        await self.nodes[node].add_to_bridge(bridge_id, channel_id, role)

    async def destroy_bridge(self, bridge_id: str) -> None:
        where = self._bridges.pop(bridge_id, set())
        self._bridge_kinds.pop(bridge_id, None)
        if not where:
            raise AriHttpError(f"DELETE bridges/{bridge_id}: on no node", 404)
        for node in where:
            await self.nodes[node].destroy_bridge(bridge_id)

    async def list_bridges(self) -> list[Bridge]:
        """Every node's bridges (a queue's holding bridge may be on several)."""
        found: list[Bridge] = []
        for node in self._listable():
            for bridge in await self.nodes[node].list_bridges():
                self._bridges.setdefault(bridge.id, set()).add(node)
                found.append(bridge)
        return found

    async def list_channels(self) -> list[Channel]:
        """Every node's channels; a lost node has none. Raises :class:`NodeUnsettled` while
        a node is down but not yet lost."""
        found: list[Channel] = []
        for node in self._listable():
            channels = await self.nodes[node].list_channels()
            self._where.update((channel.id, node) for channel in channels)
            found += channels
        return found

    def _listable(self) -> Iterable[str]:
        for node in self.nodes:
            if self.is_up(node):
                yield node
            elif not self.is_lost(node):
                raise NodeUnsettled(f"Asterisk node {node} is down, not yet given up")

    async def ping(self) -> bool:
        """Up while any node is: the others' calls go to it."""
        for client in self.nodes.values():
            if await client.ping():
                return True
        return False

    async def reload_module(self, module: str) -> None:
        for node, client in self.nodes.items():
            if self.is_up(node):
                await client.reload_module(module)
