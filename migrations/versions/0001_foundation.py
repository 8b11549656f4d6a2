"""Foundation: reference data, complaints, personal data apart, the append-only audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import json
from pathlib import Path

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APP_ROLE = "jiandu_app"
# The lock the insert trigger takes to extend the chain; see docs/decisions/0003.
AUDIT_LOCK_KEY = 7_381_201

SCHEMA = """
CREATE TABLE channel (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    name_zh     text NOT NULL
);

CREATE TABLE unit (
    code        text PRIMARY KEY CHECK (code !~ '[.[:space:]]'),
    version     integer NOT NULL,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('BUREAU','SUB_BUREAU','STATION','LINE_DEPARTMENT','CENTRE')),
    parent_code text REFERENCES unit (code),
    path        text NOT NULL UNIQUE,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_path_prefix ON unit (path text_pattern_ops);

CREATE TABLE officer (
    code        text PRIMARY KEY,
    version     integer NOT NULL,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('POLICE','AUXILIARY')),
    unit_code   text NOT NULL REFERENCES unit (code),
    account     text UNIQUE,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Dated assignments: a fault follows the person across transfers (终身追责). Append-only.
CREATE TABLE officer_assignment (
    officer_code text NOT NULL REFERENCES officer (code),
    unit_code    text NOT NULL REFERENCES unit (code),
    valid_from   date NOT NULL,
    PRIMARY KEY (officer_code, valid_from)
);

CREATE TABLE complaint_category (
    code            text PRIMARY KEY,
    version         integer NOT NULL,
    name            text NOT NULL,
    parent_code     text REFERENCES complaint_category (code),
    is_enforcement  boolean NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clock_rule (
    code               text PRIMARY KEY,
    clock              text NOT NULL,
    scope              text NOT NULL,
    name               text NOT NULL,
    start_event        text NOT NULL,
    unit               text NOT NULL CHECK (unit IN ('hours','calendar_days','working_days','months')),
    limit_value        integer NOT NULL CHECK (limit_value > 0),
    max_extension      integer NOT NULL DEFAULT 0 CHECK (max_extension >= 0),
    extension_approver text,
    shift_holiday_end  boolean NOT NULL DEFAULT true,
    warn_before        integer NOT NULL DEFAULT 1,
    basis              text NOT NULL,
    UNIQUE (clock, scope)
);

CREATE TABLE calendar_day (
    day   date PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('HOLIDAY','WORKDAY'))
);

-- Personal data lives apart so it can be masked by role and erased (PIPL) without touching
-- the audit chain, which holds only salted commitments to it.
CREATE TABLE complainant (
    id          uuid PRIMARY KEY,
    name        text,
    phone       text,
    id_number   text,
    salt        bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz,
    CHECK ((erased_at IS NULL) = (name IS NOT NULL AND phone IS NOT NULL AND salt IS NOT NULL))
);
CREATE INDEX complainant_phone ON complainant (phone) WHERE phone IS NOT NULL;
CREATE INDEX complainant_id_number ON complainant (id_number) WHERE id_number IS NOT NULL;

-- Who read personal data unmasked, when, and for which request. Append-only.
CREATE TABLE personal_data_access (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    accessed_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    complainant_id uuid NOT NULL REFERENCES complainant (id),
    actor_subject  text NOT NULL,
    actor_role     text NOT NULL,
    request_id     text
);

CREATE TABLE complaint (
    id                   uuid PRIMARY KEY,
    version              integer NOT NULL,
    channel_code         text NOT NULL REFERENCES channel (code),
    received_at          timestamptz NOT NULL,
    registered_at        timestamptz NOT NULL,
    subject              text NOT NULL,
    content              text NOT NULL,
    complainant_id       uuid NOT NULL REFERENCES complainant (id),
    complained_units     text[] NOT NULL DEFAULT '{}',
    complained_officers  text[] NOT NULL DEFAULT '{}',
    external_system      text,
    external_ticket      text,
    status               text NOT NULL CHECK (status IN
        ('RECEIVED','TRIAGED','HANDLING','REPLIED','CALLED_BACK','CLOSED','MERGED','REJECTED')),
    category_code        text REFERENCES complaint_category (code),
    important            boolean NOT NULL DEFAULT false,
    primary_unit_code    text REFERENCES unit (code),
    line_unit_code       text REFERENCES unit (code),
    reply_text           text,
    replied_at           timestamptz,
    satisfaction         text CHECK (satisfaction IN ('SATISFIED','BASICALLY_SATISFIED','DISSATISFIED')),
    callback_note        text,
    called_back_at       timestamptz,
    closed_at            timestamptz,
    merged_into_id       uuid REFERENCES complaint (id),
    rejection_reason     text,
    reopen_count         integer NOT NULL DEFAULT 0,
    correlation_id       uuid NOT NULL,
    reply_due_at         timestamptz,
    callback_due_at      timestamptz,
    deadlines            jsonb NOT NULL DEFAULT '{}',
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (external_system, external_ticket),
    CHECK ((external_system IS NULL) = (external_ticket IS NULL)),
    CHECK (status <> 'MERGED' OR merged_into_id IS NOT NULL)
);
CREATE INDEX complaint_received ON complaint (received_at DESC, id DESC);
CREATE INDEX complaint_status ON complaint (status, received_at DESC, id DESC);
CREATE INDEX complaint_primary_unit ON complaint (primary_unit_code, received_at DESC);
CREATE INDEX complaint_line_unit ON complaint (line_unit_code, received_at DESC);
CREATE INDEX complaint_complainant ON complaint (complainant_id);
CREATE INDEX complaint_correlation ON complaint (correlation_id);
CREATE INDEX complaint_complained_units ON complaint USING gin (complained_units);
CREATE INDEX complaint_reply_due ON complaint (reply_due_at)
    WHERE status IN ('RECEIVED','TRIAGED','HANDLING');
