"""The pure core: rules and texts with no import of telegram, aiosqlite or apscheduler."""
