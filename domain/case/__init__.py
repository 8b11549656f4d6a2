"""The case aggregate (案件 / 警情) under supervision."""