CREATE INDEX complaint_callback_due ON complaint (callback_due_at) WHERE status = 'REPLIED';

CREATE TABLE audit_event (
    position          bigint PRIMARY KEY CHECK (position > 0),
    event_id          uuid NOT NULL UNIQUE,
    format_version    smallint NOT NULL,
    recorded_at       timestamptz NOT NULL,
    effective_at      timestamptz NOT NULL,
    actor             jsonb NOT NULL,
    aggregate_type    text NOT NULL,
    aggregate_id      text NOT NULL,
    aggregate_version integer NOT NULL CHECK (aggregate_version > 0),
    owner_unit        text,
    event_type        text NOT NULL,
    payload           jsonb NOT NULL,
    reason            text,
    request_id        text,
    correlation_id    uuid,
    causation_id      uuid,
    prev_hash         text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash              text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    canonical         text NOT NULL,
    -- Two writers of one aggregate version collide here instead of interleaving.
    UNIQUE (aggregate_type, aggregate_id, aggregate_version)
);
CREATE INDEX audit_event_correlation ON audit_event (correlation_id, position);
CREATE INDEX audit_event_type ON audit_event (event_type, position);

-- Append-only, for every role including the owner.
CREATE FUNCTION jiandu_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION jiandu_audit_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION jiandu_audit_immutable();

