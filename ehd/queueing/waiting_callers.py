"""Actions on waiting callers: sent out of the queue (with a prompt, to voicemail, or offered a
callback), moved to another queue by overflow, told their position and wait, and offered a
callback by key while they wait."""

from __future__ import annotations

import logging
import uuid

from ehd.acd import actions as act
from ehd.acd.model import OverflowKind
from ehd.db.models import CallRecord, QueuedCall
from ehd.queueing.callers import CallbackOffer, QueueExit
from ehd.queueing.floor import QueueFloor

log = logging.getLogger(__name__)


class WaitingCallers:
    def __init__(self, floor: QueueFloor) -> None:
        self.floor = floor

    async def moved(self, action: act.Moved) -> None:
        await QueuedCall.filter(call_id=action.item_id).update(queue_name=action.to_queue)
        caller = self.floor.callers.get(action.item_id)
        if caller is not None:
            caller.queue = action.to_queue
        await CallRecord.filter(call_id=action.item_id).update(queue_name=action.to_queue)

    async def exit(self, action: act.Exit) -> None:
        row = await QueuedCall.get_or_none(call_id=action.item_id)
        await QueuedCall.filter(call_id=action.item_id).delete()
        caller = self.floor.callers.pop(action.item_id, None)
        await CallRecord.filter(call_id=action.item_id).update(result=f"exit:{action.reason}")
        if caller is None:
            return
        target = action.target
        prompt = "closed" if action.reason == "closed" else "unavailable"
        if target is not None and target.kind == OverflowKind.MESSAGE and target.target:
            prompt = target.target
        elif target is not None and target.kind == OverflowKind.CALLBACK and row is not None:
            offer = CallbackOffer(
                "EhdCallbackOffer",
                self.floor.app_name,
                {},
                row.queue_name,
                row.priority,
                row.entered_at,
            )
            caller.notify(offer)
            return
        elif target is not None and target.kind == OverflowKind.VOICEMAIL and target.target:
            caller.notify(QueueExit("EhdQueueExit", self.floor.app_name, {}, "", target.target))
            return
        caller.notify(QueueExit("EhdQueueExit", self.floor.app_name, {}, prompt))

    async def announce(self, action: act.Announce) -> None:
        caller = self.floor.callers.get(action.item_id)
        if caller is None:
            return
        minutes = max(1, round(action.estimated_wait / 60))
        lang = caller.language
        media = [
            self.floor.sounds.media("queue-position", lang),
            f"number:{action.position}",
            self.floor.sounds.media("queue-position-end", lang),
            self.floor.sounds.media("queue-wait", lang),
            f"number:{minutes}",
            self.floor.sounds.media("minutes", lang),
        ]
        await self.floor.audio.announce(caller.channel_id, f"ehd-ann-{uuid.uuid4().hex}", media)

    def plan_callback_offer(self, channel_id: str, queue: str) -> None:
        """Tell a waiting caller they may be called back: at once when the queue is long, or
        after a while. The key itself is one of the queue's exit keys."""
        runtime = self.floor.queues.get(queue)
        if runtime is None or channel_id not in self.floor.driver.engine.items:
            return  # unknown queue, or already connected or sent away
        after, position = runtime.callback_after, runtime.callback_position
        waiting = self.floor.driver.engine.waiting_items(queue)
        long_queue = (
            position > 0 and channel_id in waiting and (waiting.index(channel_id) + 1 >= position)
        )
        delay = 0.0 if long_queue else after
        if delay is None:
            return
        self.floor.driver.later(delay, lambda: self._offer_callback(channel_id))

    async def _offer_callback(self, channel_id: str) -> None:
        caller = self.floor.callers.get(channel_id)
        if caller is None:
            return
        key = self._callback_key(caller.queue)
        if key is None:
            log.info("queue %s offers callbacks but has no callback key", caller.queue)
            return
        media = [self.floor.sounds.media("callback-offer", caller.language), f"digits:{key}"]
        async with self.floor.driver.quiet():  # not between the engine's connect and the bridge
            item = self.floor.driver.engine.items.get(channel_id)
            if item is not None and item.agent is None:  # still waiting
                await self.floor.audio.announce(channel_id, f"ehd-ann-{uuid.uuid4().hex}", media)

    def _callback_key(self, queue: str) -> str | None:
        """The exit key that asks for a callback, as the offer must name it."""
        runtime = self.floor.driver.engine.queues.get(queue)
        keys = runtime.config.exit_keys.items() if runtime is not None else []
        return min((k for k, t in keys if t.kind == OverflowKind.CALLBACK), default=None)
