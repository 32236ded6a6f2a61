"""What a user restricted to their sites may see: the one scoping layer every query path uses
(tickets, picking the next ticket, chats, CRM companies and contacts). Admins, supervisors
and unrestricted users see everything; a restricted agent sees their sites' rows and rows of
no site.

A row's site: a ticket's and a chat's own; a company's own; a contact's through its company
(a contact of no company belongs to no site).
"""

from __future__ import annotations

from typing import TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from ehd.db.models import ChatSession, Company, Contact, Role, Ticket, User

M = TypeVar("M", bound=Model)


def restricted_to(user: User) -> list[str] | None:
    """The site codes ``user`` is held to, or None when they see every site."""
    if user.role in (Role.ADMIN, Role.SUPERVISOR) or not user.site_restricted:
        return None
    return list(user.sites)


def _scoped(user: User, query: QuerySet[M]) -> QuerySet[M]:
    """Rows of the user's sites, or of no site (the model's own ``site``)."""
    sites = restricted_to(user)
    if sites is None:
        return query
    return query.filter(Q(site_id=None) | Q(site__code__in=sites))


def visible_tickets(user: User, query: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    return _scoped(user, query if query is not None else Ticket.all())


def visible_chats(user: User, query: QuerySet[ChatSession] | None = None) -> QuerySet[ChatSession]:
    return _scoped(user, query if query is not None else ChatSession.all())


def visible_companies(user: User, query: QuerySet[Company] | None = None) -> QuerySet[Company]:
    return _scoped(user, query if query is not None else Company.all())


def visible_contacts(user: User, query: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    query = query if query is not None else Contact.all()
    sites = restricted_to(user)
    if sites is None:
        return query
    return query.filter(
        Q(company_id=None) | Q(company__site_id=None) | Q(company__site__code__in=sites)
    )
