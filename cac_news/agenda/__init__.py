"""The agenda: events (save, cancel), what the public sees of them, iCalendar files."""
