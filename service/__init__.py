"""Application services: each command opens a unit of work, loads, changes, commits."""
