"""The caller's way into a queue, run from data: hot prompts, language, calendar, greeting,
menu, customer number. Decisions come from ``ehd.calendars`` and ``ehd.callflow``; this module
only plays, listens and records the outcome on the call.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ehd.ari.client import AriHttpError
from ehd.calendars.evaluate import check as check_calendar
from ehd.calendars.store import ensure_default_calendar, rules_for
from ehd.callflow.customer_number import CustomerNumberRule
from ehd.callflow.hot_prompts import HotPromptRule, to_play
from ehd.callflow.menu import Destination, Go, Kind, MenuSpec, choose
from ehd.calls.services import PhoneServices
from ehd.calls.session import CallSession
from ehd.calls.voicemail import leave_message
from ehd.db.models import CallRecord, HotPrompt, IvrMenu, Queue, User
from ehd.errors import NotFoundError
from ehd.plain_numbers import is_digits

log = logging.getLogger(__name__)

MENU_STEPS = 20  # prompts and submenus a caller may walk through before the fallback
CUSTOMER_NUMBER_TRIES = 3


@dataclass(frozen=True)
class QueueTarget:
    queue_id: int
    name: str
    moh_class: str
    language: str


class InboundFlow:
    def __init__(self, services: PhoneServices) -> None:
        self.services = services

    # --- prompts --------------------------------------------------------------------------
    def _media(self, name: str, language: str, fallback: str) -> str:
        try:
            return self.services.media(name, language)
        except NotFoundError:
            log.warning("sound %r (%s) is missing; playing %r", name, language, fallback)
            return self.services.media(fallback, language)

    async def _goodbye(self, session: CallSession, sound: str, language: str) -> None:
        if sound:
            await session.play(self._media(sound, language, "goodbye"))
        with contextlib.suppress(AriHttpError):
            await self.services.ari.hangup(session.channel_id)

    # --- the queue flow -------------------------------------------------------------------
    async def enter_queue(
        self, session: CallSession, queue_id: int, caller: str
    ) -> QueueTarget | None:
        """Run the queue's way in; the queue to wait in, or None when the call was handled."""
        queue = await Queue.get(id=queue_id).select_related("calendar", "closed_voicemail", "menu")
        language = queue.language
        for sound in await self._hot_prompts(queue.id):
            await session.play(self._media(sound, language, "welcome"))
        if len(queue.languages) > 1:
            language = await self._choose_language(session, queue.languages, language)
        await CallRecord.filter(call_id=session.channel_id).update(language=language)
        calendar = queue.calendar or await ensure_default_calendar()
        status = check_calendar(await rules_for(calendar), datetime.now(UTC))
        if not status.open:
            log.info("call %s: queue %s closed (%s)", session.channel_id, queue.name, status.reason)
            await CallRecord.filter(call_id=session.channel_id).update(
                result="closed", queue_name=queue.name
            )
            await session.play(self._media(status.audio or queue.closed_audio, language, "closed"))
            mailbox = queue.closed_voicemail
            if mailbox is not None:
                await leave_message(self.services, session, mailbox, caller, language)
            else:
                await self._goodbye(session, "", language)
            return None
        await session.play(self._media(queue.greeting, language, "welcome"))
        target = QueueTarget(queue.id, queue.name, queue.moh_class, language)
        menu = queue.menu
        if menu is not None:
            destination = await self.run_menu(session, menu, language)
            if destination.kind != Kind.QUEUE:
                await self.finish(session, destination, caller, language)
                return None
            chosen = await Queue.get_or_none(name=destination.target)
            if chosen is None:
                log.warning("menu %s: no queue %r", menu.name, destination.target)
                await self._goodbye(session, "unavailable", language)
                return None
            target = QueueTarget(chosen.id, chosen.name, chosen.moh_class, language)
        if queue.customer_number != "off":
            await self._customer_number(session, queue, language)
        return target

    async def _hot_prompts(self, queue_id: int) -> list[str]:
        rows = await HotPrompt.filter(active=True)
        rules = [
            HotPromptRule(r.id, r.sound, r.queue_id, r.active, r.starts_at, r.ends_at) for r in rows
        ]
        return to_play(rules, queue_id, datetime.now(UTC))

    async def _choose_language(
        self, session: CallSession, languages: list[str], default: str
    ) -> str:
        media: list[str] = []
        for number, language in enumerate(languages[:9], start=1):
            media += [
                self._media("language-choice", language, "language-choice"),
                f"digits:{number}",
            ]
        for _ in range(2):
            key = await session.collect(media, max_digits=1, first_timeout=5)
            if is_digits(key) and 1 <= int(key) <= min(len(languages), 9):
                return languages[int(key) - 1]
            if not key:
                break
        return default

    async def _customer_number(self, session: CallSession, queue: Queue, language: str) -> None:
        rule = CustomerNumberRule(
            queue.customer_number,
            queue.customer_number_min,
            queue.customer_number_max,
            queue.customer_number_checksum,
        )
        prompt = self._media("enter-customer-number", language, "enter-customer-number")
        media: list[str] = [prompt]
        for _ in range(CUSTOMER_NUMBER_TRIES):
            digits = await session.collect(
                media,
                max_digits=rule.max_length + 1,
                terminator="#",
                first_timeout=8,
                between_timeout=5,
            )
            problem = rule.problem(digits)
            if problem is None:
                break
            log.info("call %s: customer number %r refused: %s", session.channel_id, digits, problem)
            # Keys pressed during the error message already start the next attempt.
            invalid = self._media("customer-number-invalid", language, "menu-invalid")
            media = [invalid, prompt]
        else:
            return  # still served, without a number
        if digits:
            await CallRecord.filter(call_id=session.channel_id).update(customer_number=digits)
            with contextlib.suppress(AriHttpError):
                await self.services.ari.request(
                    "POST",
                    f"channels/{session.channel_id}/variable",
                    {"variable": "CUSTID", "value": digits},
                )

    # --- menus ----------------------------------------------------------------------------
    async def run_menu(self, session: CallSession, menu: IvrMenu, language: str) -> Destination:
        """Walk the menu (and its submenus); the queue, voicemail or hang-up it leads to."""
        spec = _spec(menu)
        attempt = 0
        prompt = self._media(spec.prompt, language, "menu-invalid")
        media: list[str] = [prompt]
        for _ in range(MENU_STEPS):
            key = await session.collect(media, max_digits=1, first_timeout=spec.timeout_seconds)
            media = [prompt]
            outcome = choose(spec, key or None, attempt)
            if not isinstance(outcome, Go):
                attempt += 1
                if outcome.prompt:  # a key pressed during the message is the next choice
                    media = [self._media(outcome.prompt, language, "menu-invalid"), prompt]
                continue
            destination = outcome.destination
            if destination.kind == Kind.PROMPT:
                await session.play(self._media(destination.target, language, "menu-invalid"))
                attempt = 0
                continue
            if destination.kind == Kind.MENU:
                submenu = await IvrMenu.get_or_none(name=destination.target)
                if submenu is None:
                    log.warning("menu %s: no submenu %r", spec.name, destination.target)
                    return spec.fallback
                spec, attempt = _spec(submenu), 0
                prompt = self._media(spec.prompt, language, "menu-invalid")
                media = [prompt]
                continue
            return destination
        return spec.fallback

    async def finish(
        self, session: CallSession, destination: Destination, caller: str, language: str
    ) -> None:
        """Carry out a destination that is not a queue."""
        if destination.kind == Kind.VOICEMAIL:
            user = await User.get_or_none(username=destination.target, active=True)
            if user is not None:
                await leave_message(self.services, session, user, caller, language)
                return
            log.warning("menu voicemail for unknown user %r", destination.target)
            await self._goodbye(session, "unavailable", language)
            return
        await self._goodbye(session, destination.target or "goodbye", language)


def _spec(menu: IvrMenu) -> MenuSpec:
    return MenuSpec.parse(
        menu.name,
        menu.prompt,
        menu.options,
        menu.fallback,
        timeout_seconds=menu.timeout_seconds,
        retries=menu.retries,
        invalid_prompt=menu.invalid_prompt,
    )
