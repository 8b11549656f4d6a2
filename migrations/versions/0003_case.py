"""Cases under supervision (案件 / 警情): the table, its guards, grants and clock rules.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "jiandu_app"

# "case" is an SQL keyword, hence police_case. Transfers, jurisdiction, measures, revisits,
# tracking and appraisals are parts of the aggregate, kept as jsonb on its row; the columns after
# them are derived on every save so that the list filters need no jsonb scan.
SCHEMA = """
CREATE TABLE police_case (
    id                  uuid PRIMARY KEY,
    version             integer NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('CRIMINAL','ADMINISTRATIVE')),
    title               text NOT NULL,
    summary             text NOT NULL DEFAULT '',
    stage               text NOT NULL CHECK (stage IN ('ALERT_RECEIVED','ACCEPTED','FILED',
                            'INVESTIGATING','CONCLUDED','NOT_FILED','WITHDRAWN')),
    unit_code           text NOT NULL REFERENCES unit (code),
    lead_officer_code   text REFERENCES officer (code),
    external_system     text,
    external_record_id  text,
    alert_received_at   timestamptz NOT NULL,
    registered_at       timestamptz NOT NULL,
    correlation_id      uuid NOT NULL,
    stage_history       jsonb NOT NULL DEFAULT '[]',
    transfers           jsonb NOT NULL DEFAULT '[]',
    refusals            jsonb NOT NULL DEFAULT '[]',
    designations        jsonb NOT NULL DEFAULT '[]',
    measures            jsonb NOT NULL DEFAULT '[]',
    revisits            jsonb NOT NULL DEFAULT '[]',
    trackings           jsonb NOT NULL DEFAULT '[]',
    appraisals          jsonb NOT NULL DEFAULT '[]',
    handling_extensions jsonb NOT NULL DEFAULT '[]',
    deadlines           jsonb NOT NULL DEFAULT '{}',
    open_measures       integer NOT NULL DEFAULT 0 CHECK (open_measures >= 0),
    next_due_at         timestamptz,
    missed_deadline     boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (external_system, external_record_id),
    CHECK ((external_system IS NULL) = (external_record_id IS NULL))
);
CREATE INDEX police_case_received ON police_case (alert_received_at DESC, id DESC);
CREATE INDEX police_case_stage ON police_case (stage, alert_received_at DESC, id DESC);
CREATE INDEX police_case_kind ON police_case (kind, alert_received_at DESC, id DESC);
CREATE INDEX police_case_unit ON police_case (unit_code, alert_received_at DESC);
CREATE INDEX police_case_open_measures ON police_case (alert_received_at DESC, id DESC)
    WHERE open_measures > 0;
CREATE INDEX police_case_next_due ON police_case (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX police_case_missed ON police_case (alert_received_at DESC, id DESC)
    WHERE missed_deadline;
CREATE INDEX police_case_correlation ON police_case (correlation_id);

CREATE TRIGGER police_case_version_step BEFORE INSERT OR UPDATE ON police_case
    FOR EACH ROW EXECUTE FUNCTION jiandu_version_step();
CREATE CONSTRAINT TRIGGER police_case_audited AFTER INSERT OR UPDATE ON police_case
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION jiandu_require_audit('case', 'id');
"""

_CRIMINAL = "公安机关办理刑事案件程序规定"
CLOCK_RULES = [
    # code, clock, scope, name, start event, unit, limit, max extension, approver, basis
    (
        "case.handling.ADMINISTRATIVE",
        "case.handling",
        "ADMINISTRATIVE",
        "治安案件办案期限",
        "case.accepted",
        "calendar_days",
        30,
        30,
        "leader",
        "行政案件程序规定 art. 165: 30 日 from acceptance, +30 with the next level's approval;"
        " appraisal time not counted",
    ),
    (
        "case.revisit.FIRST",
        "case.revisit",
        "FIRST",
        "受案后首次回访",
        "case.accepted",
        "calendar_days",
        15,
        0,
        None,
        "local practice (Shenzhen, seed 000): first revisit within 15 日 of acceptance",
    ),
    (
        "case.revisit.SECOND",
        "case.revisit",
        "SECOND",
        "受案后第二次回访",
        "case.accepted",
        "calendar_days",
        30,
        0,
        None,
        "local practice (Shenzhen, seed 000): second revisit between day 15 and day 30",
    ),
    (
        "case.measure.CRIMINAL_DETENTION",
        "case.measure",
        "CRIMINAL_DETENTION",
        "刑事拘留后提请批准逮捕",
        "case.measure_started",
        "calendar_days",
        3,
        4,
        "leader",
        f"{_CRIMINAL} art. 129: request arrest approval within 3 日 of detention, +1–4 日",
    ),
    (
        "case.measure.CRIMINAL_DETENTION_SERIOUS",
        "case.measure",
        "CRIMINAL_DETENTION_SERIOUS",
        "流窜、多次、结伙作案提请批准逮捕",
        "case.measure_started",
        "calendar_days",
        3,
        27,
        "leader",
        f"{_CRIMINAL} art. 129: up to 30 日 for roving, repeated or gang crimes"
        " (流窜作案、多次作案、结伙作案)",
    ),
    (
        "case.measure.BAIL",
        "case.measure",
        "BAIL",
        "取保候审期限",
        "case.measure_started",
        "months",
        12,
        0,
        None,
        f"{_CRIMINAL} art. 107: bail pending trial at most 12 months",
    ),
    (
        "case.measure.RESIDENTIAL_SURVEILLANCE",
        "case.measure",
        "RESIDENTIAL_SURVEILLANCE",
        "监视居住期限",
        "case.measure_started",
        "months",
        6,
        0,
        None,
        f"{_CRIMINAL} art. 122: residential surveillance at most 6 months",
    ),
]


def upgrade() -> None:
    op.execute(SCHEMA)
    op.get_bind().exec_driver_sql(
        "INSERT INTO clock_rule (code, clock, scope, name, start_event, unit, limit_value,"
        " max_extension, extension_approver, basis) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        CLOCK_RULES,
    )
    # Never DELETE: the row is the aggregate's current state, its history is the audit log.
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON police_case TO {APP_ROLE}")


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
