"""Visibility rules as SQL functions, so every read path applies the same rule.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FUNCTIONS = """
-- Is unit_code inside root_code's subtree (root included)? An exact prefix test on paths:
-- LIKE would treat an underscore in a unit code as a wildcard.
CREATE FUNCTION jiandu_unit_within(unit_code text, root_code text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM unit u JOIN unit r ON r.code = root_code
        WHERE u.code = unit_code
          AND (u.path = r.path OR left(u.path, length(r.path) + 1) = r.path || '.')
    )
$$;

-- 信访工作条例 art. 30: a complaint is never shown to the unit complained about (nor to any unit
-- inside it) or to an officer complained about, even when it was routed their way.
CREATE FUNCTION jiandu_hidden_from(
    complained_units text[], complained_officers text[], viewer_unit text, viewer_officer text
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (viewer_officer IS NOT NULL AND viewer_officer = ANY (complained_officers))
        OR EXISTS (
            SELECT 1 FROM unnest(complained_units) AS complained(code)
            WHERE jiandu_unit_within(viewer_unit, complained.code)
        )
$$;
"""


def upgrade() -> None:
    op.execute(FUNCTIONS)


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
