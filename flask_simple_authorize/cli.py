"""The ``flask authz`` commands."""

from __future__ import annotations

import click

authz_cli = click.Group("authz", help="Flask-Simple-Authorize: policies and authorization reports.")
