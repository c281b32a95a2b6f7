"""Storage: one SQLite file behind one narrow interface (``Store``)."""
