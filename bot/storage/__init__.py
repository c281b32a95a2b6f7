"""Storage: one SQLite file behind the core's narrow ports (bot/core/ports.py)."""
