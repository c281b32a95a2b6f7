"""The Telegram adapter: turns updates into use cases and results into messages."""
