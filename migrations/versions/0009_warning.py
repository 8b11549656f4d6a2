"""Early warning (预警): rules as data, warnings, the running-clock projection, the worker's jobs.

Revision ID: 0009
Revises: 0004, 0006, 0007, 0008 (joins every branch)
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = ("0004", "0006", "0007", "0008")
branch_labels = None
depends_on = None

APP_ROLE = "jiandu_app"

SCHEMA = """
-- Rules are aggregates: changed only by audited commands (jiandu_require_audit below).
CREATE TABLE warning_rule (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_.]*$'),
    version     integer NOT NULL,
    kind        text NOT NULL,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    basis       text NOT NULL CHECK (btrim(basis) <> ''),
    params      jsonb NOT NULL DEFAULT '{}',
    levels      jsonb NOT NULL CHECK (jsonb_typeof(levels) = 'object' AND levels <> '{}'),
    enabled     boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE warning (
    id                uuid PRIMARY KEY,
    version           integer NOT NULL,
    rule_code         text NOT NULL REFERENCES warning_rule (code),
    rule_version      integer NOT NULL CHECK (rule_version > 0),
    subject_kind      text NOT NULL CHECK (subject_kind IN ('ITEM','OFFICER','UNIT','COMPLAINANT')),
    subject_key       text NOT NULL,
    subject_label     text NOT NULL,
    window_key        text NOT NULL,
    level             text NOT NULL CHECK (level IN ('BLUE','ORANGE','RED')),
    status            text NOT NULL
        CHECK (status IN ('RAISED','ACKNOWLEDGED','ESCALATED','DISMISSED','RESOLVED')),
    measure           double precision NOT NULL,
    facts             jsonb NOT NULL,
    explanation       text NOT NULL,
    unit_code         text REFERENCES unit (code),
    item_type         text,
    item_id           text,
    correlation_id    uuid NOT NULL,
    raised_at         timestamptz NOT NULL,
    due_by            timestamptz NOT NULL,
    level_changed_at  timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    acknowledgement   text,
    dismissed_at      timestamptz,
    dismissal_reason  text,
    escalated_at      timestamptz,
    review_id         uuid REFERENCES review (id),
    resolved_at       timestamptz,
    resolution        text,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((item_type IS NULL) = (item_id IS NULL)),
    CHECK ((status = 'DISMISSED') = (dismissed_at IS NOT NULL)),
    CHECK (status <> 'DISMISSED' OR btrim(dismissal_reason) <> ''),
    CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL)),
    CHECK ((escalated_at IS NULL) = (review_id IS NULL))
);
-- One open warning per rule, subject and window: evaluators that meet insert at most one.
CREATE UNIQUE INDEX warning_one_open ON warning (rule_code, subject_key, window_key)
    WHERE status IN ('RAISED','ACKNOWLEDGED','ESCALATED');
CREATE INDEX warning_raised ON warning (raised_at DESC, id DESC);
CREATE INDEX warning_status ON warning (status, raised_at DESC, id DESC);
CREATE INDEX warning_rule_subject ON warning (rule_code, subject_key, window_key);
CREATE INDEX warning_unit ON warning (unit_code, raised_at DESC);
CREATE INDEX warning_item ON warning (item_type, item_id);
CREATE INDEX warning_correlation ON warning (correlation_id);
CREATE INDEX warning_open_due ON warning (due_by) WHERE status IN ('RAISED','ACKNOWLEDGED');

-- Every running clock of every aggregate, kept by the unit of work in the transaction that
-- changes the aggregate: deadline scans and the due list read one indexed table. A projection
-- (rebuilt from the aggregates by `jiandu warnings rebuild-clocks`), so rows are replaced.
CREATE TABLE clock_watch (
    aggregate_type  text NOT NULL,
    aggregate_id    text NOT NULL,
    clock_key       text NOT NULL,
    rule_code       text NOT NULL,
    name            text NOT NULL,
    unit_code       text NOT NULL REFERENCES unit (code),
    correlation_id  uuid,
    started_at      timestamptz NOT NULL,
    warn_at         timestamptz NOT NULL,
    last_day_at     timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    basis           text NOT NULL,
    computation     text NOT NULL,
    shard           smallint NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, clock_key),
    CHECK (warn_at <= last_day_at AND last_day_at <= due_at)
);
CREATE INDEX clock_watch_warn ON clock_watch (shard, warn_at);
CREATE INDEX clock_watch_unit_due ON clock_watch (unit_code, due_at);
CREATE INDEX clock_watch_due ON clock_watch (due_at);

-- Scheduled scans shared by workers: a worker leases a due job (FOR UPDATE SKIP LOCKED), and a
-- lease that runs out (a crashed worker) makes the job claimable again.
CREATE TABLE warning_job (
    name              text PRIMARY KEY,
    rule_code         text NOT NULL REFERENCES warning_rule (code),
    shard             smallint NOT NULL DEFAULT 0,
    shards            smallint NOT NULL DEFAULT 1 CHECK (shard >= 0 AND shard < shards),
    every_seconds     integer NOT NULL CHECK (every_seconds > 0),
    next_run_at       timestamptz NOT NULL DEFAULT now(),
    leased_by         text,
    lease_until       timestamptz,
    runs              integer NOT NULL DEFAULT 0,
    last_started_at   timestamptz,
    last_finished_at  timestamptz,
    last_error        text,
    last_stats        jsonb,
    CHECK ((leased_by IS NULL) = (lease_until IS NULL))
);
CREATE INDEX warning_job_due ON warning_job (next_run_at);

-- How far the on-change evaluator has read the audit log.
CREATE TABLE warning_cursor (
    name        text PRIMARY KEY,
    position    bigint NOT NULL CHECK (position >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO warning_cursor (name, position) VALUES ('on-change', 0);

-- A review may be opened by escalating a warning.
ALTER TABLE review DROP CONSTRAINT review_origin_type_check;
ALTER TABLE review ADD CONSTRAINT review_origin_type_check
    CHECK (origin_type IN ('complaint','petition','case','inspection','warning'));
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    for table, aggregate_type, id_column in (
        ("warning_rule", "warning_rule", "code"),
        ("warning", "warning", "id"),
    ):
        op.execute(
            f"CREATE TRIGGER {table}_version_step BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jiandu_version_step()"
        )
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_audited AFTER INSERT OR UPDATE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION jiandu_require_audit('{aggregate_type}', '{id_column}')"
        )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON warning_rule, warning TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON clock_watch TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON warning_job, warning_cursor TO {APP_ROLE}")


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
