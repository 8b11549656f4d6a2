"""Reviews (核查 / 评查 / 审核): the review, its children, the sign-off templates, review clocks.

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "jiandu_app"

SCHEMA = """
-- The sign-off chain of each kind of review, as data (五级审核, seed 004). `responsibility` says
-- which share of a fault the step's holder bears: handling officer 办案人, reviewer 审核人,
-- approver 审批人 (the accountability aggregate proposes the split from it).
CREATE TABLE signoff_template (
    kind            text NOT NULL
        CHECK (kind IN ('VERIFICATION','CASE_QUALITY_EVALUATION','LEGAL_REVIEW')),
    step_no         integer NOT NULL CHECK (step_no > 0),
    role_tag        text NOT NULL CHECK (role_tag ~ '^[A-Z][A-Z_]*$'),
    label           text NOT NULL,
    responsibility  text NOT NULL CHECK (responsibility IN ('HANDLER','REVIEWER','APPROVER')),
    PRIMARY KEY (kind, step_no)
);

CREATE TABLE review (
    id                   uuid PRIMARY KEY,
    version              integer NOT NULL,
    kind                 text NOT NULL
        CHECK (kind IN ('VERIFICATION','CASE_QUALITY_EVALUATION','LEGAL_REVIEW')),
    status               text NOT NULL CHECK (status IN
        ('OPEN','VERIFYING','CONCLUDED','IN_SIGNOFF','SIGNED_OFF','CLOSED')),
    subject              text NOT NULL,
    unit_code            text NOT NULL REFERENCES unit (code),
    origin_type          text NOT NULL
        CHECK (origin_type IN ('complaint','petition','case','inspection')),
    origin_id            text,
    inspection_method    text
        CHECK (inspection_method IN ('ONLINE_PATROL','SURPRISE_INSPECTION','SPECIAL_EVALUATION')),
    origin_description   text,
    correlation_id       uuid NOT NULL,
    opened_at            timestamptz NOT NULL,
    verifiers            text[] NOT NULL DEFAULT '{}',
    finding              text
        CHECK (finding IN ('SUBSTANTIATED','PARTLY_SUBSTANTIATED','NOT_SUBSTANTIATED')),
    finding_nature       text CHECK (finding_nature IN ('FLAW','FAULT','NONE')),
    finding_summary      text,
    finding_recorded_at  timestamptz,
    rating               text CHECK (rating IN ('EXCELLENT','QUALIFIED','UNQUALIFIED')),
    evaluation           jsonb,
    evaluated_at         timestamptz,
    signoff_plan         jsonb NOT NULL DEFAULT '[]',
    signoff_round        integer NOT NULL DEFAULT 0,
    signoff_step         integer,
    signed_off_at        timestamptz,
    closed_at            timestamptz,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((origin_type = 'inspection') = (origin_id IS NULL)),
    CHECK ((origin_type = 'inspection') = (inspection_method IS NOT NULL)),
    CHECK ((finding IS NULL) = (finding_nature IS NULL)),
    CHECK ((rating IS NULL) = (evaluated_at IS NULL)),
    CHECK ((status = 'IN_SIGNOFF') = (signoff_step IS NOT NULL))
);
CREATE INDEX review_opened ON review (opened_at DESC, id DESC);
CREATE INDEX review_status ON review (status, opened_at DESC, id DESC);
CREATE INDEX review_kind ON review (kind, opened_at DESC, id DESC);
CREATE INDEX review_unit ON review (unit_code, opened_at DESC);
CREATE INDEX review_finding ON review (finding, opened_at DESC) WHERE finding IS NOT NULL;
CREATE INDEX review_correlation ON review (correlation_id);
CREATE INDEX review_origin ON review (origin_type, origin_id);
-- excellentShare: evaluations of a unit subtree in a period.
CREATE INDEX review_evaluated ON review (evaluated_at, unit_code) INCLUDE (rating)
    WHERE rating IS NOT NULL;

-- Evidence is only ever added.
CREATE TABLE review_evidence (
    review_id          uuid NOT NULL REFERENCES review (id),
    no                 integer NOT NULL CHECK (no > 0),
    description        text NOT NULL,
    attachment_sha256  text CHECK (attachment_sha256 ~ '^[0-9a-f]{64}$'),
    added_at           timestamptz NOT NULL,
    PRIMARY KEY (review_id, no)
);

CREATE TABLE review_rectification (
    review_id            uuid NOT NULL REFERENCES review (id),
    no                   integer NOT NULL CHECK (no > 0),
    owner_unit_code      text NOT NULL REFERENCES unit (code),
    verifying_unit_code  text REFERENCES unit (code),
    requirement          text NOT NULL,
    status               text NOT NULL
        CHECK (status IN ('OPEN','DONE_REPORTED','RETURNED','CLOSED_OFF','REOPENED')),
    due_at               timestamptz,
    deadline             jsonb NOT NULL,
    watch_days           integer CHECK (watch_days > 0),
    added_at             timestamptz NOT NULL,
    done_note            text,
    done_reported_at     timestamptz,
    closed_off_at        timestamptz,
    closed_off_by_unit   text,
    comment              text,
    returned_at          timestamptz,
    watch_until          timestamptz,
    watch                jsonb,
    recurrences          integer NOT NULL DEFAULT 0,
    recurrence_note      text,
    PRIMARY KEY (review_id, no),
    -- A different unit verifies and closes off (销号), never the owner.
    CHECK (verifying_unit_code IS DISTINCT FROM owner_unit_code),
    CHECK (closed_off_by_unit IS DISTINCT FROM owner_unit_code)
);
CREATE INDEX review_rectification_owner ON review_rectification (owner_unit_code);
CREATE INDEX review_rectification_verifier ON review_rectification (verifying_unit_code)
    WHERE verifying_unit_code IS NOT NULL;
