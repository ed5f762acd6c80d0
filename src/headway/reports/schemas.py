"""Pydantic shapes of the portfolio reports, as the API answers and `--json` prints them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from headway.core.pagination import Page
from headway.reports.attainment import Attainment, CsmResults
from headway.reports.compliance import Compliance
from headway.reports.service import CoverageReport, GapLine, Labelled, OutcomeReport

# What each figure means: the reports carry their definitions (see docs/metrics.md).
OUTCOME_DEFINITIONS = {
    "goals_due": "goals whose due date is in the period and on or before as_of "
    "(a goal due later in the period is not decided yet)",
    "goals_achieved": "goals due that reached their target on or before their due date",
    "attainment_rate": "goals_achieved ÷ goals_due; null when no goal is due",
    "at_risk": "goals still open as of as_of (due on or after it, not achieved) whose status "
    "that day is at risk, whatever their due date; goals of churned accounts are left out",
    "by_csm": "grouped by the account's owner, the CSM of record",
    "by_template": "grouped by the goal template a goal started from; 'custom' when none",
    "accounts": "the CSM's current accounts: owned and not churned",
    "accounts_with_achievement": "of those, accounts with a goal achieved on a day of the "
    "period up to as_of (whatever the goal's due date)",
    "achievement_share": "accounts_with_achievement ÷ accounts; null without accounts",
    "activities": "activities the CSM took part in (a participant), on days of the period up "
    "to as_of, on any account",
    "activity_hours": "the minutes of those activities ÷ 60",
}
COVERAGE_DEFINITIONS = {
    "accounts": "current accounts (not churned) that at least one required touch applies to",
    "accounts_covered": "accounts meeting every touch their segment and stage require",
    "accounts_with_gap": "accounts overdue on at least one required touch",
    "compliance_rate": "accounts_covered ÷ accounts; null when no touch applies to any",
    "overdue_days": "the days overdue of every unmet touch, added up",
}


class AttainmentRead(BaseModel):
    goals_due: int
    goals_achieved: int
    attainment_rate: float | None = Field(description="goals_achieved ÷ goals_due; null if 0 due")
    at_risk: int


class SegmentAttainmentRead(AttainmentRead):
    segment: str | None = Field(description="segment key; null for accounts without one")
    name: str


class CsmAttainmentRead(AttainmentRead):
    owner_id: int | None = Field(description="the accounts' owner; null when nobody owns them")
    name: str


class TemplateAttainmentRead(AttainmentRead):
    template: str = Field(description="goal template key, or 'custom'")
    name: str


class OutputsVsOutcomesRead(AttainmentRead):
    """One CSM: outcomes first (goals, attainment, accounts with an achievement), then outputs."""

    owner_id: int
    name: str
    accounts: int
    accounts_with_achievement: int
    achievement_share: float | None
    activities: int
    activity_hours: float


class OutcomeReportRead(BaseModel):
    """Outcome attainment of a period: totals, by segment, CSM and goal template."""

    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from", description="the period's first day")
    period_to: date = Field(alias="to", description="the period's last day (included)")
    as_of: date
    goals_due: int
    goals_achieved: int
    attainment_rate: float | None
    at_risk: int
    by_segment: list[SegmentAttainmentRead]
    by_csm: list[CsmAttainmentRead]
    by_template: list[TemplateAttainmentRead]
    outputs_vs_outcomes: list[OutputsVsOutcomesRead]
    definitions: dict[str, str]


def _figures(a: Attainment) -> dict[str, int | float | None]:
    return {
        "goals_due": a.goals_due,
        "goals_achieved": a.goals_achieved,
        "attainment_rate": a.attainment_rate,
        "at_risk": a.at_risk,
    }


def _csm_read(line: Labelled[CsmResults]) -> OutputsVsOutcomesRead:
    r = line.figures
    return OutputsVsOutcomesRead(
        owner_id=line.key,
        name=line.name,
        **_figures(r.attainment),
        accounts=r.accounts,
        accounts_with_achievement=r.accounts_with_achievement,
        achievement_share=r.achievement_share,
        activities=r.activities,
        activity_hours=r.hours,
    )


def outcome_report_read(report: OutcomeReport) -> OutcomeReportRead:
    """The JSON shape of an outcome report."""
    return OutcomeReportRead(
        period_from=report.period.start,
        period_to=report.period.end,
        as_of=report.period.as_of,
        **_figures(report.total),
        by_segment=[
            SegmentAttainmentRead(segment=line.key, name=line.name, **_figures(line.figures))
            for line in report.by_segment
        ],
        by_csm=[
            CsmAttainmentRead(owner_id=line.key, name=line.name, **_figures(line.figures))
            for line in report.by_csm
        ],
        by_template=[
            TemplateAttainmentRead(template=line.key, name=line.name, **_figures(line.figures))
            for line in report.by_template
        ],
        outputs_vs_outcomes=[_csm_read(line) for line in report.csms],
        definitions=OUTCOME_DEFINITIONS,
    )


# --- coverage ------------------------------------------------------------------------------


class ComplianceRead(BaseModel):
    accounts: int
    accounts_covered: int
    accounts_with_gap: int
    compliance_rate: float | None
    overdue_days: int


class SegmentComplianceRead(ComplianceRead):
    segment: str | None
    name: str


class CsmComplianceRead(ComplianceRead):
    owner_id: int | None
    name: str


class GapRead(BaseModel):
    """One required touch an account is overdue on."""

    account_id: int
    account_name: str
    segment: str | None
    segment_name: str
    owner_id: int | None
    owner_name: str
    requirement: str
    every_days: int
    last_touch: date | None
    due_on: date
    overdue_days: int


class CoverageFiltersRead(BaseModel):
    segment: str | None = None
    owner_id: int | None = None


class CoverageReportRead(BaseModel):
    """Appropriate Experience compliance as of a day; the gaps, most overdue first."""

    as_of: date
    filters: CoverageFiltersRead
    summary: ComplianceRead
    by_segment: list[SegmentComplianceRead]
    by_csm: list[CsmComplianceRead]
    gaps: list[GapRead]
    definitions: dict[str, str]


class CoveragePageRead(BaseModel):
    """The coverage report with one page of its gaps."""

    as_of: date
    filters: CoverageFiltersRead
    summary: ComplianceRead
    by_segment: list[SegmentComplianceRead]
    by_csm: list[CsmComplianceRead]
    gaps: Page[GapRead]
    definitions: dict[str, str]


def _compliance(c: Compliance) -> dict[str, int | float | None]:
    return {
        "accounts": c.accounts,
        "accounts_covered": c.accounts_covered,
        "accounts_with_gap": c.accounts_with_gap,
        "compliance_rate": c.compliance_rate,
        "overdue_days": c.overdue_days,
    }


def gap_read(line: GapLine) -> GapRead:
    g = line.gap
    return GapRead(
        account_id=g.account_id,
        account_name=g.account_name,
        segment=g.segment,
        segment_name=line.segment_name,
        owner_id=g.owner_id,
        owner_name=line.owner_name,
        requirement=g.requirement,
        every_days=g.every_days,
        last_touch=g.last_touch,
        due_on=g.due_on,
        overdue_days=g.overdue_days,
    )


def _coverage_parts(report: CoverageReport) -> dict[str, Any]:
    return {
        "as_of": report.as_of,
        "filters": CoverageFiltersRead(segment=report.segment, owner_id=report.owner_id),
        "summary": ComplianceRead(**_compliance(report.total)),
        "by_segment": [
            SegmentComplianceRead(segment=line.key, name=line.name, **_compliance(line.figures))
            for line in report.by_segment
        ],
        "by_csm": [
            CsmComplianceRead(owner_id=line.key, name=line.name, **_compliance(line.figures))
            for line in report.by_csm
        ],
        "definitions": COVERAGE_DEFINITIONS,
    }


def coverage_report_read(report: CoverageReport) -> CoverageReportRead:
    """The JSON shape of a coverage report, with every gap."""
    return CoverageReportRead(
        **_coverage_parts(report), gaps=[gap_read(line) for line in report.gaps]
    )


def coverage_page_read(report: CoverageReport, *, page: int, per_page: int) -> CoveragePageRead:
    """The JSON shape of a coverage report with one page of its gaps."""
    first = (page - 1) * per_page
    return CoveragePageRead(
        **_coverage_parts(report),
        gaps=Page[GapRead](
            items=[gap_read(line) for line in report.gaps[first : first + per_page]],
            total=len(report.gaps),
            page=page,
            per_page=per_page,
        ),
    )
