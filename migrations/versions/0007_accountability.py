"""Accountability (执法过错责任追究), the officers' points ledgers (积分), and their configuration.

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

APP_ROLE = "jiandu_app"

SCHEMA = """
-- One accountability per review whose finding is a fault. Subjects, measures and appeals are
-- jsonb parts of the row (they change only with it, one audited version each); the arrays index
-- who and which units are concerned, the units being those at the time of the fault.
CREATE TABLE accountability (
    id               uuid PRIMARY KEY,
    version          integer NOT NULL,
    status           text NOT NULL
        CHECK (status IN ('OPEN','PROPOSED','DECIDED','APPEALED','APPEAL_DECIDED')),
    review_id        uuid NOT NULL UNIQUE REFERENCES review (id),
    unit_code        text NOT NULL REFERENCES unit (code),
    correlation_id   uuid NOT NULL,
    opened_at        timestamptz NOT NULL,
    fault_type_code  text NOT NULL CHECK (fault_type_code ~ '^[A-Z][A-Z0-9_]*$'),
    fault_type       text NOT NULL,
    fault_date       date NOT NULL,
    culpability      text NOT NULL CHECK (culpability IN ('INTENT','GROSS_NEGLIGENCE','NEGLIGENCE')),
    lifelong         boolean NOT NULL,
    persons          jsonb NOT NULL DEFAULT '[]',
    units            jsonb NOT NULL DEFAULT '[]',
    officer_codes    text[] NOT NULL DEFAULT '{}',
    unit_codes       text[] NOT NULL DEFAULT '{}',
    proposed         jsonb NOT NULL DEFAULT '[]',
    proposed_at      timestamptz,
    measures         jsonb NOT NULL DEFAULT '[]',
    decided_at       timestamptz,
    decision_note    text,
    appeal_due_at    timestamptz,
    appeal_window    jsonb,
    appeals          jsonb NOT NULL DEFAULT '[]',
    exposure         jsonb,
    published_at     timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (lifelong = (culpability IN ('INTENT','GROSS_NEGLIGENCE'))),
    CHECK ((status IN ('OPEN','PROPOSED')) = (decided_at IS NULL)),
    CHECK ((exposure IS NULL) = (published_at IS NULL))
);
CREATE INDEX accountability_opened ON accountability (opened_at DESC, id DESC);
CREATE INDEX accountability_status ON accountability (status, opened_at DESC, id DESC);
CREATE INDEX accountability_lifelong ON accountability (lifelong, opened_at DESC, id DESC);
CREATE INDEX accountability_officers ON accountability USING gin (officer_codes);
CREATE INDEX accountability_units ON accountability USING gin (unit_codes);
CREATE INDEX accountability_correlation ON accountability (correlation_id);
CREATE INDEX accountability_published ON accountability (published_at DESC, id DESC)
    WHERE published_at IS NOT NULL;

-- The integrity record (执法诚信档案) lists the complaints naming an officer.
CREATE INDEX IF NOT EXISTS complaint_complained_officers ON complaint USING gin (complained_officers);

-- Points deducted per decided measure (过错扣分): configuration, per deployment.
CREATE TABLE accountability_measure_points (
    measure  text PRIMARY KEY,
    points   integer NOT NULL CHECK (points > 0),
    basis    text NOT NULL
);

-- Indicators evaluation must not use (考评不得以罚没款、拘留数、案件数、退补率、破案率为指标).
CREATE TABLE evaluation_forbidden_indicator (
    code     text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    name     text NOT NULL,
    aliases  text[] NOT NULL DEFAULT '{}',
    basis    text NOT NULL
);

-- One ledger per officer: running totals; the entries are its append-only children.
CREATE TABLE points_ledger (
    officer_code  text PRIMARY KEY REFERENCES officer (code),
    version       integer NOT NULL,
    earned        integer NOT NULL DEFAULT 0 CHECK (earned >= 0),
    deducted      integer NOT NULL DEFAULT 0 CHECK (deducted >= 0),
    offset_total  integer NOT NULL DEFAULT 0 CHECK (offset_total >= 0),
    reversed      integer NOT NULL DEFAULT 0 CHECK (reversed >= 0),
    entry_count   integer NOT NULL DEFAULT 0 CHECK (entry_count >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (offset_total <= earned),
    CHECK (offset_total + reversed <= deducted)
);

CREATE TABLE points_entry (
    officer_code    text NOT NULL REFERENCES points_ledger (officer_code),
    no              integer NOT NULL CHECK (no > 0),
    kind            text NOT NULL CHECK (kind IN ('EARN','DEDUCT','OFFSET','REVERSAL')),
    amount          integer NOT NULL CHECK (amount > 0),
    balance_after   integer NOT NULL,
    indicator_code  text,
    reason          text NOT NULL,
    source_type     text,
    source_id       text,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (officer_code, no),
    CHECK ((source_type IS NULL) = (source_id IS NULL)),
    CHECK (kind <> 'EARN' OR indicator_code IS NOT NULL)
);
CREATE INDEX points_entry_source ON points_entry (source_type, source_id);

-- An entry is added only in a transaction that also wrote its ledger row, whose version step
-- then needs its audit event (jiandu_require_audit): no silent entries.
CREATE FUNCTION jiandu_points_entry_with_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM points_ledger
        WHERE officer_code = NEW.officer_code AND xmin = pg_current_xact_id()::xid
    ) THEN
        RAISE EXCEPTION 'points_entry: the ledger of % was not changed in this transaction',
            NEW.officer_code USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER points_entry_with_ledger AFTER INSERT ON points_entry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION jiandu_points_entry_with_ledger();
