"""Between: a Telegram bot that keeps clients company between network meetings."""

__version__ = "0.1.0"
