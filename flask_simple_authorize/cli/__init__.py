"""The ``flask authz`` commands.

Installed with the package through the ``flask.commands`` entry point, so
``flask authz ...`` works in any app that uses the extension. To add them by
hand (for example in an app that disables entry points)::

    from flask_simple_authorize.cli import authz_cli

    app.cli.add_command(authz_cli)
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..errors import SimpleAuthorizeError
from .explain import ExplainError
from .explain import explain
from .explain import format_explanation
from .explain import load_record
from .explain import load_user
from .generate import GenerationError
from .generate import generate_policy
from .routes import format_routes
from .routes import inspect_routes

authz_cli = AppGroup("authz", help="Flask-Simple-Authorize: policies and authorization reports.")


@authz_cli.command("policy", with_appcontext=False)
@click.argument("name")
@click.option("--namespace", help="Register the policy under this namespace (as in blueprints).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option(
    "--dir",
    "directory",
    default="policies",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the policy module goes (a package inside the current directory).",
)
@click.option(
    "--tests-dir",
    "tests_directory",
    default="tests",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where its test file goes.",
)
def policy_command(
    name: str, namespace: str | None, force: bool, directory: Path, tests_directory: Path
) -> None:
    """Write a deny-by-default policy for model NAME (Post or PostPolicy) and its test."""
    try:
        written = generate_policy(
            name,
            namespace=namespace,
            directory=directory,
            tests_directory=tests_directory,
            root=Path.cwd(),
            force=force,
        )
    except GenerationError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"wrote {path}")


@authz_cli.command("routes")
@click.option(
    "--check", is_flag=True, help="Exit with status 1 when an endpoint authorizes nothing."
)
def routes_command(check: bool) -> None:
    """List every endpoint with the policy and actions its view authorizes.

    Read from the views' source code: checks made outside the view function
    (helpers it calls, decorators, hooks, templates) are not seen.
    Endpoints marked ``!`` authorize nothing.
    """
    reports = inspect_routes(current_app)
    click.echo(format_routes(reports))
    flagged = [report.endpoint for report in reports if report.flagged]
    if flagged:
        click.echo(f"\n{len(flagged)} endpoint(s) authorize nothing: {', '.join(flagged)}")
        if check:
            raise SystemExit(1)


@authz_cli.command("explain")
@click.option("--user", "user_id", help="The user's id (omit for an anonymous user).")
@click.option("--action", required=True, help="The rule to check, such as update.")
@click.option("--namespace", help="Look for the policy in this namespace first.")
@click.option(
    "--context",
    "context_items",
    multiple=True,
    metavar="KEY=VALUE",
    help="A value the policy sees in self.context (repeatable).",
)
@click.argument("record")
def explain_command(
    user_id: str | None,
    action: str,
    namespace: str | None,
    context_items: t.Sequence[str],
    record: str,
) -> None:
    """Explain one decision on RECORD: Model:id, Model (the class) or a headless PolicyName."""
    context = {}
    for item in context_items:
        key, equals, value = item.partition("=")
        if not equals:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--context")
        context[key] = value
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        result = explain(
            app,
            load_user(app, user_id),
            load_record(app, record),
            action,
            namespace=namespace,
            context=context,
        )
    except (ExplainError, SimpleAuthorizeError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_explanation(result))


__all__ = ["authz_cli"]
