"""The examples of the testing, CLI, mixins and i18n pages run as written."""

from __future__ import annotations

import io
import re
import shlex
import subprocess
import sys
import textwrap
import types
import typing as t
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOCS = Path(__file__).resolve().parents[2] / "docs"


def blocks(page: str, language: str = "python") -> list[str]:
    """Return the ``.. code-block:: <language>`` blocks of a docs page, dedented."""
    text = (DOCS / page).read_text()
    pattern = rf"^\.\. code-block:: {re.escape(language)}\n\n((?:    .*\n|\n)+)"
    return [textwrap.dedent(match) for match in re.findall(pattern, text, re.M)]


def literal_after(page: str, lead: str) -> str:
    """Return the ``::`` literal block that follows the paragraph ending with ``lead``."""
    text = (DOCS / page).read_text()
    start = text.index(lead) + len(lead)
    match = re.match(r"::\n\n((?:    .*\n|\n)+)", text[start:])
    assert match is not None, f"no literal block after {lead!r}"
    return textwrap.dedent(match.group(1)).strip()


def run_page(
    page: str, monkeypatch: pytest.MonkeyPatch, file: Path | None = None
) -> dict[str, t.Any]:
    """Execute the page's Python blocks, in order, as one module; return its namespace."""
    module = types.ModuleType(f"docs_{Path(page).stem}")
    if file is not None:
        module.__file__ = str(file)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile("\n".join(blocks(page)), str(DOCS / page), "exec"), module.__dict__)
    return module.__dict__


def test_testing_page_is_a_passing_test_module(tmp_path: Path) -> None:
    module = tmp_path / "test_docs_testing.py"
    module.write_text("\n".join(blocks("testing.rst")))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", module],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed" in result.stdout


def test_testing_page_shows_the_real_failure_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    page = run_page("testing.rst", monkeypatch)
    with pytest.raises(AssertionError) as caught:
        page["assert_permit"](page["reader"], page["draft"], "update")
    assert literal_after(
        "testing.rst", 'assert_permit(reader, draft, "update")`` fails with'
    ) == str(caught.value)
    users = {"admin": page["admin"], "author": page["author"], "reader": page["reader"]}
    expected = {
        "show": {"admin", "author"},
        "update": {"admin", "author", "reader"},
        "destroy": set(),
    }
    with pytest.raises(AssertionError) as caught:
        page["permission_matrix"](page["draft"], users=users, expected=expected)
    shown = literal_after("testing.rst", '"reader"}``), it would fail with')
    assert shown == str(caught.value)


def test_mixins_page_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    page = run_page("mixins.rst", monkeypatch)
    assert page["PagePolicy"].rule_names() >= {"show", "update", "destroy"}


def test_i18n_page_runs_with_its_catalog_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (po_source,) = blocks("i18n.rst", "po")
    catalog = read_po(io.StringIO(po_source), locale="fr")
    target = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    run_page("i18n.rst", monkeypatch, file=tmp_path / "app.py")


def captioned(page: str) -> dict[str, str]:
    """Return the captioned Python blocks of a page, by caption (a file name)."""
    text = (DOCS / page).read_text()
    pattern = r"^\.\. code-block:: python\n    :caption: (\S+)\n\n((?:    .*\n|\n)+)"
    return {name: textwrap.dedent(body) for name, body in re.findall(pattern, text, re.M)}


def console_sessions(page: str) -> list[tuple[str, str]]:
    """Return ``(command, expected output)`` for every ``$`` line of the console blocks."""
    sessions: list[tuple[str, list[str]]] = []
    for block in blocks(page, "console"):
        for line in block.rstrip("\n").splitlines():
            if line.startswith("$ "):
                sessions.append((line[2:], []))
            else:
                sessions[-1][1].append(line)
    return [(command, "\n".join(output).strip("\n")) for command, output in sessions]


def test_cli_page_commands_print_what_the_page_shows(tmp_path: Path) -> None:
    files = captioned("cli.rst")
    (tmp_path / "blog.py").write_text(files["blog.py"])
    sessions = console_sessions("cli.rst")
    assert [command.split()[4] for command, _ in sessions] == [
        "policy",
        "policy",
        "routes",
        "explain",
    ]
    for command, expected in sessions:
        argv = [sys.executable, "-m", *shlex.split(command)]
        result = subprocess.run(
            argv,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        assert result.stdout.strip("\n") == expected, command
        if command.endswith("policy Comment") and (tmp_path / "tests").exists():
            generated = (tmp_path / "policies" / "comment_policy.py").read_text()
            assert generated.rstrip() == files["policies/comment_policy.py"].rstrip()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout
