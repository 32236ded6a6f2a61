"""Which tickets a user may see: an agent restricted to their sites sees only those sites'
tickets and tickets without a site. Every ticket route asks here, so a guessed URL shows
nothing more than the lists do."""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from ehd.db.models import Role, Ticket, User


def visible_tickets(user: User, query: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    query = query if query is not None else Ticket.all()
    if user.role in (Role.ADMIN, Role.SUPERVISOR) or not user.site_restricted:
        return query
    return query.filter(Q(site_id=None) | Q(site__code__in=list(user.sites)))
