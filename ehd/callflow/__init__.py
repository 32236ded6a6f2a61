"""The caller's way in, as data and pure decisions: menus, customer numbers, hot prompts."""
