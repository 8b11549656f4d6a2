"""The accountability aggregate (执法过错责任追究) and the officers' points ledgers (积分)."""
