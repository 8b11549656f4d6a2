"""The warning worker: on-change evaluation from the audit feed, and scheduled scans."""
