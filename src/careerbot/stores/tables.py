"""The side-store schema as SQLAlchemy Core tables (SQLite or PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text

metadata = MetaData()

exchanges = Table(
    "exchanges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("status", Text, nullable=False),
    Index("exchanges_created", "created"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("sources", Text, nullable=False),
    Column("rating", Integer, nullable=False),
    Index("feedback_created", "created"),
)

# Occupations people asked about that have no profile: the text of the occupation only, never the message.
gaps = Table(
    "gaps",
    metadata,
    Column("occupation", Text, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("last_seen", Float, nullable=False),
)

CAPPED = (feedback, exchanges)  # tables whose oldest rows go first when the row cap is reached
