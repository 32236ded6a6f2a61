"""Tickets: filters (pure) now; the ticket model, CRM and the email channel build on them."""
