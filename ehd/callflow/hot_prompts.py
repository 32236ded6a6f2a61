"""Which hot prompts (temporary announcements) play for a queue at a moment. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HotPromptRule:
    id: int
    sound: str
    queue_id: int | None  # None: every queue
    active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def applies(self, queue_id: int, now: datetime) -> bool:
        if not self.active or (self.queue_id is not None and self.queue_id != queue_id):
            return False
        if self.starts_at is not None and now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at


def to_play(rules: Iterable[HotPromptRule], queue_id: int, now: datetime) -> list[str]:
    """Sounds in a stable order: prompts for every queue first, then the queue's own."""
    chosen = [rule for rule in rules if rule.applies(queue_id, now)]
    chosen.sort(key=lambda rule: (rule.queue_id is not None, rule.id))
    return [rule.sound for rule in chosen]
