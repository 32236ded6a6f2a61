"""Key figures for statistics, the wallboard and the REST API."""
