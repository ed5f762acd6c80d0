"""headway user … and headway keys …: people and API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from headway.core.audit import Actor
from headway.core.console import command_session, console, err_console, print_json
from headway.core.errors import HeadwayError
from headway.users.models import Role, Scope
from headway.users.schemas import ApiKeyRead, UserRead
from headway.users.service import (
    create_api_key,
    create_user,
    get_user_by_email,
    list_users,
    revoke_api_key,
)

app = typer.Typer(help="People who log in.", no_args_is_help=True)
keys_app = typer.Typer(
    help="API keys (bearer tokens for the API, write keys for ingestion).", no_args_is_help=True
)
CLI_ACTOR = Actor.system("command line")


@app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    role: Annotated[Role, typer.Option(help="admin, manager, csm or viewer.")] = Role.CSM,
    password: Annotated[
        str | None, typer.Option(help="Password (asked for when omitted).", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a person who can log in."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with command_session() as session:
        try:
            user = create_user(
                session=session,
                actor=CLI_ACTOR,
                email=email,
                name=name,
                role=role,
                password=password,
            )
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None
        read = UserRead.model_validate(user)
    if as_json:
        print_json(read)
    else:
        console.print(f"Created {read.role.value} {read.email} (id {read.id}).")


@app.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List people and their roles."""
    with command_session() as session:
        users = [UserRead.model_validate(u) for u in list_users(session=session)]
    if as_json:
        print_json([u.model_dump(mode="json") for u in users])
        return
    table = Table("id", "email", "name", "role", "active")
    for u in users:
        table.add_row(str(u.id), u.email, u.name, u.role.value, "yes" if u.active else "no")
    console.print(table)


@keys_app.command("create")
def key_create(
    name: Annotated[str, typer.Option(help="What the key is for.")],
    scope: Annotated[list[Scope], typer.Option(help="read, write or ingest; repeat for several.")],
    user: Annotated[
        str | None,
        typer.Option(help="Email of the person the key acts for (default: first admin)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create an API key; its secret is printed once and never stored."""
    with command_session() as session:
        owner = (
            get_user_by_email(session=session, email=user)
            if user
            else next(iter(list_users(session=session, role=Role.ADMIN)), None)
        )
        if owner is None:
            err_console.print(
                "[red]error:[/red] no such user (create an admin first: headway user create)"
            )
            raise typer.Exit(1)
        key, secret = create_api_key(
            session=session, actor=CLI_ACTOR, user=owner, name=name, scopes=list(scope)
        )
        read = ApiKeyRead.model_validate(key)
    if as_json:
        print_json({"key": secret, **read.model_dump(mode="json")})
    else:
        console.print(f"API key {read.name!r} for {owner.email} ({', '.join(read.scopes)}):")
        console.print(secret, markup=False)
        console.print("[dim]Store it now: it is not shown again.[/dim]")


@keys_app.command("revoke")
def key_revoke(key_id: int) -> None:
    """Revoke an API key by id."""
    with command_session() as session:
        try:
            revoke_api_key(session=session, actor=CLI_ACTOR, key_id=key_id)
        except HeadwayError as error:
            err_console.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from None
    console.print(f"Revoked key {key_id}.")
