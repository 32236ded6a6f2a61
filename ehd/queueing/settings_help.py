"""Every queue setting, grouped and explained once: the admin screen shows these sections and
help texts, and the documentation is checked against the same list.

Adding a setting to the JSON API without a line here fails a test, so no setting can exist
only for those who read the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str
    help: str
    entry: str = "text"  # text | number | choice | json | link


SECTIONS: tuple[tuple[str, tuple[Setting, ...]], ...] = (
    (
        "The queue on the phone",
        (
            Setting(
                "number",
                "The queue's own number: the caller ID remote agents and called-back "
                "customers see.",
            ),
            Setting(
                "greeting", "Sound played when a caller enters (a name from the sound library)."
            ),
            Setting("moh_class", "Music on hold class while callers wait."),
            Setting("language", "Language of the queue's prompts (en, sv …)."),
            Setting(
                "languages",
                "Several languages the caller chooses from by key, as JSON, "
                'e.g. ["sv", "en"]; empty: the language above.',
                "json",
            ),
            Setting("menu", "A menu played after the greeting (optional).", "link"),
            Setting(
                "calendar",
                "Opening hours; outside them the caller hears the closed "
                "message or reaches the closed-hours mailbox.",
                "link",
            ),
            Setting("closed_audio", "Sound played when the queue is closed."),
            Setting(
                "closed_voicemail",
                "User whose mailbox takes calls while closed (optional).",
                "link",
            ),
        ),
    ),
    (
        "Distribution to agents",
        (
            Setting(
                "strategy",
                "Which free agent gets the next call: longest idle, fewest "
                "calls, round robin, ring all, linear (member order) or weighted "
                "random.",
                "choice",
            ),
            Setting(
                "weight",
                "Agents in several queues serve the queue with the higher weight first.",
                "number",
            ),
            Setting(
                "ring_timeout",
                "Seconds an agent's phone rings before the call goes to "
                "the next agent (at least 3).",
                "number",
            ),
            Setting(
                "misses_before_pause",
                "Unanswered offers in a row before the agent is paused (0: never).",
                "number",
            ),
            Setting(
                "wrapup_seconds",
                "After-call work: seconds before the agent gets the next call.",
                "number",
            ),
            Setting(
                "max_penalty",
                "Only members with this penalty or less take calls at first (empty: all).",
                "number",
            ),
            Setting(
                "penalty_rules",
                "Let higher penalties in as the caller waits, as JSON, "
                'e.g. [{"after": 60, "max": 5}].',
                "json",
            ),
        ),
    ),
    (
        "Waiting",
        (
            Setting(
                "max_length",
                "Most callers waiting at once (0: no limit); the next one goes to the overflow.",
                "number",
            ),
            Setting(
                "join_when",
                "Callers may join: always, when a member is logged in, or when one is available.",
                "choice",
            ),
            Setting(
                "leave_when",
                "Waiting callers are sent on when this stops being true: "
                "always (never sent), logged in, available.",
                "choice",
            ),
            Setting(
                "announce_frequency",
                "Seconds between announcements of position and estimated wait (0: none).",
                "number",
            ),
            Setting(
                "announce_start_delay",
                "Seconds of waiting before the first announcement.",
                "number",
            ),
            Setting(
                "expected_handle_seconds",
                "Typical call length, for wait estimates until the queue has its own history.",
                "number",
            ),
            Setting(
                "exit_keys",
                'Keys a waiting caller may press, as JSON, e.g. {"1": '
                '{"kind": "callback"}, "2": {"kind": "voicemail", "target": "anna"}}.',
                "json",
            ),
        ),
    ),
    (
        "Overflow and callbacks",
        (
            Setting(
                "overflow_after",
                "Seconds of waiting before the caller overflows (empty: never).",
                "number",
            ),
            Setting(
                "overflow_kind",
                "Where overflow goes: queue, voicemail, callback or message (empty: nowhere).",
                "choice",
            ),
            Setting("overflow_target", "The queue, mailbox user or sound the overflow kind names."),
            Setting(
                "callback_offer_after",
                "Seconds of waiting before callers are offered "
                "a callback (needs an exit key of kind callback; empty: not offered "
                "by time).",
                "number",
            ),
            Setting(
                "callback_offer_position",
                "Offer the callback at once from this position in the queue (0: not by position).",
                "number",
            ),
        ),
    ),
    (
        "Caller details",
        (
            Setting(
                "customer_number", "Ask for a customer number: off, optional or required.", "choice"
            ),
            Setting("customer_number_min", "Fewest digits of a customer number.", "number"),
            Setting("customer_number_max", "Most digits of a customer number.", "number"),
            Setting(
                "customer_number_checksum",
                "Check digit of customer numbers: empty or luhn.",
                "choice",
            ),
            Setting(
                "screen_pop_url",
                "Page opened for the agent when a call is offered; "
                "may use {AID} (caller), {BID} (number dialled), {CUSTID} …",
            ),
        ),
    ),
    (
        "Quality and follow-up",
        (
            Setting(
                "sl_goal_seconds",
                "Service level: calls answered within this many seconds count as in time.",
                "number",
            ),
            Setting(
                "sl_target_percent",
                "Service level target: share of calls to answer in time.",
                "number",
            ),
            Setting("recording", "Record calls: none, all, or on demand by the agent.", "choice"),
            Setting(
                "classification", "Codes the agent picks to classify each call (optional).", "link"
            ),
            Setting(
                "survey",
                "Keypad survey the caller answers after the agent hangs up (optional).",
                "link",
            ),
        ),
    ),
)

ALL: dict[str, Setting] = {s.key: s for _, settings in SECTIONS for s in settings}
