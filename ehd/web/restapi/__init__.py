"""The REST API under /RestAPI/v1: resources over the database, queried by field, comparison,
sort, limit and id list, with HTTP Basic authentication for admins."""

from ehd.web.restapi.http import routes

__all__ = ["routes"]
