"""A Sphinx directive that renders the ``SIMPLE_AUTHORIZE_*`` table from the code.

``.. simple-authorize-config::`` reads :data:`flask_simple_authorize.config.DEFAULTS`,
so the configuration page can never fall behind a new key.
"""

from __future__ import annotations

import typing as t

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from flask_simple_authorize.config import DEFAULTS
from flask_simple_authorize.config import PREFIX


def table_lines() -> list[str]:
    """Return the reST lines of a list-table with one row per configuration key."""
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 30 20 50",
        "",
        "   * - Key",
        "     - Default",
        "     - Meaning",
    ]
    for key, (default, meaning) in DEFAULTS.items():
        lines += [
            f"   * - .. _config-{key.lower().replace('_', '-')}:",
            "",
            f"       ``{PREFIX}{key}``",
            f"     - ``{default!r}``",
            f"     - {meaning}",
        ]
    return lines


class ConfigTable(SphinxDirective):
    """Render the table of every ``SIMPLE_AUTHORIZE_*`` key."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        content = StringList(table_lines(), source="flask_simple_authorize.config.DEFAULTS")
        self.state.nested_parse(content, self.content_offset, container)
        return container.children


def setup(app: Sphinx) -> dict[str, t.Any]:
    app.add_directive("simple-authorize-config", ConfigTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
