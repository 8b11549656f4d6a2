"""End-to-end HTTP benchmark of the Jiandu API: `python -m bench` (see bench/README.md)."""
