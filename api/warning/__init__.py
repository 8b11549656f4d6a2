"""Early warning (预警) over GraphQL: warnings, their rules, and the daily due list."""
