"""Full-text ticket search: SQLite FTS5 or PostgreSQL tsvector behind one service."""
