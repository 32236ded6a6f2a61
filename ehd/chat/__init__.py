"""Live chat from customers' web pages (see ehd.chat.service)."""
