"""Petitions (信访事项): the aggregate table, its append-only case-file records, its clocks.

The petitioner's identity lives in `complainant` (0001), apart and erasable, like a complainant's.

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "jiandu_app"

_STATUSES = (
    "'REGISTERED','RETURNED','NOT_ACCEPTED','ACCEPTED','HANDLING','ANSWERED','REVIEW_REQUESTED',"
    "'REVIEWED','RE_EXAMINATION_REQUESTED','RE_EXAMINED','CLOSED'"
)
_FINDINGS = "'SUPPORT','EXPLAIN','NOT_SUPPORT'"

SCHEMA = f"""
CREATE TABLE petition (
    id                             uuid PRIMARY KEY,
    version                        integer NOT NULL,
    received_at                    timestamptz NOT NULL,
    registered_at                  timestamptz NOT NULL,
    subject                        text NOT NULL,
    content                        text NOT NULL,
    petitioner_id                  uuid NOT NULL REFERENCES complainant (id),
    correlation_id                 uuid NOT NULL,
    supervision_level              text NOT NULL CHECK (supervision_level IN ('MINISTRY','PROVINCE','CITY')),
    handling_unit_code             text NOT NULL REFERENCES unit (code),
    complained_units               text[] NOT NULL DEFAULT '{{}}',
    complained_officers            text[] NOT NULL DEFAULT '{{}}',
    origin_complaint_id            uuid UNIQUE REFERENCES complaint (id),
    same_matter_as_id              uuid REFERENCES petition (id),
    status                         text NOT NULL CHECK (status IN ({_STATUSES})),
    forwarded_at                   timestamptz NOT NULL,
    accepted_at                    timestamptz,
    refused_at                     timestamptz,
    refusal_reason                 text,
    objected_at                    timestamptz,
    objection_reason               text,
    objecting_unit_code            text REFERENCES unit (code),
    routing_decided_at             timestamptz,
    routing_decision               text CHECK (routing_decision IN ('UPHELD','REASSIGNED')),
    routing_superior_unit_code     text REFERENCES unit (code),
    routing_reason                 text,
    handling_started_at            timestamptz,
    extension_days                 integer CHECK (extension_days > 0),
    extension_reason               text,
    extended_at                    timestamptz,
    answered_at                    timestamptz,
    answer_finding                 text CHECK (answer_finding IN ({_FINDINGS})),
    answer_text                    text,
    review_requested_at            timestamptz,
    review_request_reason          text,
    reviewed_at                    timestamptz,
    review_finding                 text CHECK (review_finding IN ({_FINDINGS})),
    review_text                    text,
    re_examination_requested_at    timestamptz,
    re_examination_request_reason  text,
    re_examined_at                 timestamptz,
    re_examination_finding         text CHECK (re_examination_finding IN ({_FINDINGS})),
    re_examination_text            text,
    closed_at                      timestamptz,
    backlog_since                  timestamptz,
    backlog_cause                  text CHECK (backlog_cause IN
        ('HANDLING_OVERDUE','REPEATED_AFTER_RE_EXAMINATION','DESIGNATED')),
    backlog_reason                 text,
    repeat_count                   integer NOT NULL DEFAULT 0,
    leader_officer_code            text REFERENCES officer (code),
    leader_deadline                date,
    leader_assigned_at             timestamptz,
    dispatch_count                 integer NOT NULL DEFAULT 0,
    interview_count                integer NOT NULL DEFAULT 0,
    attachment_count               integer NOT NULL DEFAULT 0,
    lawyer_name                    text,
    lawyer_firm                    text,
    lawyer_recorded_at             timestamptz,
    legal_aid_centre               text,
    legal_aid_note                 text,
    legal_aid_referred_at          timestamptz,
    judicial_aid_status            text CHECK (judicial_aid_status IN ('APPLIED','GRANTED','REFUSED')),
    judicial_aid_amount            bigint CHECK (judicial_aid_amount > 0),
    judicial_aid_note              text,
    judicial_aid_applied_at        timestamptz,
    judicial_aid_decided_at        timestamptz,
    outcome                        text CHECK (outcome IN ('STOPPED','SETTLED','CONTINUING')),
    outcome_note                   text,
    outcome_at                     timestamptz,
    register_due_at                timestamptz,
    notice_due_at                  timestamptz,
    objection_due_at               timestamptz,
    handling_due_at                timestamptz,
    backlog_due_at                 timestamptz,
    review_request_due_at          timestamptz,
    review_due_at                  timestamptz,
    re_examination_request_due_at  timestamptz,
    re_examination_due_at          timestamptz,
    deadlines                      jsonb NOT NULL DEFAULT '{{}}',
    updated_at                     timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'NOT_ACCEPTED' OR refusal_reason IS NOT NULL),
    CHECK ((backlog_since IS NULL) = (backlog_cause IS NULL))
);
-- The keyset order, and each list filter with it.
CREATE INDEX petition_received ON petition (received_at DESC, id DESC);
CREATE INDEX petition_status ON petition (status, received_at DESC, id DESC);
CREATE INDEX petition_level ON petition (supervision_level, received_at DESC, id DESC);
CREATE INDEX petition_unit ON petition (handling_unit_code, received_at DESC);
CREATE INDEX petition_backlog ON petition (received_at DESC, id DESC)
    WHERE backlog_since IS NOT NULL;
CREATE INDEX petition_backlog_due ON petition (backlog_due_at)
    WHERE status IN ('ACCEPTED','HANDLING');
