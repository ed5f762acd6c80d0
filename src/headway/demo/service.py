"""Load the demo company into the database or write it as bulk files."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from headway.core import clock
from headway.core.audit import Actor, record_audit
from headway.core.db import refresh_statistics
from headway.core.errors import Conflict
from headway.demo.bulk import Progress, no_progress
from headway.demo.company import DemoCompany, generate_company
from headway.demo.database import (
    count_accounts,
    delete_demo_data,
    write_company,
    write_team,
)
from headway.demo.database_usage import UsageCounts, write_usage
from headway.demo.files import write_files
from headway.demo.people import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, demo_team
from headway.demo.usage import draw_usage
from headway.health.scores import score_accounts
from headway.usage.service import attach_identified_contacts
from headway.users.service import hash_password

# Health history written with the demo: weekly (daily takes a second per day at 300
# accounts), so trends and movers have something to compare with.
HEALTH_HISTORY_DAYS = 90
HEALTH_HISTORY_STEP_DAYS = 7


@dataclass(frozen=True)
class DemoReport:
    """What a demo run made, how long it took, and how to log in."""

    seed: int
    as_of: date
    accounts: int
    contacts: int
    subscriptions: int
    stage_changes: int
    users: int
    seconds: float
    desired_outcomes: int = 0
    outcome_statements: int = 0
    handoffs: int = 0
    success_plans: int = 0
    goals: int = 0
    evidence: int = 0
    milestones: int = 0
    activities: int = 0
    tickets: int = 0
    survey_invitations: int = 0
    survey_responses: int = 0
    product_users: int = 0
    usage_events: int = 0
    usage_rollup_rows: int = 0
    health_scores: int = 0
    login_email: str = DEMO_ADMIN_EMAIL
    login_password: str = DEMO_PASSWORD
    replaced_accounts: int = 0
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The report as plain data, for --json."""
        return {
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "accounts": self.accounts,
            "contacts": self.contacts,
            "subscriptions": self.subscriptions,
            "stage_changes": self.stage_changes,
            "users": self.users,
            "desired_outcomes": self.desired_outcomes,
            "outcome_statements": self.outcome_statements,
            "handoffs": self.handoffs,
            "success_plans": self.success_plans,
            "goals": self.goals,
            "evidence": self.evidence,
            "milestones": self.milestones,
            "activities": self.activities,
            "tickets": self.tickets,
            "survey_invitations": self.survey_invitations,
            "survey_responses": self.survey_responses,
            "product_users": self.product_users,
            "usage_events": self.usage_events,
            "usage_rollup_rows": self.usage_rollup_rows,
            "health_scores": self.health_scores,
            "seconds": round(self.seconds, 2),
            "login": {"email": self.login_email, "password": self.login_password},
            "replaced_accounts": self.replaced_accounts,
            "files": self.files,
        }


def _report(
    company: DemoCompany,
    started: float,
    *,
    replaced: int = 0,
    files: list[str] | None = None,
    usage: UsageCounts | None = None,
    health_scores: int = 0,
) -> DemoReport:
    counts = company.summary()
    return DemoReport(
        seed=company.seed,
        as_of=company.as_of,
        accounts=counts["accounts"],
        contacts=counts["contacts"],
        subscriptions=counts["subscriptions"],
        stage_changes=counts["stage_changes"],
        users=counts["users"],
        desired_outcomes=counts["desired_outcomes"],
        outcome_statements=counts["outcome_statements"],
        handoffs=counts["handoffs"],
        success_plans=counts["success_plans"],
        goals=counts["goals"],
        evidence=counts["evidence"],
        milestones=counts["milestones"],
        activities=counts["activities"],
        tickets=counts["tickets"],
        survey_invitations=counts["survey_invitations"],
        survey_responses=counts["survey_responses"],
        product_users=usage.users if usage else 0,
        usage_events=usage.raw_events if usage else 0,
        usage_rollup_rows=usage.rollup_rows if usage else 0,
        health_scores=health_scores,
        seconds=time.perf_counter() - started,
        replaced_accounts=replaced,
        files=files or [],
    )


