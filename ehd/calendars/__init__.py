"""Opening-hours calendars: weekly hours, public holidays and variations. Pure: no I/O."""
