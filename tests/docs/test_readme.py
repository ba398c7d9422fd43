"""The README and the docs index: the two set-up commands, links that resolve, page order."""

from __future__ import annotations

import ast
import re

from .conftest import DOCS

ROOT = DOCS.parent
README = (ROOT / "README.md").read_text()

GUIDE_ORDER = [
    "quickstart",
    "policies",
    "scopes",
    "lookup",
    "views-and-errors",
    "flask-login",
    "signals",
    "background-jobs",
    "testing",
    "cli",
    "mixins",
    "i18n",
    "configuration",
    "security",
    "performance",
    "api",
    "changes",
]


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


def test_setup_section_names_exactly_the_demo_and_test_commands() -> None:
    commands = re.findall(r"^bash \S+$", section("Set-up commands"), re.M)
    assert commands == ["bash scripts/demo", "bash scripts/test"]


def test_ci_runs_the_readme_test_command() -> None:
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_every_relative_link_in_the_readme_points_to_a_file() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    assert links
    missing = [link for link in links if "://" not in link and not (ROOT / link).exists()]
    assert missing == []


def test_docs_index_lists_every_page_in_reading_order() -> None:
    index = (DOCS / "index.rst").read_text()
    entries = re.findall(r"^   ([a-z0-9-]+)$", index, re.M)
    assert entries == GUIDE_ORDER
    assert all((DOCS / f"{page}.rst").is_file() for page in entries)


def test_readme_has_no_machine_paths() -> None:
    assert not re.search(r"(/work/|/tmp/|/root/|/home/)", README)


def test_readme_python_snippets_are_valid_python() -> None:
    for block in re.findall(r"```python\n(.*?)```", README, re.S):
        ast.parse(block)
