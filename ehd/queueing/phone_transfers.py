"""Transfers an agent's phone asks for: its transfer key sends a SIP REFER, which Asterisk
hands to ehd as a ChannelTransfer event (``PJSIP_TRANSFER_HANDLING()=ari-only`` on each
answered agent leg), and the phone is told how it went (a SIP NOTIFY, ``transfer_progress``).

Blind, the REFER names a number: a colleague, a queue, any number a console transfer may
reach (:class:`ehd.queueing.transfers.Transfers`). Attended, the agent first called someone
from the same phone (a call ehd placed, :mod:`ehd.stasis.outbound`) and the REFER asks to
replace that call: the customer is put through to whoever answered it, and both of the
agent's calls end. The Stasis application lends that answered leg (``lend_consulted``); the
caller's own call task bridges it (:class:`ehd.queueing.callers.HandedOn`) and the call
leaves the queues, as app_queue's ATTENDEDTRANSFER row says.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from ehd.acd import events as ev
from ehd.ari.client import AriHttpError
from ehd.calls import records
from ehd.calls import transfer_plan as tp
from ehd.db.models import HandlingEnd
from ehd.errors import ConflictError
from ehd.queueing.callers import HandedOn
from ehd.queueing.transfers import Transfers

log = logging.getLogger(__name__)

# (the phone's other call, its answered party as Asterisk named it, or "") -> the number that
# call reached and the party's channel, or None when it is no call ehd placed for that phone;
# the party is then the caller's to keep.
LendConsulted = Callable[[str, str], Awaitable[tuple[str, str] | None]]


class PhoneTransfers:
    def __init__(self, transfers: Transfers) -> None:
        self.transfers = transfers
        self.floor = transfers.floor
        self.lend_consulted: LendConsulted | None = None  # set by the Stasis application

    async def blind(self, channel_id: str, destination: str) -> None:
        """The agent's phone asked for a blind transfer of its call to ``destination`` (the
        user part it dialled)."""
        leg = self.floor.legs.get(channel_id)
        target = tp.TransferTarget(tp.TransferKind.NUMBER, destination)
        if leg is None or not leg.connected or not destination:
            log.info("REFER on %s to %r: no call or no number", channel_id, destination)
            await self._tell_phone(channel_id, "channel_declined")
            return
        try:
            await self.transfers.plan(leg.item_id, target)
        except ConflictError as refused:
            log.info("REFER on %s to %r refused: %s", channel_id, destination, refused)
            await self._tell_phone(channel_id, "channel_declined")
            return
        await self._tell_phone(channel_id, "channel_answered")  # before its leg is hung up
        await self.transfers.blind(leg.item_id, target)

    async def attended(self, channel_id: str, replaced: str, party: str) -> None:
        """The agent's phone asked to put the customer on ``channel_id`` through to ``party``,
        who answered the phone's other call ``replaced`` (Asterisk names no party when the
        REFER comes before that call's two sides are bridged: its one answered leg then)."""
        floor = self.floor
        leg = floor.legs.get(channel_id)
        call = floor.calls.get(leg.item_id) if leg is not None and leg.connected else None
        caller = floor.callers.get(call.item_id) if call is not None else None
        lent = None
        if call is not None and caller is not None and call.consult is None and replaced:
            lend = self.lend_consulted
            lent = await lend(replaced, party) if lend is not None else None
        if call is None or caller is None or lent is None:
            log.info("attended REFER on %s (replacing %r): not a call ehd can join", channel_id,
                     replaced)  # fmt: skip
            await self._tell_phone(channel_id, "channel_declined")
            return
        number, party = lent
        await self._tell_phone(channel_id, "channel_answered")
        now = floor.clock()
        legs = await self.transfers.agent_side_ends(call, caller.moh_class)
        await self.transfers.agent_legs_go(call, legs)
        await floor.hangup(replaced)  # the phone's consultation call; its party stays
        label = f"{'extension' if number.isdigit() else 'number'}:{number}"
        await records.agent_part_over(call, call.queue, now, HandlingEnd.TRANSFER, label)
        log.info("call %s: %s put it through to %s from the phone", call.item_id, call.agent_id,
                 label)  # fmt: skip
        await floor.driver.handle(ev.ItemSentOn(now, call.item_id, number, "BRIDGE", attended=True))
        caller.notify(HandedOn("EhdHandedOn", floor.app_name, {}, party))

    async def _tell_phone(self, channel_id: str, state: str) -> None:
        with contextlib.suppress(AriHttpError):
            await self.floor.ari.request(
                "POST", f"channels/{channel_id}/transfer_progress", {"states": state}
            )
