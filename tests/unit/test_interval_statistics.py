"""Call figures per 15-minute slot folded from queue_log rows, checked against figures worked
out by hand for a small history; and the slots summed into hours, days, weeks and months on
the site's clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ehd.acd.actions import LogQueueEvent
from ehd.stats.intervals import (
    ALL_QUEUES,
    IntervalFold,
    Measures,
    SlotCounts,
    SlotKey,
    band_of,
    slot_of,
)
from ehd.stats.queue_log_import import parse_line
from ehd.stats.rollup import (
    Granularity,
    Grouping,
    month_spans,
    offset_spans,
    period_start,
    roll_up,
    total,
)
from ehd.stats.service_alarm import BackOnTarget, Missed, ServiceAlarms

T0 = 1_800_000_000  # a slot start (2027-01-15 08:00 UTC)
Q = "support"


def row(at: int, call: str, agent: str, event: str, *data: object) -> LogQueueEvent:
    return LogQueueEvent(T0 + at, call, Q, agent, event, tuple(str(d) for d in data))


HISTORY = [
    row(10, "G", "NONE", "FULL", 1, 1, 0),
    row(100, "A", "NONE", "ENTERQUEUE", "", "+46701", 1),
    row(105, "A", "bob", "RINGNOANSWER", 5000),
    row(110, "A", "alice", "CONNECT", 10, "PJSIP/alice-1", 3),
    row(200, "C", "NONE", "ENTERQUEUE", "", "+46702", 1),
    row(203, "C", "NONE", "ABANDON", 1, 1, 3),
    row(300, "A", "alice", "COMPLETECALLER", 10, 190, 1),
    row(300, "D", "NONE", "ENTERQUEUE", "", "+46703", 1),
    row(340, "D", "NONE", "ABANDON", 1, 1, 40),
    row(400, "E", "NONE", "ENTERQUEUE", "", "+46704", 1),
    row(460, "E", "NONE", "EXITWITHTIMEOUT", 1, 1, 60),
    row(890, "B", "NONE", "ENTERQUEUE", "", "+46705", 1),
    row(890, "I", "NONE", "ENTERQUEUE", "", "+46706", 2),
    row(895, "I", "alice", "CONNECT", 5, "PJSIP/alice-2", 2),
    # H entered before the log starts: its slot comes from its own times
    row(905, "H", "alice", "CONNECT", 20, "PJSIP/alice-3", 2),
    row(925, "B", "bob", "CONNECT", 35, "PJSIP/bob-1", 4),
    row(950, "F", "NONE", "ENTERQUEUE", "", "+46707", 1),
    row(960, "F", "NONE", "EXITWITHKEY", "1", 1, 1, 10),
    row(1000, "B", "bob", "BLINDTRANSFER", "300", "from-ehd", 35, 75, 1),
    # alice hands I to bob, who was consulted: the call stays in the queue with bob
    row(1000, "I", "alice", "ATTENDEDTRANSFER", "BRIDGE", "b-1", 5, 105, 2),
    row(1005, "H", "alice", "COMPLETEAGENT", 20, 100, 2),
    row(1200, "I", "bob", "COMPLETECALLER", 5, 200, 2),
]


def folded() -> dict[SlotKey, SlotCounts]:
    return IntervalFold(lambda queue: 20.0 if queue == Q else None).fold(HISTORY)


def test_a_slot_holds_what_became_of_the_calls_that_entered_it() -> None:
    first = folded()[SlotKey(T0, Q)]
    assert (first.offered, first.rejected) == (6, 1)  # A B C D E I; G turned away
    assert (first.answered, first.answered_in_goal) == (4, 3)  # A 10 s, H 20, I 5; B 35
    assert (first.wait_answered_seconds, first.wait_answered_max) == (70, 35)
    assert (first.abandoned, first.abandoned_in_goal, first.short_abandoned) == (2, 1, 1)
    assert first.wait_abandoned_seconds == 43
    assert (first.timed_out, first.key_exits, first.left_empty, first.overflowed) == (1, 0, 0, 1)
    assert (first.transferred, first.completed) == (2, 3)  # B, I by alice; A, H, I by bob
    assert first.talk_seconds == 190 + 75 + 100 + 105 + 200
    assert first.answered_waits == [1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    assert first.abandoned_waits == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    second = folded()[SlotKey(T0 + 900, Q)]
    assert (second.offered, second.key_exits, second.answered) == (1, 1, 0)


def test_each_agent_has_the_calls_they_answered_and_ended() -> None:
    deltas = folded()
    alice, bob = deltas[SlotKey(T0, Q, "alice")], deltas[SlotKey(T0, Q, "bob")]
    assert (alice.answered, alice.answered_in_goal, alice.wait_answered_seconds) == (3, 3, 35)
    assert (alice.completed, alice.transferred, alice.talk_seconds) == (2, 1, 190 + 100 + 105)
    assert (bob.answered, bob.answered_in_goal, bob.not_answered_rings) == (1, 0, 1)
    assert (bob.completed, bob.transferred, bob.talk_seconds) == (1, 1, 75 + 200)
    assert {key.agent for key in deltas} == {"", "alice", "bob"}


def test_the_measures_of_a_slot() -> None:
    measures = Measures(folded()[SlotKey(T0, Q)]).as_dict()
    assert measures["service_level"] == 75.0  # 3 of 4 answered within 20 s
    assert measures["service_level_2"] == 66.7  # (3 + 1 quick abandon) / (4 + 2)
    assert (measures["answered_percent"], measures["abandoned_percent"]) == (66.7, 33.3)
    assert measures["average_speed_of_answer"] == 17.5
    assert measures["longest_wait_answered"] == 35
    assert measures["average_abandoned_wait"] == 21.5
    assert measures["average_talk"] == 134.0  # 670 s over 5 parts
    assert Measures(SlotCounts()).as_dict()["service_level"] is None


def test_folding_in_pieces_gives_the_figures_of_folding_at_once() -> None:
    """Live rows arrive a few at a time; an import comes in chunks."""
    fold = IntervalFold(lambda queue: 20.0)
    pieces: dict[SlotKey, SlotCounts] = {}
    for start in range(0, len(HISTORY), 3):
        for key, counts in fold.fold(HISTORY[start : start + 3]).items():
            pieces.setdefault(key, SlotCounts()).add(counts)
    assert pieces == folded()


def test_a_damaged_field_counts_as_zero_and_unknown_rows_are_ignored() -> None:
    rows = [
        row(0, "X", "NONE", "ENTERQUEUE", "", "", 1),
        row(5, "X", "alice", "CONNECT", "²", "PJSIP/a", 1),  # a Unicode digit is no number
        row(6, "X", "alice", "SYSCOMPAT"),
        row(7, "NONE", "alice", "PAUSE", "lunch"),
    ]
    counts = IntervalFold().fold(rows)[SlotKey(T0, Q)]
    assert (counts.offered, counts.answered, counts.wait_answered_seconds) == (1, 1, 0)


def test_slots_and_bands() -> None:
    assert slot_of(T0 + 899.9) == T0 and slot_of(T0 + 900) == T0 + 900
    assert [band_of(s) for s in (0, 5, 6, 300, 301)] == [0, 0, 1, 9, 10]


def test_queue_log_lines_as_asterisk_writes_them() -> None:
    line = "1800000110|1700000000.12|support|PJSIP/alice|CONNECT|10|1700000000.13|3\n"
    assert parse_line(line) == LogQueueEvent(
        1800000110.0, "1700000000.12", "support", "PJSIP/alice", "CONNECT",
        ("10", "1700000000.13", "3"),
    )  # fmt: skip
    bad = ("", "garbage", "²800000110|x|q|a|CONNECT", "1800000110|x|q|a|", "1|x|q|a|BAD EVENT")
    assert [parse_line(line) for line in bad] == [None] * len(bad)


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _slot(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def test_periods_follow_the_site_clock_across_summer_time() -> None:
    # 2027-03-28 is the Sunday summer time starts in Sweden
    sunday_night = _slot("2027-03-28T23:30:00+02:00")
    assert period_start(sunday_night, Granularity.DAY, STOCKHOLM).isoformat() == (
        "2027-03-28T00:00:00+01:00"
    )
    assert period_start(sunday_night, Granularity.WEEK, STOCKHOLM).isoformat() == (
        "2027-03-22T00:00:00+01:00"
    )
    assert period_start(sunday_night, Granularity.MONTH, STOCKHOLM).isoformat() == (
        "2027-03-01T00:00:00+01:00"
    )
    assert period_start(sunday_night, Granularity.HOUR, STOCKHOLM).isoformat() == (
        "2027-03-28T23:00:00+02:00"
    )


def test_rolled_up_per_hour_and_agent() -> None:
    deltas = folded()
    agents = [(key, counts) for key, counts in deltas.items() if key.queue == ALL_QUEUES]
    hours = roll_up(agents, Granularity.HOUR, ZoneInfo("UTC"), Grouping.AGENT)
    hour = datetime.fromtimestamp(T0, ZoneInfo("UTC"))
    assert list(hours) == [(hour, "alice"), (hour, "bob")]
    assert hours[(hour, "alice")].answered == 3
    # each agent's rows over all queues hold what their rows per queue hold together
    per_queue = [(k, c) for k, c in deltas.items() if k.agent and k.queue != ALL_QUEUES]
    assert roll_up(per_queue, Granularity.HOUR, ZoneInfo("UTC"), Grouping.AGENT) == hours
    queues = [(key, counts) for key, counts in deltas.items() if not key.agent]
    assert total(counts for _, counts in queues).offered == 7
    by_queue = roll_up(queues, Granularity.DAY, ZoneInfo("UTC"), Grouping.QUEUE)
    assert [group for _, group in by_queue] == [Q]


def test_the_stretches_of_one_utc_offset() -> None:
    first, end = _slot("2027-03-27T00:00:00+01:00"), _slot("2027-03-30T00:00:00+02:00")
    change = _slot("2027-03-28T02:00:00+01:00")  # 03:00 summer time
    assert offset_spans(first, end, STOCKHOLM) == [(first, change, 3600), (change, end, 7200)]
    assert offset_spans(first, change, STOCKHOLM) == [(first, change, 3600)]
    spans = month_spans(_slot("2027-03-15T00:00:00+01:00"), end + 40 * 86_400, STOCKHOLM)
    assert [stop for _, stop in spans][:2] == [
        _slot("2027-04-01T00:00:00+02:00"),
        _slot("2027-05-01T00:00:00+02:00"),
    ]


def test_a_queue_below_its_target_raises_one_alarm_until_it_is_back() -> None:
    alarms = ServiceAlarms()
    slow = SlotCounts(answered=4, answered_in_goal=1, abandoned=2)  # (1 + 0) / 6
    assert alarms.check("support", SlotCounts(answered=2, answered_in_goal=0), 80, 20) is None
    missed = alarms.check("support", slow, 80, 20)
    assert missed == Missed("support", 16.7, 80, 20, 6)
    assert alarms.check("support", slow, 80, 20) is None  # once per miss
    assert alarms.check("sales", slow, 10, 20) is None  # another queue, on its own target
    good = SlotCounts(answered=9, answered_in_goal=9)
    assert alarms.check("support", good, 80, 20) == BackOnTarget("support", 100.0)
    assert alarms.check("support", good, 80, 20) is None
    assert alarms.check("support", slow, 80, 20) == missed  # armed again
