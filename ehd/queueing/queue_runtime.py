"""The settings of a queue the queue service reads while calls run, besides the engine's own
(``ehd.queueing.config``): loaded with them, replaced whenever a queue is saved."""

from __future__ import annotations

from dataclasses import dataclass

from ehd.db.models import Queue, RecordingMode


@dataclass(frozen=True)
class QueueRuntime:
    queue_id: int
    number: str  # the caller ID agents see for its calls
    moh_class: str
    recording: RecordingMode
    screen_pop: str
    classification_codes: list[dict[str, str]]
    callback_after: float | None  # offer a callback after this many seconds of waiting
    callback_position: int  # or at once from this position on (0: never)
    survey_id: int | None  # asked after the call

    @property
    def records_every_call(self) -> bool:
        return self.recording == RecordingMode.ALL


def runtime_of(queue: Queue) -> QueueRuntime:
    """``queue`` with its classification profile fetched."""
    profile = queue.classification
    return QueueRuntime(
        queue_id=queue.id,
        number=queue.number,
        moh_class=queue.moh_class,
        recording=RecordingMode(queue.recording),
        screen_pop=queue.screen_pop_url,
        classification_codes=list(profile.codes) if profile else [],
        callback_after=queue.callback_offer_after,
        callback_position=queue.callback_offer_position,
        survey_id=queue.survey_id,
    )
