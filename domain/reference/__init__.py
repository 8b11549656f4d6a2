"""Reference data: the unit tree, officers and their dated assignments, complaint categories."""
