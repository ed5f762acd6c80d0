"""headway health scorecards|export|import|backtest: scorecards as code from the command line.

Registered on the `headway health` app in `health/cli.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from headway.core.audit import Actor
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.health.backtest import DEFAULT_HORIZON_DAYS, backtest
from headway.health.schemas import (
    BacktestRead,
    ImportPreviewRead,
    backtest_read,
    import_preview_read,
    scorecard_read,
)
from headway.health.scorecards import export_yaml, import_yaml, summarise_scorecards

CLI_ACTOR = Actor.system("command line")
NOT_DEFINED = "—"
ACTIONS = {"unchanged": "unchanged", "new_version": "new version", "new_scorecard": "new scorecard"}

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
T = TypeVar("T")


def _run(work: Callable[[Session], T]) -> T:
    """Run on the configured database; a refused input exits 1 with the reason."""
    with command_session() as session:
        try:
            return work(session)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


def _percent(value: float | None) -> str:
    return NOT_DEFINED if value is None else f"{value * 100:.1f} %"


def health_scorecards(as_json: JsonOption = False) -> None:
    """List the scorecards: segment, accounts scored, current version."""
    cards = _run(lambda s: [scorecard_read(x) for x in summarise_scorecards(session=s)])
    if as_json:
        print_json([card.model_dump(mode="json", by_alias=True) for card in cards])
        return
    table = Table("key", "name", "segment", "accounts", "version", "measures", title="Scorecards")
    for card in cards:
        measures = sum(len(group.measures) for group in card.definition.groups)
        table.add_row(
            card.key,
            card.name,
            card.segment or "default",
            str(card.accounts),
            str(card.current_version),
            str(measures),
        )
    console.print(table)


def health_export(
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="Write to this file (default: print it)."),
    ] = None,
) -> None:
    """Write every scorecard as YAML, to review, keep in version control and import again."""
    text = _run(lambda session: export_yaml(session=session))
    if out is None:
        print(text, end="")
        return
    out.write_text(text, encoding="utf-8")
    err_console.print(f"Wrote the scorecards to {out}.", highlight=False)


def health_import(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="A scorecards YAML file."),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; save nothing.")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="Why: kept with each new version.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Import scorecards from YAML: all or nothing, a new version only where one changed."""
    text = file.read_text(encoding="utf-8")
    preview = _run(
        lambda session: import_preview_read(
            import_yaml(
                session=session,
                actor=CLI_ACTOR,
                permissions=None,
                text=text,
                dry_run=dry_run,
                note=note,
            )
        )
    )
    if as_json:
        print_json(preview.model_dump(mode="json"))
    else:
        _print_preview(preview, file)
    if preview.errors:
        raise typer.Exit(1)


def _print_preview(preview: ImportPreviewRead, file: Path) -> None:
    if preview.errors:
        for error in preview.errors:
            err_console.print(f"[red]error:[/red] {file}: {error}", highlight=False, soft_wrap=True)
        err_console.print("Nothing was imported.")
        return
    table = Table(
        "scorecard",
        "change",
        "version",
        "accounts",
        "band changes",
        title="Dry run: nothing saved" if preview.dry_run else "Imported",
        caption=f"scores as of {preview.as_of}",
    )
    for card in preview.scorecards:
        change = ACTIONS[card.action]
        if card.changed_fields:
            change += f" ({', '.join(card.changed_fields)} changed)"
        before = NOT_DEFINED if card.version_before is None else str(card.version_before)
        bands = ", ".join(f"{k}: {n}" for k, n in card.band_changes.items()) or NOT_DEFINED
        table.add_row(
            card.key, change, f"{before} → {card.version_after}", str(card.accounts), bands
        )
    console.print(table)
    for card in preview.scorecards:
        if not card.movers:
            continue
        movers = Table("account", "score now", "would be", "band", title=f"Movers: {card.key}")
        for m in card.movers:
            movers.add_row(
                m.name,
                NOT_DEFINED if m.score_before is None else f"{m.score_before:.1f}",
                NOT_DEFINED if m.score_after is None else f"{m.score_after:.1f}",
                f"{m.band_before or NOT_DEFINED} → {m.band_after or NOT_DEFINED}",
            )
        console.print(movers)


def health_backtest(
    scorecard: Annotated[
        str | None,
        typer.Option("--scorecard", help="Scorecard key (default: the default scorecard)."),
    ] = None,
    horizon: Annotated[
        int,
        typer.Option("--horizon", min=1, max=730, help="Days after each as-of day churn counts."),
    ] = DEFAULT_HORIZON_DAYS,
    as_json: JsonOption = False,
) -> None:
    """ROC AUC of each scorecard version's scores against churn within the horizon."""
    result = _run(
        lambda session: backtest_read(
            backtest(session=session, scorecard_key=scorecard, horizon_days=horizon)
        )
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    console.print(_backtest_table(result))


def _backtest_table(result: BacktestRead) -> Table:
    table = Table(
        "version",
        "AUC",
        "observations",
        "churned",
        "retained",
        "unscored",
        "churn red",
        "churn yellow",
        "churn green",
        title=f"Backtest of {result.scorecard}: churn within {result.horizon_days} days",
        caption=(
            f"as of {len(result.as_of_dates)} month ends, {result.as_of_dates[0]} to "
            f"{result.as_of_dates[-1]}; AUC 1.0 ranks every churner below every retained "
            "account, 0.5 is chance"
        ),
    )
    for v in result.versions:
        current = " (current)" if v.version == result.current_version else ""
        table.add_row(
            f"{v.version}{current}",
            NOT_DEFINED if v.auc is None else f"{v.auc:.3f}",
            str(v.observations),
            str(v.churned),
            str(v.retained),
            str(v.unscored),
            *(_percent(v.bands[band].churn_rate) for band in ("red", "yellow", "green")),
        )
    return table
