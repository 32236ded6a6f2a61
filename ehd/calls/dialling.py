"""What a user may dial: the dial policy with their own rights and the colleagues' extensions
of the moment. The phone's own calls, click-to-dial and transfers to a number all ask here."""

from __future__ import annotations

from ehd.accounts.permissions import Permission, may
from ehd.calls import dial_policy
from ehd.calls.dial_policy import DialDecision
from ehd.db.models import Site, User
from ehd.phone_numbers import DEFAULT_REGION


async def dial_decision(user: User, dialled: str, region: str = DEFAULT_REGION) -> DialDecision:
    """Where ``dialled`` goes when ``user`` calls it (the web asks before ringing anyone)."""
    colleagues = await User.filter(active=True, sip_extension__not_isnull=True).values_list(
        "sip_extension", flat=True
    )
    rights = dial_policy.DialRights(
        international=may(user, Permission.CALLS_INTERNATIONAL),
        premium_rate=may(user, Permission.CALLS_PREMIUM),
    )
    extensions = {str(e) for e in colleagues if e} - {user.sip_extension or ""}
    return dial_policy.decide(dialled, region, extensions, rights)


async def presented_number(user: User) -> str:
    """The number the called party sees when ``user`` calls out: their own, else their
    first site's."""
    sites = {s.code: s.phone_number for s in await Site.filter(code__in=user.sites)}
    return dial_policy.presented_number(
        user.outbound_number, [sites.get(code, "") for code in user.sites]
    )


async def calling_site(user: User) -> int:
    """The site a call ``user`` places counts under: the first of their sites (0: none)."""
    if not user.sites:
        return 0
    site = await Site.get_or_none(code=user.sites[0])
    return site.id if site else 0
