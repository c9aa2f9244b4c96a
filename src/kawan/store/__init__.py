"""Storage: the only package that imports SQLAlchemy. SQLite by default, PostgreSQL by URL."""
