"""Email: sending (aiosmtplib) now; receiving lands with the ticket channel."""
