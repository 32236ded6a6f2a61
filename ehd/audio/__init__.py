"""Sounds: the library admins and phones record into (checked, converted to Asterisk's format)
and finding a prompt in it the way Asterisk plays it."""
