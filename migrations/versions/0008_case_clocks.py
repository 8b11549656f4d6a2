"""The case's criminal-procedure clocks: transfer, notice and challenges of not filing, the
24-hour steps after a detention, and the administrative penalty decision.

Revision ID: 0008
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None

# The new parts of the aggregate, kept as jsonb on its row like the others; their due dates live
# in the existing `deadlines` column. Row-level triggers (version step, audit) cover new columns.
SCHEMA = """
ALTER TABLE police_case
    ADD COLUMN outside_jurisdiction  jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN not_filing_notice     jsonb,
    ADD COLUMN not_filing_challenges jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN detention_steps       jsonb NOT NULL DEFAULT '[]';
"""

_CRIMINAL = "公安机关办理刑事案件程序规定"
# code, clock, scope, name, start event, unit, limit, max extension, approver, basis
CLOCK_RULES = [
    (
        "case.outside_jurisdiction.CRIMINAL",
        "case.outside_jurisdiction",
        "CRIMINAL",
        "不属于自己管辖的案件移送",
        "case.marked_outside_jurisdiction",
        "hours",
        24,
        0,
        None,
        f"{_CRIMINAL} art. 175: a case outside the body's jurisdiction is transferred to the"
        " competent body within 24 h",
    ),
    (
        "case.not_filing_notice.CRIMINAL",
        "case.not_filing_notice",
        "CRIMINAL",
        "不予立案通知书送达",
        "case.not_filed",
        "calendar_days",
        3,
        0,
        None,
        f"{_CRIMINAL} art. 178: the notice of not filing (不予立案通知书) is served within 3 日",
    ),
    (
        "case.not_filing_challenge.RECONSIDERATION_APPLICATION",
        "case.not_filing_challenge",
        "RECONSIDERATION_APPLICATION",
        "不予立案复议申请期限",
        "case.not_filing_notice_recorded",
        "calendar_days",
        7,
        0,
        None,
        f"{_CRIMINAL} art. 179: 复议 may be applied for within 7 日 of receiving the notice",
    ),
    (
        "case.not_filing_challenge.RECONSIDERATION_DECISION",
        "case.not_filing_challenge",
        "RECONSIDERATION_DECISION",
        "不予立案复议决定期限",
        "case.reconsideration_applied",
        "calendar_days",
        30,
        30,
        "supervisor",
        f"{_CRIMINAL} art. 179: 复议 decided within 30 日 of the application;"
        " +≤30 日 if the case is major or complex (applicant told in writing)",
    ),
    (
        "case.not_filing_challenge.REVIEW_APPLICATION",
        "case.not_filing_challenge",
        "REVIEW_APPLICATION",
        "不予立案复核申请期限",
        "case.reconsideration_decided",
        "calendar_days",
        7,
        0,
        None,
        f"{_CRIMINAL} art. 179: 复核 may be applied for to the next level within 7 日 of"
        " receiving the 复议 decision",
    ),
    (
        "case.not_filing_challenge.REVIEW_DECISION",
        "case.not_filing_challenge",
        "REVIEW_DECISION",
        "不予立案复核决定期限",
        "case.review_applied",
        "calendar_days",
        30,
        30,
        "supervisor",
        f"{_CRIMINAL} art. 179: 复核 decided within 30 日 of the application;"
        " +≤30 日 if the case is major or complex (applicant told in writing)",
    ),
    (
        "case.detention_step.SENT_TO_DETENTION_CENTRE",
        "case.detention_step",
        "SENT_TO_DETENTION_CENTRE",
        "拘留后送看守所羁押",
        "case.measure_started",
        "hours",
        24,
        0,
        None,
        f"{_CRIMINAL} art. 126–128: after detention the person is sent to the detention centre"
        " within 24 h",
    ),
    (
        "case.detention_step.FAMILY_NOTIFIED",
        "case.detention_step",
        "FAMILY_NOTIFIED",
        "拘留后通知家属",
        "case.measure_started",
        "hours",
        24,
        0,
        None,
        f"{_CRIMINAL} art. 126–128: the family is notified within 24 h of the detention",
    ),
    (
        "case.detention_step.FIRST_INTERROGATION",
        "case.detention_step",
        "FIRST_INTERROGATION",
        "拘留后第一次讯问",
        "case.measure_started",
        "hours",
        24,
        0,
        None,
        f"{_CRIMINAL} art. 126–128: the detained person is first interrogated within 24 h",
    ),
    (
        "case.penalty_decision.ADMINISTRATIVE",
        "case.penalty_decision",
        "ADMINISTRATIVE",
        "行政处罚决定期限",
        "case.filed",
        "calendar_days",
        90,
        0,
        None,
        "行政处罚法 art. 60: the penalty decision is made within 90 日 of filing",
    ),
]


def upgrade() -> None:
    op.execute(SCHEMA)
    op.get_bind().exec_driver_sql(
        "INSERT INTO clock_rule (code, clock, scope, name, start_event, unit, limit_value,"
        " max_extension, extension_approver, basis) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
        CLOCK_RULES,
    )


def downgrade() -> None:
    raise RuntimeError("Jiandu migrations are forward-only: the audit log is never rewritten")