CREATE INDEX review_rectification_due ON review_rectification (due_at)
    WHERE status IN ('OPEN','RETURNED','REOPENED');

-- The sign-off chain: one row per step per round, kept when a return starts a new round.
CREATE TABLE review_signoff_step (
    review_id       uuid NOT NULL REFERENCES review (id),
    round           integer NOT NULL CHECK (round > 0),
    step_no         integer NOT NULL CHECK (step_no > 0),
    role_tag        text NOT NULL,
    label           text NOT NULL,
    responsibility  text NOT NULL CHECK (responsibility IN ('HANDLER','REVIEWER','APPROVER')),
    holder_code     text NOT NULL REFERENCES officer (code),
    decision        text NOT NULL
        CHECK (decision IN ('PENDING','APPROVED','RETURNED','NOT_REACHED')),
    comment         text,
    signed_at       timestamptz,
    PRIMARY KEY (review_id, round, step_no),
    CHECK ((decision IN ('APPROVED','RETURNED')) = (signed_at IS NOT NULL)),
    CHECK (decision <> 'RETURNED' OR comment IS NOT NULL)
);
CREATE INDEX review_signoff_step_holder ON review_signoff_step (holder_code);

CREATE TABLE review_recommendation (
    review_id     uuid NOT NULL REFERENCES review (id),
    no            integer NOT NULL CHECK (no > 0),
    unit_code     text NOT NULL REFERENCES unit (code),
    content       text NOT NULL,
    issued_at     timestamptz NOT NULL,
    due_at        timestamptz,
    deadline      jsonb,
    status        text NOT NULL CHECK (status IN ('ISSUED','RESPONDED')),
    response      text,
    responded_at  timestamptz,
    PRIMARY KEY (review_id, no),
    CHECK ((status = 'RESPONDED') = (responded_at IS NOT NULL))
);
CREATE INDEX review_recommendation_unit ON review_recommendation (unit_code);
CREATE INDEX review_recommendation_due ON review_recommendation (due_at)
    WHERE status = 'ISSUED';

-- A review's child rows change only in a transaction that also wrote the review row itself,
-- whose version step then needs its audit event (jiandu_require_audit): no silent child edits.
CREATE FUNCTION jiandu_review_child_with_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM review WHERE id = NEW.review_id AND xmin = pg_current_xact_id()::xid
    ) THEN
        RAISE EXCEPTION '%: review % was not changed in this transaction', TG_TABLE_NAME,
            NEW.review_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
"""

CHILD_TABLES = (
    "review_evidence",
    "review_rectification",
    "review_signoff_step",
    "review_recommendation",
)

# The five levels (seed 004: 办案民警、所队分管领导、法制监督员、法制民警、局领导).
FIVE_LEVELS = [
    (1, "HANDLING_OFFICER", "办案民警", "HANDLER"),
    (2, "UNIT_LEADER", "单位分管领导", "REVIEWER"),
    (3, "LEGAL_SUPERVISOR", "法制监督员", "REVIEWER"),
    (4, "LEGAL_OFFICER", "法制员", "REVIEWER"),
    (5, "BUREAU_LEADER", "局领导", "APPROVER"),
]
TEMPLATES = [
    (kind, step, tag, label, share)
    for kind in ("LEGAL_REVIEW", "VERIFICATION")
    for step, tag, label, share in FIVE_LEVELS
]

_LOCAL = "local rule (地方规定)"
CLOCK_RULES = [
    # code, clock, scope, name, start event, unit, limit, max extension, approver, basis
    (
        "review.rectification.DEFAULT",
        "review.rectification",
        "DEFAULT",
        "整改期限",
        "review.rectification_added",
        "calendar_days",
        30,
        15,
        "leader",
        _LOCAL + ": rectify within 30 日 unless the centre sets a date (限期整改)",
    ),
    (
        "review.recommendation_response.DEFAULT",
        "review.recommendation_response",
        "DEFAULT",
        "执法监督建议书回复",
        "review.recommendation_issued",
        "calendar_days",
        15,
        0,
        None,
        _LOCAL + ": the unit answers a supervision recommendation (执法监督建议书) within 15 日",
    ),
]


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(
        "CREATE TRIGGER review_version_step BEFORE INSERT OR UPDATE ON review "
        "FOR EACH ROW EXECUTE FUNCTION jiandu_version_step()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER review_audited AFTER INSERT OR UPDATE ON review "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION jiandu_require_audit('review', 'id')"
    )
    for table in CHILD_TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_with_review AFTER INSERT OR UPDATE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION jiandu_review_child_with_review()"
        )
    conn = op.get_bind()
    conn.exec_driver_sql(
        "INSERT INTO signoff_template (kind, step_no, role_tag, label, responsibility)"
        " VALUES (%s, %s, %s, %s, %s)",
        TEMPLATES,
    )
    conn.exec_driver_sql(
        "INSERT INTO clock_rule (code, clock, scope, name, start_event, unit, limit_value,"
        " max_extension, extension_approver, basis) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        CLOCK_RULES,
    )
    op.execute(
        f"GRANT SELECT ON signoff_template TO {APP_ROLE};"
        f" GRANT SELECT, INSERT, UPDATE ON review, review_rectification, review_signoff_step,"
        f" review_recommendation TO {APP_ROLE};"
        f" GRANT SELECT, INSERT ON review_evidence TO {APP_ROLE};"
    )


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
