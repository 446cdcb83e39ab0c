"""Message analysis: one verdict per message, from vocabulary kept as data."""
