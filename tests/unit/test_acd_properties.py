"""Properties of the ACD engine over random event sequences (hypothesis)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from ehd.acd import actions as act
from ehd.acd import events as ev
from ehd.acd.model import PenaltyRule, QueueConfig
from tests.unit.acd_driver import Driver

AGENTS = ("a1", "a2", "a3")
TERMINAL = {
    "ABANDON",
    "COMPLETEAGENT",
    "COMPLETECALLER",
    "EXITWITHTIMEOUT",
    "EXITEMPTY",
    "EXITWITHKEY",
    "FULL",
    "JOINEMPTY",
}
WRAPUP = 5.0

op = st.one_of(
    st.tuples(st.just("arrive"), st.integers(0, 2)),
    st.tuples(st.just("leave"), st.integers(0, 30)),
    st.tuples(st.just("answer"), st.integers(0, 30)),
    st.tuples(st.just("fail"), st.integers(0, 30)),
    st.tuples(st.just("complete"), st.integers(0, 30)),
    st.tuples(st.just("advance"), st.floats(0.1, 20)),
    st.tuples(st.just("pause"), st.sampled_from(AGENTS)),
    st.tuples(st.just("unpause"), st.sampled_from(AGENTS)),
    st.tuples(st.just("logout"), st.sampled_from(AGENTS)),
    st.tuples(st.just("login"), st.sampled_from(AGENTS)),
    st.tuples(st.just("transfer"), st.tuples(st.integers(0, 30), st.integers(0, 3), st.booleans())),
    st.tuples(st.just("consult"), st.sampled_from(AGENTS)),
    st.tuples(st.just("consult_over"), st.sampled_from(AGENTS)),
    st.tuples(st.just("hand_over"), st.tuples(st.integers(0, 30), st.sampled_from(AGENTS))),
)


def _pick(options: list[str], index: int) -> str | None:
    return options[index % len(options)] if options else None


class CheckedDriver(Driver):
    """Checks the invariants after every event the engine handles, timers included."""

    completed_at: dict[str, float]
    arrival_order: list[str]

    def send(self, event: ev.Event) -> list[act.Action]:
        ending = isinstance(
            event, (ev.ItemCompleted, ev.ItemLeft, ev.ItemTransferred, ev.ItemHandedOver)
        )
        item = self.engine.items.get(getattr(event, "item_id", ""))
        if ending and item is not None and item.agent:
            self.completed_at[item.agent] = event.at
        out = super().send(event)
        _check_step(self, out, self.completed_at)
        for log in out:
            if isinstance(log, act.LogQueueEvent) and log.event == "AGENTLOGOFF":
                # Logged off (maybe only after the call): the next login starts fresh, as a
                # member removed and re-added does in app_queue.
                self.completed_at.pop(log.agent, None)
        return out


QUEUE = QueueConfig(
    "q", ring_timeout=8, wrapup_seconds=WRAPUP, misses_before_pause=2, overflow_after=60,
    max_length=6,
)  # fmt: skip
# Penalties: a1 (0) from the start, a2 (3) after 10 s of waiting, a3 (7) after 20 s.
WITH_PENALTIES = replace(
    QUEUE, max_penalty=0, penalty_rules=(PenaltyRule(10, 5), PenaltyRule(20, 9))
)
PENALTIES = {"a1": 0, "a2": 3, "a3": 7}


def _run(ops: list[tuple[str, object]], penalties: bool = False) -> None:
    d = CheckedDriver(WITH_PENALTIES if penalties else QUEUE)
    d.completed_at, d.arrival_order = {}, []

    def log_in(agent: str) -> None:
        d.login(agent, {"q": PENALTIES[agent] if penalties else 0})

    for agent in AGENTS:
        log_in(agent)
    arrived: list[str] = []
    for n, (name, arg) in enumerate(ops):
        engine = d.engine
        offers = [(item.id, agent) for item in engine.items.values() for agent in item.offers]
        connected = [item.id for item in engine.items.values() if item.agent]
        if name == "arrive":
            arrived.append(f"c{n}")
            d.arrival_order.append(f"c{n}")
            d.arrive(f"c{n}", priority=int(arg))  # type: ignore[call-overload]
        elif name == "leave" and (item := _pick(list(engine.items), int(arg))):  # type: ignore[call-overload]
            d.send(ev.ItemLeft(d.now, item))
        elif name == "answer" and offers:
            item, agent = offers[int(arg) % len(offers)]  # type: ignore[call-overload]
            d.answer(item, agent)
        elif name == "fail" and offers:
            item, agent = offers[int(arg) % len(offers)]  # type: ignore[call-overload]
            d.send(ev.OfferFailed(d.now, item, agent))
        elif name == "complete" and (item := _pick(connected, int(arg))):  # type: ignore[call-overload]
            d.complete(item, by_agent=bool(n % 2))
        elif name == "advance":
            d.advance(float(arg))  # type: ignore[arg-type]
        elif name == "pause":
            d.send(ev.AgentPaused(d.now, str(arg), "break"))
        elif name == "unpause":
            d.send(ev.AgentUnpaused(d.now, str(arg)))
        elif name == "logout":
            d.send(ev.AgentLoggedOut(d.now, str(arg)))
        elif name == "login":
            log_in(str(arg))
        elif name == "transfer":
            assert isinstance(arg, tuple)
            index, to_agent, keep_place = (int(arg[0]), int(arg[1]), bool(arg[2]))
            if transferred := _pick(connected, index):
                target = AGENTS[to_agent] if to_agent < len(AGENTS) else None
                if not keep_place:  # to the back of the line, as a new arrival would be
                    d.arrival_order.remove(transferred)
                    d.arrival_order.append(transferred)
                d.transfer(transferred, agent=target, keep_place=keep_place)
        elif name == "consult":
            d.send(ev.AgentOnOtherCall(d.now, str(arg)))
        elif name == "consult_over":
            d.send(ev.AgentOffOtherCall(d.now, str(arg)))
        elif name == "hand_over":
            assert isinstance(arg, tuple)
            if handed := _pick(connected, int(arg[0])):
                d.send(ev.ItemHandedOver(d.now, handed, str(arg[1])))
    _check_conservation(d, arrived)


def _expected_order(d: Driver, item: object) -> tuple[int, float, int]:
    """The order the spec asks for, independent of the engine: priority, then arrival."""
    priority, entered, item_id = item.priority, item.entered_at, item.id  # type: ignore[attr-defined]
    return (-priority, entered, d.arrival_order.index(item_id))  # type: ignore[attr-defined]


def _check_step(d: Driver, new: list[act.Action], completed_at: dict[str, float]) -> None:
    engine = d.engine
    holders = Counter(item.agent for item in engine.items.values() if item.agent)
    ringing = Counter(agent for item in engine.items.values() for agent in item.offers)
    for agent in AGENTS:
        assert holders[agent] + ringing[agent] <= 1, f"{agent} holds two items"
    waiting = engine.queues["q"].waiting
    for offer in (a for a in new if isinstance(a, act.Offer)):
        assert not engine.agents[offer.agent_id].other_call, "offered during a consultation"
        item = engine.items[offer.item_id]
        for other in waiting:
            better = _expected_order(d, other) < _expected_order(d, item)
            low, high = engine._penalty_range(other, engine.queues["q"], d.now)
            penalty = engine.agents[offer.agent_id].memberships["q"]
            in_range = low <= penalty <= high or other.reserved_for == offer.agent_id
            free_for_it = (
                in_range
                and other.missed_until.get(offer.agent_id, 0.0) <= d.now
                and other.reserved_for in (None, offer.agent_id)  # kept for another agent
            )
            # An item ahead that could have had this agent and was not offered anyone: wrong.
            assert not (better and free_for_it and not other.offers), "priority/FIFO broken"
        if offer.agent_id in completed_at:
            assert d.now >= completed_at[offer.agent_id] + WRAPUP - 1e-9, "wrap-up ignored"
    # Work-conserving: no ready agent idles while a caller it could take waits unoffered (a
    # retry wait or penalty step ending at this very instant counts once the instant's
    # timers have fired).
    for item in waiting:
        if item.offers:
            continue
        low, high = engine._penalty_range(item, engine.queues["q"], d.now - 1e-6)
        for agent_id in engine._ready:
            penalty = engine.agents[agent_id].memberships["q"]
            in_range = low <= penalty <= high or item.reserved_for == agent_id
            rested = item.missed_until.get(agent_id, -1.0) < d.now
            kept_for_another = item.reserved_for not in (None, agent_id)
            could = in_range and rested and not kept_for_another
            assert not could, f"{agent_id} idles while {item.id} waits"


def _check_conservation(d: Driver, arrived: list[str]) -> None:
    terminal = Counter(log.call_id for log in d.logs(*TERMINAL))
    for item in arrived:
        live = item in d.engine.items
        assert terminal[item] + live == 1, f"{item}: live={live}, ended {terminal[item]}x"


@settings(max_examples=400, deadline=None)
@given(st.lists(op, max_size=60))
def test_no_item_is_lost_or_duplicated_and_order_holds(ops: list[tuple[str, object]]) -> None:
    _run(ops)


@settings(max_examples=400, deadline=None)
@given(st.lists(op, max_size=60))
def test_penalties_widen_with_waiting_and_nobody_idles_past_them(
    ops: list[tuple[str, object]],
) -> None:
    _run(ops, penalties=True)


def test_the_property_check_catches_an_idle_agent() -> None:
    """Guard against a check that cannot fail: an engine that never offers must be caught."""
    import pytest

    from ehd.acd.engine import AcdEngine

    original = AcdEngine._dispatch
    AcdEngine._dispatch = lambda self, at, out: None  # type: ignore[method-assign]
    try:
        with pytest.raises(AssertionError, match="idles while"):
            _run([("arrive", 0)])
    finally:
        AcdEngine._dispatch = original  # type: ignore[method-assign]


def test_the_property_check_catches_a_broken_order() -> None:
    """Guard against a check that cannot fail: serve LIFO and the property must object."""
    import pytest

    from ehd.acd.engine import Item

    original = Item.sort_key
    Item.sort_key = lambda self: (-self.priority, -self.entered_at, self.seq)  # type: ignore[method-assign]
    try:
        with pytest.raises(AssertionError, match="priority/FIFO"):
            # One agent serving, two callers waiting when it frees up.
            _run(
                [
                    ("pause", "a2"),
                    ("pause", "a3"),
                    ("arrive", 0),
                    ("advance", 1.0),
                    ("arrive", 0),
                    ("advance", 1.0),
                    ("arrive", 0),
                    ("answer", 0),
                    ("complete", 0),
                    ("advance", 10.0),
                ]
            )
    finally:
        Item.sort_key = original  # type: ignore[method-assign]
