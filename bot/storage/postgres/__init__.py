"""The store on PostgreSQL (``BOT_DATABASE_URL=postgresql://…``): one adapter per port of the
core, as on SQLite, over a pool of psycopg 3 connections."""
