"""Persistence: row classes, repositories that turn rows into aggregates, the unit of work."""
