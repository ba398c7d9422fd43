"""Sphinx configuration for the Flask-Simple-Authorize documentation."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import flask_simple_authorize  # noqa: E402

project = "Flask-Simple-Authorize"
copyright = "Flask-Simple-Authorize contributors"
author = "Flask-Simple-Authorize contributors"
release = flask_simple_authorize.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "myst_parser",
    "config_table",
]

# Docstrings are Pallets-style reST; no network access while building.
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_preserve_defaults = True
autodoc_default_options: dict[str, object] = {}
autoclass_content = "class"

source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "examples", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

html_theme = "alabaster"
html_title = f"Flask-Simple-Authorize {release}"
html_theme_options = {
    "description": "Policy-based authorization for Flask and huey.",
    "fixed_sidebar": True,
}
html_static_path: list[str] = []
