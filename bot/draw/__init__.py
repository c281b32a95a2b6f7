"""Pictures and documents drawn for people, off the event loop."""
