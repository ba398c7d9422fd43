"""The built docs: every config key in the one table, every public name in the API page."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest

import flask_simple_authorize
from flask_simple_authorize import errors
from flask_simple_authorize import signals
from flask_simple_authorize.config import DEFAULTS
from flask_simple_authorize.config import PREFIX

from .conftest import DOCS


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build the HTML docs once; return the output folder and the warnings."""
    out = tmp_path_factory.mktemp("docs")
    warnings = out / "warnings.txt"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-E",
            "-q",
            "-b",
            "html",
            "-w",
            str(warnings),
            str(DOCS),
            str(out / "html"),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return out / "html", warnings.read_text()


@pytest.mark.parametrize("key", sorted(DEFAULTS), ids=str)
def test_configuration_page_lists_every_key_with_its_default(
    built: tuple[Path, str], key: str
) -> None:
    page = (built[0] / "configuration.html").read_text()
    start = page.index(f"{PREFIX}{key}<", page.index("<table"))
    row = page[start : page.find("</tr>", start)]
    default, meaning = DEFAULTS[key]
    for word in repr(default).split() + meaning.split()[:3]:
        assert html.escape(word, quote=False) in row


def test_configuration_page_has_a_single_table(built: tuple[Path, str]) -> None:
    page = (built[0] / "configuration.html").read_text()
    assert page.count("<table") == 1


@pytest.mark.parametrize("name", sorted(flask_simple_authorize.__all__), ids=str)
def test_api_page_documents_every_public_name(built: tuple[Path, str], name: str) -> None:
    page = (built[0] / "api.html").read_text()
    if hasattr(errors, name):
        module = "flask_simple_authorize.errors"
    elif name in signals.__all__:
        module = "flask_simple_authorize.signals"
    else:
        module = "flask_simple_authorize"
    assert f'id="{module}.{name}"' in page


@pytest.mark.parametrize("name", sorted(set(signals.__all__) - {"send_safely"}), ids=str)
def test_api_page_documents_every_signal(built: tuple[Path, str], name: str) -> None:
    page = (built[0] / "api.html").read_text()
    assert f'id="flask_simple_authorize.signals.{name}"' in page


def test_autodoc_finds_every_target(built: tuple[Path, str]) -> None:
    lines = built[1].splitlines()
    problems = [line for line in lines if "autodoc" in line or "failed to import" in line]
    assert problems == []


def test_quickstart_page_shows_the_tested_code(built: tuple[Path, str]) -> None:
    page = (built[0] / "quickstart.html").read_text()
    for piece in ["PostPolicy", "policy_scope", "policy_params", "create_app", "allowed_to"]:
        assert piece in page