-- Every insert extends the chain: the trigger, not the caller, assigns position, previous hash,
-- recorded-at and hash, under a lock held until commit (docs/decisions/0003). The caller supplies
-- the canonical body; the stored `canonical` is the header plus that body, exactly as hashed.
CREATE FUNCTION jiandu_audit_extend() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_position bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(%(lock)s);
    -- A statement of its own after the lock: it sees the commit of the writer it waited for.
    SELECT position, hash INTO last_position, last_hash
        FROM audit_event ORDER BY position DESC LIMIT 1;
    NEW.position := coalesce(last_position, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.recorded_at := clock_timestamp();
    NEW.canonical := 'jiandu-audit/1' || chr(10) || NEW.position || chr(10) || NEW.prev_hash
        || chr(10) || to_char(NEW.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        || chr(10) || NEW.canonical;
    NEW.hash := encode(sha256(convert_to(NEW.canonical, 'UTF8')), 'hex');
    RETURN NEW;
END $$;
CREATE TRIGGER audit_event_extend BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION jiandu_audit_extend();

-- Listeners (the change feed) learn the new head once the transaction commits.
CREATE FUNCTION jiandu_audit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jiandu_audit', (SELECT max(position) FROM appended)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER audit_event_notify AFTER INSERT ON audit_event
    REFERENCING NEW TABLE AS appended FOR EACH STATEMENT EXECUTE FUNCTION jiandu_audit_notify();

-- Aggregate rows start at version 1 and move one version per event.
CREATE FUNCTION jiandu_version_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.version <> 1 THEN
        RAISE EXCEPTION '%: a new row must have version 1, not %', TG_TABLE_NAME, NEW.version
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.version <> OLD.version + 1 THEN
        RAISE EXCEPTION '%: version must move from % to %, not %', TG_TABLE_NAME,
            OLD.version, OLD.version + 1, NEW.version USING ERRCODE = 'serialization_failure';
    END IF;
    RETURN NEW;
END $$;

-- At commit: the row's version must have its audit event (same transaction).
CREATE FUNCTION jiandu_require_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id text := to_jsonb(NEW) ->> TG_ARGV[1];
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM audit_event
        WHERE aggregate_type = TG_ARGV[0] AND aggregate_id = row_id
          AND aggregate_version = NEW.version
    ) THEN
        RAISE EXCEPTION '% % version % has no audit event', TG_ARGV[0], row_id, NEW.version
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
"""

AGGREGATE_TABLES = {
    # table: (aggregate type, id column)
    "unit": ("unit", "code"),
    "officer": ("officer", "code"),
    "complaint_category": ("category", "code"),
    "complaint": ("complaint", "id"),
}

CHANNELS = [
    ("DIRECTOR_MAILBOX", "Director's mailbox", "局长信箱"),
    ("HOTLINE_12389", "12389 police-supervision hotline", "12389举报热线"),
    ("HOTLINE_12345", "12345 government hotline", "12345政务服务热线"),
    ("PETITION", "Petitions and reports", "信访举报"),
    ("ONLINE", "Online complaints", "网络投诉"),
]

_LOCAL = "local rule (地方规定)"
CLOCK_RULES = [
    # code, clock, scope, name, start event, unit, limit, max extension, approver, basis
    (
        "complaint.reply.DIRECTOR_MAILBOX",
        "complaint.reply",
        "DIRECTOR_MAILBOX",
        "局长信箱答复",
        "complaint.received",
        "working_days",
        7,
        8,
        "leader",
        _LOCAL + ": 7 工作日, at most 15",
    ),
    (
        "complaint.reply.HOTLINE_12345",
        "complaint.reply",
        "HOTLINE_12345",
        "12345工单答复",
        "complaint.received",
        "working_days",
        7,
        8,
        "leader",
        _LOCAL + ": 3–7 工作日, at most 15",
    ),
    (
        "complaint.reply.HOTLINE_12389",
        "complaint.reply",
        "HOTLINE_12389",
        "12389举报答复",
        "complaint.received",
        "working_days",
        7,
        8,
        "leader",
        _LOCAL + ": 7 工作日, at most 15",
    ),
    (
        "complaint.reply.ONLINE",
        "complaint.reply",
        "ONLINE",
        "网络投诉答复",
        "complaint.received",
        "working_days",
        7,
        8,
        "leader",
        _LOCAL + ": 7 工作日, at most 15",
    ),
    (
        "complaint.reply.PETITION",
        "complaint.reply",
        "PETITION",
        "信访事项办理",
        "complaint.received",
        "calendar_days",
        60,
        30,
        "leader",
        "信访工作条例 art. 34",
    ),
]
CLOCK_RULES += [
    (
        f"complaint.callback.{code}",
        "complaint.callback",
        code,
        "答复后回访",
        "complaint.replied",
        "working_days",
        5,
        0,
        None,
        _LOCAL + ": callback within 5 工作日 of the reply",
    )
    for code, _, _ in CHANNELS
]


def _grants() -> str:
    tables = ", ".join(AGGREGATE_TABLES)
    return f"""
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN NULL;  -- created concurrently by another database's migration
END $$;
-- The owner must be able to SET ROLE to the application role (superusers always can).
DO $$ BEGIN
    IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT {APP_ROLE} TO %I', current_user);
    END IF;
END $$;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE};
GRANT USAGE ON SCHEMA public TO {APP_ROLE};
GRANT SELECT ON channel, clock_rule, calendar_day, alembic_version TO {APP_ROLE};
GRANT SELECT, INSERT, UPDATE ON {tables}, complainant TO {APP_ROLE};
GRANT SELECT, INSERT ON officer_assignment, personal_data_access, audit_event TO {APP_ROLE};
"""


def upgrade() -> None:
    op.execute(SCHEMA.replace("%(lock)s", str(AUDIT_LOCK_KEY)))
    for table, (aggregate_type, id_column) in AGGREGATE_TABLES.items():
        op.execute(
            f"CREATE TRIGGER {table}_version_step BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jiandu_version_step()"
        )
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_audited AFTER INSERT OR UPDATE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION jiandu_require_audit('{aggregate_type}', '{id_column}')"
        )
    conn = op.get_bind()
    conn.exec_driver_sql("INSERT INTO channel (code, name, name_zh) VALUES (%s, %s, %s)", CHANNELS)
    conn.exec_driver_sql(
        "INSERT INTO clock_rule (code, clock, scope, name, start_event, unit, limit_value,"
        " max_extension, extension_approver, basis) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        CLOCK_RULES,
    )
    calendar = json.loads(
        (Path(__file__).parent.parent / "data" / "0001_calendar.json").read_text()
    )
    days = [(d, "HOLIDAY") for d in calendar["holidays"]] + [
        (d, "WORKDAY") for d in calendar["makeupWorkdays"]
    ]
    conn.exec_driver_sql("INSERT INTO calendar_day (day, kind) VALUES (%s::date, %s)", days)
    op.execute(_grants())


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
