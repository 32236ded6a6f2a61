"""What a caller hears: one source at a time, and a connect silences everything first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ehd.calls import hearing as h


def run(*events: h.HearingEvent) -> tuple[h.Hearing, list[h.HearingAction]]:
    state, done = h.Hearing(), []
    for event in events:
        state, actions = h.decide(state, event)
        done.extend(actions)
    return state, done


def test_hold_starts_music_once_and_an_announcement_replaces_it() -> None:
    state, actions = run(h.Hold("jazz"), h.Announce("a1", ("sound:queue-position",)))
    assert actions == [h.StartMusic("jazz"), h.StopMusic(), h.Play("a1", ("sound:queue-position",))]
    assert state.sound == h.Sound.ANNOUNCEMENT


def test_music_comes_back_when_the_announcement_ends() -> None:
    state, actions = run(h.Hold("jazz"), h.Announce("a1", ()), h.PlaybackFinished("a1"))
    assert actions[-1] == h.StartMusic("jazz") and state.sound == h.Sound.MUSIC


def test_a_connect_during_an_announcement_stops_it_and_no_music_follows() -> None:
    state, actions = run(
        h.Hold("jazz"), h.Announce("a1", ()), h.Connect(), h.PlaybackFinished("a1")
    )
    assert actions[-1] == h.StopPlayback("a1"), actions
    assert state.sound == h.Sound.PARTY
    assert h.StartMusic("jazz") not in actions[1:], "music restarted under the agent"


def test_a_connect_during_music_stops_the_music() -> None:
    _, actions = run(h.Hold("default"), h.Connect())
    assert actions == [h.StartMusic("default"), h.StopMusic()]


def test_no_announcement_over_a_prompt_or_a_party() -> None:
    for first in (h.Prompt(), h.Connect()):
        state, actions = run(h.Hold("x"), first, h.Announce("a1", ()))
        assert not any(isinstance(a, h.Play) for a in actions)
        assert state.sound in (h.Sound.PROMPT, h.Sound.PARTY)


def test_another_playback_ending_does_not_bring_music() -> None:
    _, actions = run(h.Hold("x"), h.Announce("a1", ()), h.PlaybackFinished("other"))
    assert h.StartMusic("x") not in actions[1:]


def test_back_in_line_after_a_prompt_hears_music_again() -> None:
    state, actions = run(h.Hold("x"), h.Prompt(), h.Hold("x"))
    assert actions == [h.StartMusic("x"), h.StopMusic(), h.StartMusic("x")]
    assert state.sound == h.Sound.MUSIC


events = st.one_of(
    st.builds(h.Hold, st.sampled_from(["default", "jazz"])),
    st.builds(h.Announce, st.sampled_from(["a1", "a2"]), st.just(("sound:x",))),
    st.builds(h.PlaybackFinished, st.sampled_from(["a1", "a2"])),
    st.just(h.Prompt()),
    st.just(h.Connect()),
    st.builds(h.PutOnHold, st.sampled_from(["default", "jazz"])),
    st.just(h.TakeOffHold()),
    st.builds(h.BackToQueue, st.sampled_from(["default", "jazz"])),
)


@given(st.lists(events, max_size=12))
def test_at_most_one_source_plays_and_nothing_follows_a_connect(
    sequence: list[h.HearingEvent],
) -> None:
    """Replaying the actions as Asterisk would: never music and a playback at once, and
    once connected, nothing starts on the caller's channel until their call task takes them
    back or the agent holds the call (the caller leaves the bridge first); a resume stops the
    music before the caller rejoins."""
    state = h.Hearing()
    music, playing, connected = False, "", False
    for event in sequence:
        if isinstance(event, h.PlaybackFinished) and event.playback_id == playing:
            playing = ""  # Asterisk ended it before telling us
        if isinstance(event, h.Prompt):
            connected = False  # the call task took the caller back (a survey, a transfer)
        if isinstance(event, (h.PutOnHold, h.BackToQueue)) and state.sound == h.Sound.PARTY:
            connected = False  # call control takes the caller out of the bridge first
        resuming = isinstance(event, h.TakeOffHold) and state.sound == h.Sound.ON_HOLD
        state, actions = h.decide(state, event)
        for action in actions:
            match action:
                case h.StartMusic():
                    assert not connected, "music under the agent"
                    music = True
                case h.StopMusic():
                    music = False
                case h.Play(playback_id):
                    assert not connected, "an announcement over the agent"
                    playing = playback_id
                case h.StopPlayback():
                    playing = ""
            assert not (music and playing), "music and an announcement at once"
        if isinstance(event, h.Connect) or resuming:
            assert not music and not playing
            connected = True  # call control bridges the caller again after a resume


def test_a_held_caller_hears_music_and_nothing_else_until_resumed() -> None:
    state, actions = run(h.Hold("x"), h.Connect(), h.PutOnHold("jazz"))
    assert state.sound == h.Sound.ON_HOLD and actions[-1] == h.StartMusic("jazz")
    state, more = h.decide(state, h.Announce("a1", ("sound:queue-position",)))
    assert more == [] and state.sound == h.Sound.ON_HOLD, "a queue announcement reached hold"
    state, more = h.decide(state, h.TakeOffHold())
    assert more == [h.StopMusic()] and state.sound == h.Sound.PARTY


def test_only_a_connected_caller_can_be_held_or_resumed() -> None:
    for before in ((), (h.Hold("x"),), (h.Hold("x"), h.Prompt())):
        state, done = run(*before)
        after, actions = h.decide(state, h.PutOnHold("jazz"))
        assert after == state and actions == []
        after, actions = h.decide(state, h.TakeOffHold())
        assert after == state and actions == []


def test_a_connect_while_on_hold_stops_the_music() -> None:
    state, actions = run(h.Connect(), h.PutOnHold("jazz"), h.Connect())
    assert actions == [h.StartMusic("jazz"), h.StopMusic()] and state.sound == h.Sound.PARTY


def test_back_in_a_queue_from_hold_keeps_the_same_music_playing() -> None:
    state, actions = run(h.Connect(), h.PutOnHold("jazz"), h.Hold("jazz"))
    assert actions == [h.StartMusic("jazz")] and state.sound == h.Sound.MUSIC


def test_a_transferred_caller_hears_the_new_queues_music() -> None:
    state, actions = run(h.Hold("x"), h.Connect(), h.BackToQueue("jazz"))
    assert actions[-1:] == [h.StartMusic("jazz")] and state.sound == h.Sound.MUSIC
    state, more = h.decide(state, h.Announce("a1", ("sound:queue-position",)))
    assert state.sound == h.Sound.ANNOUNCEMENT, "a transferred caller waits like any other"


def test_a_held_caller_transferred_changes_music_only_when_the_class_differs() -> None:
    _, same = run(h.Connect(), h.PutOnHold("jazz"), h.BackToQueue("jazz"))
    assert same == [h.StartMusic("jazz")]
    state, other = run(h.Connect(), h.PutOnHold("jazz"), h.BackToQueue("rock"))
    assert other[1:] == [h.StopMusic(), h.StartMusic("rock")]
    assert state == h.Hearing(h.Sound.MUSIC, "rock")


def test_only_a_connected_caller_goes_back_to_a_queue() -> None:
    for before in ((), (h.Hold("x"),), (h.Hold("x"), h.Prompt())):
        state, _ = run(*before)
        assert h.decide(state, h.BackToQueue("jazz")) == (state, [])
