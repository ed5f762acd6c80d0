"""headway surveys send|campaigns|create|schedule|cancel: survey campaigns from a shell or cron."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from headway.accounts.service import get_account_by_external_id
from headway.config import get_settings
from headway.core.audit import Actor
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError, InvalidInput
from headway.surveys.campaign_results import campaign_counts, campaign_read
from headway.surveys.campaigns import (
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    preview_due,
    schedule_campaign,
    send_due,
)
from headway.surveys.models import CAMPAIGN_TRIGGERS

app = typer.Typer(help="Survey campaigns: send invitations and reminders.", no_args_is_help=True)

CLI_ACTOR = Actor.system("command line")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
NOT_DEFINED = "—"


def _fail(error: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _moment(value: str | None, option: str) -> datetime | None:
    """A time given as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][±HH:MM]; UTC unless it says."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC), not {value!r}", param_hint=option
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- send ---------------------------------------------------------------------------------


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A bar on stderr while messages go out (none for --json)."""
    if quiet:
        yield None
        return
    with Progress(
        TextColumn("Sending survey emails"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("send", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=max(total, 1))

        yield report


@app.command("send")
def send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who would be sent what; send nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Send the invitations and reminders that are due (run it from cron every few minutes)."""
    if dry_run:
        with command_session() as session:
            due = preview_due(session=session)
        if as_json:
            print_json([vars(message) for message in due])
        else:
            console.print(_due_table(due))
        return
    settings = get_settings()
    with _progress_bar(quiet=as_json) as progress, command_session() as session:
        try:
            report = send_due(session=session, settings=settings, progress=progress)
        except HeadwayError as error:
            raise _fail(error) from None
    if as_json:
        print_json(report.as_dict())
        return
    console.print(_report_table(report.as_dict()))


def _due_table(due: list[Any]) -> Table:
    table = Table("campaign", "message", "to", "account", "left out because", title="Due now")
    for message in due:
        table.add_row(
            f"{message.campaign_name} ({message.survey_key})",
            message.kind,
            message.email or NOT_DEFINED,
            message.account_name,
            message.reason or "",
        )
    if not due:
        table.caption = "Nothing is due."
    return table


def _report_table(report: dict[str, Any]) -> Table:
    table = Table("campaign", "invitations", "reminders", "left out", title="Survey emails sent")
    for run in report["campaigns"]:
        table.add_row(
            run["name"],
            str(run["invitations_sent"]),
            str(run["reminders_sent"]),
            str(run["skipped"]),
        )
    skipped = ", ".join(f"{kind} {count}" for kind, count in report["skipped"].items())
    table.caption = (
        f"{report['invitations_sent']} invitations and {report['reminders_sent']} reminders "
        f"sent; left out: {skipped or 'none'}"
        + (
            f"; {report['deferred']} refused for now, tried again next run"
            if report["deferred"]
            else ""
        )
    )
    return table


# --- campaigns ------------------------------------------------------------------------------