CREATE INDEX petition_notice_due ON petition (notice_due_at) WHERE status = 'REGISTERED';
CREATE INDEX petition_handling_due ON petition (handling_due_at)
    WHERE status IN ('ACCEPTED','HANDLING');
CREATE INDEX petition_review_due ON petition (review_due_at) WHERE status = 'REVIEW_REQUESTED';
CREATE INDEX petition_re_examination_due ON petition (re_examination_due_at)
    WHERE status = 'RE_EXAMINATION_REQUESTED';
CREATE INDEX petition_correlation ON petition (correlation_id);
CREATE INDEX petition_petitioner ON petition (petitioner_id);
CREATE INDEX petition_same_matter ON petition (same_matter_as_id) WHERE same_matter_as_id IS NOT NULL;
CREATE INDEX petition_complained_units ON petition USING gin (complained_units);

-- The case file (案卷): append-only records, each written by the petition event that names its
-- `version`, so the deferred audit check below holds them to that event.
CREATE TABLE petition_dispatch (
    petition_id  uuid NOT NULL REFERENCES petition (id),
    seq          integer NOT NULL CHECK (seq > 0),
    version      integer NOT NULL,
    held_on      date NOT NULL,
    notes        text NOT NULL,
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (petition_id, seq)
);
CREATE TABLE petition_interview (
    petition_id   uuid NOT NULL REFERENCES petition (id),
    seq           integer NOT NULL CHECK (seq > 0),
    version       integer NOT NULL,
    held_on       date NOT NULL,
    participants  text[] NOT NULL,
    notes         text NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (petition_id, seq)
);
CREATE TABLE petition_attachment (
    petition_id  uuid NOT NULL REFERENCES petition (id),
    seq          integer NOT NULL CHECK (seq > 0),
    version      integer NOT NULL,
    name         text NOT NULL,
    media_type   text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
    added_by     text NOT NULL,
    added_at     timestamptz NOT NULL,
    PRIMARY KEY (petition_id, seq)
);

CREATE FUNCTION jiandu_petition_record_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""

CHILD_TABLES = ("petition_dispatch", "petition_interview", "petition_attachment")

_ART_23_24 = "信访工作条例 art. 23–24"
CLOCK_RULES = [
    # code, clock, scope, name, start event, unit, limit, max extension, approver, basis
    (
        "petition.register",
        "petition.register",
        "default",
        "信访事项登记转送",
        "petition.received",
        "calendar_days",
        15,
        0,
        None,
        "信访工作条例 art. 22: register and forward or assign within 15 日",
    ),
    (
        "petition.notice",
        "petition.notice",
        "default",
        "受理告知",
        "petition.forwarded",
        "calendar_days",
        15,
        0,
        None,
        "信访工作条例 art. 23: written notice of acceptance or not within 15 日",
    ),
    (
        "petition.objection",
        "petition.objection",
        "default",
        "退回异议",
        "petition.forwarded",
        "working_days",
        5,
        0,
        None,
        _ART_23_24
        + ": object to a mis-routed item within 5 工作日; disputes go to the common superior",
    ),
    (
        "petition.handling",
        "petition.handling",
        "default",
        "信访事项办理",
        "petition.accepted",
        "calendar_days",
        60,
        30,
        "leader",
        "信访工作条例 art. 34: 60 日 from acceptance, +≤30 日 once with the head's approval",
    ),
    (
        "petition.review_request",
        "petition.review_request",
        "default",
        "请求复查",
        "petition.answered",
        "calendar_days",
        30,
        0,
        None,
        "信访工作条例 art. 35: request review (复查) within 30 日 of the answer",
    ),
    (
        "petition.review",
        "petition.review",
        "default",
        "复查意见",
        "petition.review_requested",
        "calendar_days",
        30,
        0,
        None,
        "信访工作条例 art. 35: decide the review (复查) within 30 日",
    ),
    (
        "petition.re_examination_request",
        "petition.re_examination_request",
        "default",
        "请求复核",
        "petition.reviewed",
        "calendar_days",
        30,
        0,
        None,
        "信访工作条例 art. 36: request re-examination (复核) within 30 日 of the review",
    ),
    (
        "petition.re_examination",
        "petition.re_examination",
        "default",
        "复核意见",
        "petition.re_examination_requested",
        "calendar_days",
        30,
        0,
        None,
        "信访工作条例 art. 36: decide the re-examination (复核) within 30 日; not accepted again after",
    ),
]


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(
        "CREATE TRIGGER petition_version_step BEFORE INSERT OR UPDATE ON petition "
        "FOR EACH ROW EXECUTE FUNCTION jiandu_version_step()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER petition_audited AFTER INSERT OR UPDATE ON petition "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION jiandu_require_audit('petition', 'id')"
    )
    for table in CHILD_TABLES:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_audited AFTER INSERT ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            "EXECUTE FUNCTION jiandu_require_audit('petition', 'petition_id')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jiandu_petition_record_immutable()"
        )
    conn = op.get_bind()
    conn.exec_driver_sql(
        "INSERT INTO clock_rule (code, clock, scope, name, start_event, unit, limit_value,"
        " max_extension, extension_approver, basis) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        CLOCK_RULES,
    )
    op.execute(
        f"GRANT SELECT, INSERT, UPDATE ON petition TO {APP_ROLE};"
        f" GRANT SELECT, INSERT ON {', '.join(CHILD_TABLES)} TO {APP_ROLE};"
    )


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
