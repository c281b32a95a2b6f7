"""The SQLite adapters, one for each port of the core (``bot/core/ports.py``)."""
