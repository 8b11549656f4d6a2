"""The review aggregate (核查 / 评查 / 审核): verification, case-quality evaluation, legal review."""
