"""Contacts and companies, and matching callers and senders to them."""
