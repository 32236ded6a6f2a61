"""Standard texts: the knowledge base's answers, offered in the reply composer and the chat
box (the same texts in both), a site's own before the shared ones."""

from __future__ import annotations

from tortoise.expressions import Q

from ehd.db.models import KnowledgeArticle

OFFERED = 200


async def standard_texts(site_id: int | None) -> list[KnowledgeArticle]:
    """The texts for a ticket or chat of this site (or of none): the site's and the shared."""
    mine = Q(site_id=None) | Q(site_id=site_id) if site_id is not None else Q(site_id=None)
    found = await KnowledgeArticle.filter(mine).order_by("title", "id").limit(OFFERED)
    return sorted(found, key=lambda article: article.site_id is None)  # the site's first
