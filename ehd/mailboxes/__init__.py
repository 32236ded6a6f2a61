"""Where customers' mail comes in: IMAP mailboxes polled exactly once per message, and ehd's
own SMTP server; each message becomes a ticket or a reply on one (``ehd.tickets.service``)."""
