"""Message analysis that needs no model: occupations named in a message."""
