"""Early warning (预警): rules as data, the warnings they raise, and how evaluation reconciles."""
