"""The complaint aggregate (来信 / 投诉)."""
