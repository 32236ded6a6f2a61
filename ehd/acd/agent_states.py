"""Agent states and the one transition table every login mode goes through.

An illegal transition raises :class:`IllegalTransition`, as h11 does for protocol errors: the
engine's bookkeeping is then wrong, and failing loudly beats serving calls from a bad state.
"""

from __future__ import annotations

from enum import StrEnum


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    OFFERED = "offered"  # ringing
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class AgentTrigger(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    OFFER = "offer"
    ANSWER = "answer"
    OFFER_ENDED = "offer_ended"  # no answer, rejected, or cancelled
    COMPLETE = "complete"
    WRAPUP_DONE = "wrapup_done"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    RESUME_WRAPUP = "resume_wrapup"  # unpaused before the last call's wrap-up time is over
    OTHER_CALL = "other_call"  # on a call the queue did not give (a consultation)
    OTHER_CALL_ENDED = "other_call_ended"


S, T = AgentState, AgentTrigger
TRANSITIONS: dict[AgentState, dict[AgentTrigger, AgentState]] = {
    S.LOGGED_OUT: {T.LOGIN: S.READY, T.LOGOUT: S.LOGGED_OUT},
    S.READY: {
        T.OFFER: S.OFFERED,
        T.OTHER_CALL: S.BUSY,
        T.PAUSE: S.PAUSED,
        T.LOGOUT: S.LOGGED_OUT,
        T.LOGIN: S.READY,
    },
    S.OFFERED: {
        T.ANSWER: S.BUSY,
        T.OFFER_ENDED: S.READY,
        T.PAUSE: S.PAUSED,
        T.LOGOUT: S.LOGGED_OUT,
        T.LOGIN: S.OFFERED,
    },
    S.BUSY: {T.COMPLETE: S.WRAP_UP, T.OTHER_CALL_ENDED: S.READY, T.LOGIN: S.BUSY},
    S.WRAP_UP: {
        T.WRAPUP_DONE: S.READY,
        T.PAUSE: S.PAUSED,
        T.LOGOUT: S.LOGGED_OUT,
        T.LOGIN: S.WRAP_UP,
    },
    S.PAUSED: {
        T.UNPAUSE: S.READY,
        T.RESUME_WRAPUP: S.WRAP_UP,
        T.PAUSE: S.PAUSED,
        T.LOGOUT: S.LOGGED_OUT,
        T.LOGIN: S.PAUSED,
    },
}


class IllegalTransition(Exception):
    def __init__(self, state: AgentState, trigger: AgentTrigger) -> None:
        super().__init__(f"agent cannot {trigger.value} while {state.value}")
        self.state = state
        self.trigger = trigger


def next_state(state: AgentState, trigger: AgentTrigger) -> AgentState:
    try:
        return TRANSITIONS[state][trigger]
    except KeyError:
        raise IllegalTransition(state, trigger) from None
