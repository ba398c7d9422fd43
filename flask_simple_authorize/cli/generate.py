"""``flask authz policy``: write a policy module and its test file."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

POLICY_TEMPLATE = '''\
"""Authorization rules for {model} records."""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
from flask_simple_authorize import Policy
from flask_simple_authorize.policy import RuleResult


class {policy}({bases}):
    """Who may do what with a {model}. Every rule denies until you open it."""

    def index(self) -> RuleResult:
        return False

    def show(self) -> RuleResult:
        return False

    def create(self) -> RuleResult:
        return False

    def update(self) -> RuleResult:
        return False

    def destroy(self) -> RuleResult:
        return False

    def permitted_attributes(self) -> list[str]:
        return []

    class Scope(Policy.Scope):
        """Narrows queries of {model} to what the user may see: nothing, for now."""

        def resolve(self) -> t.Any:
            return self.scope.where(sa.false())

        def includes(self, record: t.Any) -> bool:
            return False
'''

TEST_TEMPLATE = '''\
"""Tests for {policy}: one test per rule, starting from deny-by-default."""

from __future__ import annotations

import types

import pytest
import sqlalchemy as sa
from flask_simple_authorize.testing import assert_forbid, assert_permitted_attributes

from {module} import {policy}

ANONYMOUS = types.SimpleNamespace(id=None, is_authenticated=False)
MEMBER = types.SimpleNamespace(id=1, is_authenticated=True, role="member")
ADMIN = types.SimpleNamespace(id=2, is_authenticated=True, role="admin")
RECORD = types.SimpleNamespace(id=1, user_id=1)


@pytest.mark.parametrize("action", ["index", "show", "create", "update", "destroy"])
@pytest.mark.parametrize(
    "user", [ANONYMOUS, MEMBER, ADMIN], ids=["anonymous", "member", "admin"]
)
def test_every_rule_denies_by_default(user: object, action: str) -> None:
    assert_forbid(user, RECORD, action, policy_class={policy})


def test_no_attribute_is_permitted_by_default() -> None:
    assert_permitted_attributes(ADMIN, RECORD, [], policy_class={policy})


def test_scope_shows_nothing_by_default() -> None:
    query = sa.select(sa.table("{table}", sa.column("id")))
    assert "WHERE false" in str({policy}.Scope(ADMIN, query).resolve())
    assert not {policy}.Scope(ADMIN, [RECORD]).includes(RECORD)
'''


class GenerationError(Exception):
    """The files cannot be written as asked; the message says why and what to do."""


def policy_names(name: str) -> tuple[str, str]:
    """Return ``(model name, policy class name)`` for ``Post`` or ``PostPolicy``.

    :raises GenerationError: ``name`` is not a CamelCase Python identifier.
    """
    model = name[: -len("Policy")] if name.endswith("Policy") and name != "Policy" else name
    if not model.isidentifier() or keyword.iskeyword(model) or not model[0].isupper():
        raise GenerationError(
            f"{name!r} is not a model name: pass a CamelCase class name such as Post"
        )
    return model, f"{model}Policy"


def snake_case(name: str) -> str:
    """Return ``blog_post`` for ``BlogPost``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def module_path(directory: Path, root: Path) -> str:
    """Return the dotted module path of ``directory`` relative to ``root``.

    :raises GenerationError: ``directory`` is not inside ``root``, or a part
        of it is not a valid module name.
    """
    try:
        parts = directory.resolve().relative_to(root.resolve()).parts
    except ValueError:
        raise GenerationError(
            f"{directory} is not inside {root}: run the command from your project's root"
        ) from None
    bad = [part for part in parts if not part.isidentifier() or keyword.iskeyword(part)]
    if bad:
        raise GenerationError(f"{directory} cannot be imported: {bad[0]!r} is not a module name")
    return ".".join(parts)


def generate_policy(
    name: str,
    *,
    namespace: str | None,
    directory: Path,
    tests_directory: Path,
    root: Path,
    force: bool,
) -> list[Path]:
    """Write the policy module and its test file; return their paths.

    Directories that do not exist are created as packages (with an
    ``__init__.py``), so the test can import the policy.

    :raises GenerationError: A file exists and ``force`` is false, or a name
        is invalid.
    """
    model, policy = policy_names(name)
    if namespace is not None and (not namespace.isidentifier() or keyword.iskeyword(namespace)):
        raise GenerationError(f"{namespace!r} is not a namespace: use a Python identifier")
    stem = snake_case(model) + "_policy"
    if namespace is not None:
        directory = directory / namespace
    policy_file = directory / f"{stem}.py"
    prefix = f"{namespace}_" if namespace else ""
    test_file = tests_directory / f"test_{prefix}{stem}.py"
    existing = [path for path in (policy_file, test_file) if path.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise GenerationError(
            f"{', '.join(map(str, existing))} already {verb}: pass --force to overwrite"
        )
    package = module_path(directory, root)
    bases = f'Policy, namespace="{namespace}"' if namespace else "Policy"
    _make_package(directory, root)
    tests_directory.mkdir(parents=True, exist_ok=True)
    policy_file.write_text(POLICY_TEMPLATE.format(model=model, policy=policy, bases=bases))
    test_file.write_text(
        TEST_TEMPLATE.format(
            policy=policy,
            module=f"{package}.{stem}" if package else stem,
            table=snake_case(model) + "s",
        )
    )
    return [policy_file, test_file]


def _make_package(directory: Path, root: Path) -> None:
    missing: list[Path] = []
    current = directory
    while not current.exists() and current.resolve() != root.resolve():
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    for path in missing:
        (path / "__init__.py").touch()
