"""headway lifecycle ttfv|apply|rules|daily: time to first value and the daily stage rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.orm import Session

from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.lifecycle.configuration import list_stage_rules, list_ttfv_rules
from headway.lifecycle.daily import STEP_LABELS, STEPS, DailyRun, StepProgress, run_daily
from headway.lifecycle.schemas import (
    CohortGrain,
    StageMoveRead,
    TtfvBy,
    TtfvReportRead,
    stage_moves_read,
    stage_rule_read,
    ttfv_report_read,
    ttfv_rule_read,
)
from headway.lifecycle.service import ttfv_distribution
from headway.lifecycle.stages import apply_stage_rules

app = typer.Typer(help="Lifecycle: time to first value and stage rules.", no_args_is_help=True)

NOT_DEFINED = "—"
T = TypeVar("T")

AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="The day to judge, YYYY-MM-DD (default: today).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _run(work: Callable[[Session], T]) -> T:
    """Run work on the configured database; a refused input exits 1 with the reason."""
    with command_session() as session:
        try:
            return work(session)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


def _days(value: float | int | None) -> str:
    return NOT_DEFINED if value is None else f"{value:g}"


# --- ttfv ----------------------------------------------------------------------------------


@app.command("ttfv")
def lifecycle_ttfv(
    by: Annotated[TtfvBy, typer.Option("--by", help="Group by segment or cohort.")] = (
        TtfvBy.SEGMENT
    ),
    grain: Annotated[
        CohortGrain, typer.Option("--grain", help="Cohorts by month or quarter of the start.")
    ] = CohortGrain.MONTH,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Time to first value: median, 75th and 90th percentile days, and accounts still waiting."""
    report = _run(
        lambda session: ttfv_report_read(
            ttfv_distribution(session=session, as_of=_day(as_of), by=by.value, grain=grain.value)
        )
    )
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(_ttfv_table(report))


def _ttfv_table(report: TtfvReportRead) -> Table:
    title = "segment" if report.by is TtfvBy.SEGMENT else f"{report.grain.value} of start"
    table = Table(title=f"Time to first value by {title}, as of {report.as_of} (days)")
    table.add_column(report.by.value.capitalize())
    for name in ("Accounts", "Reached", "Median", "p75", "p90", "Waiting", "Churned"):
        table.add_column(name, justify="right")
    rows = [(g.name, g) for g in report.groups] + [("All", report.total)]
    for name, f in rows:
        table.add_row(
            name,
            str(f.count),
            str(f.reached),
            _days(f.median),
            _days(f.p75),
            _days(f.p90),
            str(f.waiting),
            str(f.churned_before_value),
            end_section=name == rows[-2][0] if len(rows) > 1 else False,
        )
    return table


# --- stage rules ---------------------------------------------------------------------------


@app.command("apply")
def lifecycle_apply(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Tell what would move; move nothing.")
    ] = False,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply the stage rules: move each account whose rule's condition holds, one step a day."""
    moves = _run(
        lambda session: stage_moves_read(
            apply_stage_rules(session=session, as_of=_day(as_of), dry_run=dry_run)
        )
    )
    if as_json:
        print_json(
            {"dry_run": dry_run, "moved": len(moves), "moves": [m.model_dump() for m in moves]}
        )
        return
    console.print(_moves_table(moves, dry_run))


def _moves_table(moves: list[StageMoveRead], dry_run: bool) -> Table:
    verb = "would move" if dry_run else "moved"
    table = Table(title=f"{len(moves)} account{'' if len(moves) == 1 else 's'} {verb}")
    for name in ("Account", "From", "To", "Reason"):
        table.add_column(name)
    for m in moves:
        table.add_row(m.account_name, m.from_stage, m.to_stage, m.reason)
    return table


@app.command("rules")
def lifecycle_rules(as_json: JsonOption = False) -> None:
    """List the TTFV rules per segment and the stage rules in the order they apply."""

    def read(session: Session) -> dict[str, Any]:
        return {
            "ttfv_rules": [
                ttfv_rule_read(r).model_dump(mode="json") for r in list_ttfv_rules(session=session)
            ],
            "stage_rules": [
                stage_rule_read(r).model_dump(mode="json")
                for r in list_stage_rules(session=session)
            ],
        }

    rules = _run(read)
    if as_json:
        print_json(rules)
        return
    ttfv = Table(title="Time to first value")
    for name in ("Segment", "Clock starts", "First value"):
        ttfv.add_column(name)
    for r in rules["ttfv_rules"]:
        ttfv.add_row(r["segment_name"], r["start"], r["value_event"])
    stages = Table(title="Stage rules, in the order they apply")
    for name in ("#", "From", "To", "When", "Active"):
        stages.add_column(name)
    for s in rules["stage_rules"]:
        stages.add_row(
            str(s["position"]),
            s["from_stage"],
            s["to_stage"],
            s["description"],
            "yes" if s["active"] else "no",
        )
    console.print(ttfv)
    console.print(stages)


# --- the daily job -------------------------------------------------------------------------


@contextmanager
def _progress_display(quiet: bool) -> Iterator[StepProgress | None]:
    """Rich progress on stderr: one line per step, a bar once a step knows its total."""
    if quiet:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[count]}", justify="right"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: int, total: int | None) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(STEP_LABELS[step], total=None, count="")
            if total is None:
                return
            # A step that ends reports done == total: its count alone, and a full bar even at 0.
            count = f"{done:,}" if done == total else f"{done:,}/{total:,}"
            progress.update(
                tasks[step],
                completed=max(done, 1) if done == total else done,
                total=max(total, 1),
                count=count,
            )

        yield report


def daily(as_of: AsOfOption = None, as_json: JsonOption = False) -> None:
    """The daily job: roll usage up, attach contacts, score health, apply stage rules."""
    with _progress_display(quiet=as_json) as progress:
        run = _run(lambda session: run_daily(session=session, as_of=_day(as_of), progress=progress))
    if as_json:
        print_json(daily_run_read(run))
        return
    console.print(_daily_table(run))


app.command("daily")(daily)


def daily_run_read(run: DailyRun) -> dict[str, Any]:
    """What `headway daily --json` prints: each step's counts, the moves, the seconds."""
    return {
        "as_of": run.as_of.isoformat(),
        "rollup": run.rollup,
        "contacts": run.contacts,
        "health": run.health,
        "stages": run.stages,
        "moves": [m.model_dump() for m in stage_moves_read(run.moves)],
        "seconds": run.seconds,
    }


def _daily_table(run: DailyRun) -> Table:
    table = Table(title=f"Daily job for {run.as_of}")
    for name in ("Step", "Done", "Seconds"):
        table.add_column(name, justify="right" if name == "Seconds" else "left")
    done = {
        "rollup": f"{run.rollup['events_read']:,} events read, "
        f"{run.rollup['days_written']:,} account-days written",
        "contacts": f"{run.contacts['attached']:,} contacts attached",
        "health": f"{run.health['scored']:,} accounts scored",
        "stages": f"{run.stages['moved']:,} accounts moved"
        + "".join(f"; {step}: {count}" for step, count in run.stages["by_step"].items()),
    }
    for step in STEPS:
        table.add_row(STEP_LABELS[step], done[step], f"{run.seconds.get(step, 0):.2f}")
    return table
