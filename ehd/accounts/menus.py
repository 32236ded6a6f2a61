"""A user's shortcut menu: their own menu profile, else the first profile of one of their
teams, else the standard profile, followed by the saved ticket searches they may run."""

from __future__ import annotations

from urllib.parse import quote

from tortoise.expressions import Q

from ehd.db.models import MenuProfile, QueueMember, SavedSearch, User


async def menu_for(user: User) -> list[dict[str, str]]:
    profile = None
    if user.menu_profile:
        profile = await MenuProfile.get_or_none(name=user.menu_profile)
    if profile is None:
        teams = await QueueMember.filter(user=user).values_list("queue__name", flat=True)
        for candidate in await MenuProfile.exclude(teams=[]).order_by("name"):
            if set(candidate.teams) & {str(t) for t in teams}:
                profile = candidate
                break
    if profile is None:
        profile = await MenuProfile.get_or_none(standard=True)
    items = list(profile.items) if profile else []
    searches = await SavedSearch.filter(Q(owner=user) | Q(owner=None)).order_by("name")
    items += [{"label": s.name, "url": f"/tickets?g_exe={quote(s.name)}"} for s in searches]
    return items
