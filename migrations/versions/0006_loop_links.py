"""Loop links: which loops (correlation ids) an audit event joins, kept by the database itself.

Revision ID: 0006
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None

# Keep in step with domain/loop.py LINK_KEYS.
LINK_KEYS = ("intoCorrelationId", "linkedCorrelationId", "originCorrelationId")

SCHEMA = """
CREATE TABLE loop_link (
    correlation_id        uuid NOT NULL,
    linked_correlation_id uuid NOT NULL,
    position              bigint NOT NULL,  -- the linking event (no FK: TRUNCATE must meet the guard)
    PRIMARY KEY (correlation_id, linked_correlation_id, position)
);
CREATE INDEX loop_link_linked ON loop_link (linked_correlation_id);

CREATE FUNCTION jiandu_loop_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text;
    linked text;
BEGIN
    IF NEW.correlation_id IS NULL THEN
        RETURN NULL;
    END IF;
    FOREACH key IN ARRAY ARRAY[%(keys)s] LOOP
        linked := NEW.payload -> 'data' ->> key;
        IF linked IS NOT NULL AND linked::uuid <> NEW.correlation_id THEN
            INSERT INTO loop_link VALUES (NEW.correlation_id, linked::uuid, NEW.position)
                ON CONFLICT DO NOTHING;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_event_loop_links AFTER INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION jiandu_loop_links();

-- Links recorded before this migration.
INSERT INTO loop_link
SELECT e.correlation_id, (e.payload -> 'data' ->> k.key)::uuid, e.position
FROM audit_event e CROSS JOIN unnest(ARRAY[%(keys)s]) AS k(key)
WHERE e.correlation_id IS NOT NULL AND e.payload -> 'data' ->> k.key IS NOT NULL
ON CONFLICT DO NOTHING;

-- Loop links are derived from the audit log and, like it, only ever grow.
CREATE TRIGGER loop_link_no_update BEFORE UPDATE OR DELETE ON loop_link
    FOR EACH ROW EXECUTE FUNCTION jiandu_audit_immutable();
GRANT SELECT, INSERT ON loop_link TO jiandu_app;
"""


def upgrade() -> None:
    keys = ", ".join(f"'{key}'" for key in LINK_KEYS)
    op.execute(SCHEMA.replace("%(keys)s", keys))


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