"""

AGGREGATE_TABLES = {
    # table: (aggregate type, id column)
    "accountability": ("accountability", "id"),
    "points_ledger": ("points_ledger", "officer_code"),
}

_DISCIPLINE = "公职人员政务处分法 art. 8"
_INSPECTION = "公安机关督察条例 art. 12"
_LOCAL = "local rule (地方规定)"
CLOCK_RULES = [
    # code, clock, scope, name, start event, unit, limit, max extension, approver,
    # shift holiday end, basis
    (
        "accountability.measure.SUSPENSION",
        "accountability.measure",
        "SUSPENSION",
        "停止执行职务",
        "accountability.decided",
        "calendar_days",
        10,
        50,
        "leader",
        False,
        _INSPECTION + ": 停止执行职务 10–60 日 (the days beyond 10 are shown as extension)",
    ),
    (
        "accountability.measure.CONFINEMENT",
        "accountability.measure",
        "CONFINEMENT",
        "禁闭",
        "accountability.decided",
        "calendar_days",
        1,
        6,
        "leader",
        False,
        _INSPECTION + ": 禁闭 1–7 日 (the days beyond 1 are shown as extension)",
    ),
    (
        "accountability.measure.WARNING",
        "accountability.measure",
        "WARNING",
        "警告处分期",
        "accountability.decided",
        "months",
        6,
        0,
        None,
        False,
        _DISCIPLINE + ": 警告 6 个月",
    ),
    (
        "accountability.measure.DEMERIT",
        "accountability.measure",
        "DEMERIT",
        "记过处分期",
        "accountability.decided",
        "months",
        12,
        0,
        None,
        False,
        _DISCIPLINE + ": 记过 12 个月",
    ),
    (
        "accountability.measure.MAJOR_DEMERIT",
        "accountability.measure",
        "MAJOR_DEMERIT",
        "记大过处分期",
        "accountability.decided",
        "months",
        18,
        0,
        None,
        False,
        _DISCIPLINE + ": 记大过 18 个月",
    ),
    (
        "accountability.measure.DEMOTION",
        "accountability.measure",
        "DEMOTION",
        "降级处分期",
        "accountability.decided",
        "months",
        24,
        0,
        None,
        False,
        _DISCIPLINE + ": 降级 24 个月",
    ),
    (
        "accountability.measure.DISMISSAL_FROM_POST",
        "accountability.measure",
        "DISMISSAL_FROM_POST",
        "撤职处分期",
        "accountability.decided",
        "months",
        24,
        0,
        None,
        False,
        _DISCIPLINE + ": 撤职 24 个月 (开除 has no sanction period)",
    ),
    (
        "accountability.appeal.DEFAULT",
        "accountability.appeal",
        "DEFAULT",
        "申诉期",
        "accountability.decided",
        "calendar_days",
        30,
        0,
        None,
        True,
        _LOCAL + ": appeal (申诉) within 30 日 of the decision; cf. 公务员法 art. 95 "
        "(复核 within 30 日 of learning of the decision)",
    ),
]

_POINTS = _LOCAL + ": 过错扣分 per decided measure (seed 004, 达标得分、过错扣分、积分消抵)"
MEASURE_POINTS = [
    ("CRITICISM_EDUCATION", 2),
    ("ADMONISHMENT", 4),
    ("POST_ADJUSTMENT", 8),
    ("ORDERED_RESIGNATION", 12),
    ("SUSPENSION", 10),
    ("CONFINEMENT", 6),
    ("WARNING", 6),
    ("DEMERIT", 10),
    ("MAJOR_DEMERIT", 15),
    ("DEMOTION", 20),
    ("DISMISSAL_FROM_POST", 25),
    ("EXPULSION", 30),
]

_EVALUATION = "DOMAIN.md: evaluation (考评) must not use these as indicators"
FORBIDDEN_INDICATORS = [
    ("FINES_COLLECTED", "罚没款数额", ["FINES", "FINE_AMOUNT", "罚没款", "罚款数额", "罚款金额"]),
    ("DETENTIONS", "拘留人数", ["DETENTION_COUNT", "拘留人数", "拘留数"]),
    ("CASE_COUNT", "办案数量", ["CASES", "CASE_NUMBER", "办案数量", "案件数量", "案件数"]),
    ("RETURN_RATE", "退补率", ["RETURN_FOR_SUPPLEMENT_RATE", "退补率", "退查率"]),
    ("CLEARANCE_RATE", "破案率", ["SOLVE_RATE", "破案率"]),
]


def upgrade() -> None:
    op.execute(SCHEMA)
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
    conn.exec_driver_sql(
        "INSERT INTO clock_rule (code, clock, scope, name, start_event, unit, limit_value,"
        " max_extension, extension_approver, shift_holiday_end, basis)"
        " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        CLOCK_RULES,
    )
    conn.exec_driver_sql(
        "INSERT INTO accountability_measure_points (measure, points, basis) VALUES (%s, %s, %s)",
        [(measure, points, _POINTS) for measure, points in MEASURE_POINTS],
    )
    conn.exec_driver_sql(
        "INSERT INTO evaluation_forbidden_indicator (code, name, aliases, basis)"
        " VALUES (%s, %s, %s, %s)",
        [(code, name, aliases, _EVALUATION) for code, name, aliases in FORBIDDEN_INDICATORS],
    )
    op.execute(
        f"GRANT SELECT ON accountability_measure_points, evaluation_forbidden_indicator"
        f" TO {APP_ROLE};"
        f" GRANT SELECT, INSERT, UPDATE ON accountability, points_ledger TO {APP_ROLE};"
        f" GRANT SELECT, INSERT ON points_entry TO {APP_ROLE};"
    )


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