def generate_demo(
    *,
    session: Session,
    actor: Actor,
    seed: int,
    accounts: int,
    as_of: date | None = None,
    replace: bool = False,
    usage: bool = True,
    health_history: bool = True,
    progress: Progress | None = None,
) -> DemoReport:
    """Generate the demo company into the database, in one transaction.

    Refuses when the database has accounts already, unless `replace` is set: then the demo
    data of an earlier run (accounts DEMO-…, people @demo.headway.test) is deleted first and
    any other account is left as it is. With `usage`, the company's product users and their
    usage (rollups of the whole history, raw events of its last days) are written too, and
    with `health_history` as well, the weekly health scores of its last 90 days.
    """
    started = time.perf_counter()
    existing = count_accounts(session)
    if existing and not replace:
        raise Conflict(
            f"the database has {existing} accounts already: the demo company goes into an "
            "empty database (replace the demo data of an earlier run with --replace)"
        )
    company = generate_company(seed=seed, as_of=as_of or clock.today(), accounts=accounts)
    deleted = delete_demo_data(session) if replace else None
    now = clock.now()
    write_company(
        session,
        company,
        password_hash=hash_password(DEMO_PASSWORD),  # once: argon2 is slow on purpose
        now=now,
        progress=progress or no_progress,
    )
    usage_counts = (
        write_usage(
            session, company, draw_usage(company), now=now, progress=progress or no_progress
        )
        if usage
        else None
    )
    if usage:
        # Identified product users are contacts of their account, as the daily job makes them.
        attach_identified_contacts(session=session, now=now)
    record_audit(
        session,
        actor=actor,
        action="demo.generate",
        entity_type="demo",
        entity_id=None,
        account_id=None,
        before={"accounts": deleted.accounts} if deleted else None,
        after={"seed": seed, "as_of": company.as_of.isoformat(), **company.summary()},
    )
    session.commit()
    # The planner must know the tables are no longer empty, or the first pages crawl.
    refresh_statistics(session)
    scores = (
        score_health_history(session=session, as_of=company.as_of)
        if usage and health_history
        else 0
    )
    return _report(
        company,
        started,
        replaced=deleted.accounts if deleted else 0,
        usage=usage_counts,
        health_scores=scores,
    )


def score_health_history(*, session: Session, as_of: date) -> int:
    """Score every customer weekly over the last HEALTH_HISTORY_DAYS up to as_of; return how
    many scores were written (each day's scoring commits on its own)."""
    days = range(HEALTH_HISTORY_DAYS // HEALTH_HISTORY_STEP_DAYS, -1, -1)
    return sum(
        score_accounts(session=session, as_of=as_of - timedelta(days=HEALTH_HISTORY_STEP_DAYS * k))
        for k in days
    )


def load_demo_if_empty(
    *,
    session: Session,
    actor: Actor,
    seed: int,
    accounts: int,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> DemoReport | None:
    """Generate the demo company only into a database without accounts; None when skipped."""
    if count_accounts(session):
        return None
    return generate_demo(
        session=session,
        actor=actor,
        seed=seed,
        accounts=accounts,
        as_of=as_of,
        progress=progress,
    )


def ensure_demo_team(*, session: Session, actor: Actor, accounts: int) -> int:
    """Create the demo team (for importing demo files, whose owners are its CSMs)."""
    team = demo_team(accounts)
    write_team(session, team, hash_password(DEMO_PASSWORD), clock.now())
    record_audit(
        session,
        actor=actor,
        action="demo.team",
        entity_type="demo",
        entity_id=None,
        account_id=None,
        before=None,
        after={"users": len(team)},
    )
    session.commit()
    return len(team)


def write_demo_files(
    *,
    out_dir: Path,
    seed: int,
    accounts: int,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Write the demo company as CSV and Parquet files in the canonical import columns."""
    started = time.perf_counter()
    company = generate_company(seed=seed, as_of=as_of or clock.today(), accounts=accounts)
    paths = write_files(company, out_dir, progress=progress or no_progress)
    return _report(company, started, files=[str(path) for path in paths])
