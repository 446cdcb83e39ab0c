"""Side stores (feedback, conversation log, gaps): SQLAlchemy tables and SQLite file checks."""
