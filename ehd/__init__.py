"""ehd: an open-source contact center built around Asterisk."""