@app.command("campaigns")
def campaigns(
    status: Annotated[
        str | None, typer.Option("--status", help="Only campaigns in this status.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the campaigns with what came of them: sent, answered, response rate."""
    with command_session() as session:
        try:
            found = list_campaigns(session=session, status=status)
        except HeadwayError as error:
            raise _fail(error) from None
        counts = campaign_counts(session=session, campaign_ids=[c.id for c in found])
        rows = [campaign_read(c, counts[c.id]) for c in found]
    if as_json:
        print_json(rows)
        return
    table = Table(
        "id",
        "campaign",
        "survey",
        "status",
        "sent",
        "answered",
        "rate",
        "reminders",
        title="Survey campaigns",
    )
    for row in rows:
        n, rate = row["counts"], row["counts"]["response_rate"]
        table.add_row(
            str(row["id"]),
            row["name"],
            row["survey"],
            row["status"],
            str(n["sent"]),
            str(n["answered"]),
            NOT_DEFINED if rate is None else f"{rate * 100:.1f} %",
            str(n["reminders"]),
        )
    if not rows:
        table.caption = "No campaign yet: make one with `headway surveys create`."
    console.print(table)


@app.command("create")
def create(
    survey: Annotated[
        str, typer.Option("--survey", help="Survey key: nps, csat, csat_good_bad, ces.")
    ],
    name: Annotated[str, typer.Option("--name", help="Name of the campaign.")],
    trigger: Annotated[
        str, typer.Option("--trigger", help=f"{' or '.join(CAMPAIGN_TRIGGERS)}.")
    ] = "scheduled",
    segment: Annotated[
        list[str] | None,
        typer.Option("--segment", help="Only this segment (key); repeat for more."),
    ] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help="Only this lifecycle stage (key); repeat.")
    ] = None,
    persona: Annotated[
        list[str] | None, typer.Option("--persona", help="Only contacts of this persona; repeat.")
    ] = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help="Only this account (external id); repeat.")
    ] = None,
    send_at: Annotated[
        str | None,
        typer.Option(
            "--send-at", help="When to send, YYYY-MM-DD[THH:MM] UTC (default: when scheduled)."
        ),
    ] = None,
    throttle_days: Annotated[
        int, typer.Option("--throttle-days", help="Skip anyone asked within this many days.")
    ] = 90,
    reminder_after_days: Annotated[
        int, typer.Option("--reminder-after-days", help="Remind after this many days; 0: never.")
    ] = 3,
    expires_after_days: Annotated[
        int, typer.Option("--expires-after-days", help="Links work this many days.")
    ] = 14,
    subject: Annotated[str, typer.Option("--subject", help="Subject line of the email.")] = "",
    message: Annotated[str, typer.Option("--message", help="Words above the question.")] = "",
    schedule: Annotated[
        bool, typer.Option("--schedule", help="Schedule it at once (else it stays a draft).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Make a survey campaign (a draft unless --schedule)."""
    when = _moment(send_at, "--send-at")
    with command_session() as session:
        try:
            account_ids = []
            for external_id in account or []:
                found = get_account_by_external_id(session=session, external_id=external_id)
                if found is None:
                    raise InvalidInput(f"--account: no account has the external id {external_id!r}")
                account_ids.append(found.id)
            audience = {
                "segments": segment or [],
                "stages": stage or [],
                "personas": persona or [],
                "account_ids": account_ids,
            }
            campaign = create_campaign(
                session=session,
                actor=CLI_ACTOR,
                survey_key=survey,
                name=name,
                trigger=trigger,
                audience=audience,
                send_at=when,
                throttle_days=throttle_days,
                reminder_after_days=reminder_after_days or None,
                expires_after_days=expires_after_days,
                subject=subject,
                message=message,
            )
            if schedule:
                campaign = schedule_campaign(
                    session=session, actor=CLI_ACTOR, campaign_id=campaign.id
                )
        except HeadwayError as error:
            raise _fail(error) from None
        _show(session, campaign.id, as_json)


def _show(session: Session, campaign_id: int, as_json: bool) -> None:
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    row = campaign_read(
        campaign, campaign_counts(session=session, campaign_ids=[campaign.id])[campaign.id]
    )
    if as_json:
        print_json(row)
        return
    when = row["send_at"].isoformat(timespec="minutes") if row["send_at"] else "when scheduled"
    if row["trigger"] == "ticket_solved":
        when = "after each solved ticket"
    console.print(
        f"Campaign {row['id']} “{row['name']}” ({row['survey']}) is {row['status']}: sends {when}."
    )


@app.command("schedule")
def schedule(
    campaign_id: Annotated[int, typer.Argument(help="Campaign id.")],
    send_at: Annotated[
        str | None, typer.Option("--send-at", help="When to send, YYYY-MM-DD[THH:MM] UTC.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Schedule a draft campaign (a ticket campaign starts asking at once)."""
    when = _moment(send_at, "--send-at")
    with command_session() as session:
        try:
            schedule_campaign(
                session=session, actor=CLI_ACTOR, campaign_id=campaign_id, send_at=when
            )
        except HeadwayError as error:
            raise _fail(error) from None
        _show(session, campaign_id, as_json)


@app.command("cancel")
def cancel(
    campaign_id: Annotated[int, typer.Argument(help="Campaign id.")],
    as_json: JsonOption = False,
) -> None:
    """Cancel a campaign: nothing more of it is sent, reminders neither."""
    with command_session() as session:
        try:
            cancel_campaign(session=session, actor=CLI_ACTOR, campaign_id=campaign_id)
        except HeadwayError as error:
            raise _fail(error) from None
        _show(session, campaign_id, as_json)
