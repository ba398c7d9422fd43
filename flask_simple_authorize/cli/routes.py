"""``flask authz routes``: which policy and actions each endpoint authorizes.

This is static inspection: the source of each view function (or class-based
view) is parsed with :mod:`ast`, and the calls to the extension's helpers are
listed with their action and record type when they are written literally. It
cannot see checks made in functions the view calls, in decorators, in
``before_request`` hooks or in templates, nor actions and models held in
variables; those show as ``?``. Views marked with ``@skip_authorization`` are
reported as skipped.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import textwrap
import typing as t

from flask import Flask

from .. import registry
from ..errors import ConfigurationError
from ..finder import find_policy_class
from ..state import get_state
from ..verification import skips_verification

#: Helpers that authorize for verification mode (a denial raises or filters).
ENFORCING = frozenset(
    {"authorize", "authorize_all", "authorized_records", "partition_records", "policy_scope"}
)
#: Helpers that only ask.
CHECKING = frozenset(
    {
        "allowed_to",
        "policy",
        "decisions",
        "allowed_actions",
        "permitted_attributes",
        "policy_params",
        "visible_attributes",
        "editable_attributes",
        "filter_attributes",
    }
)
#: Helpers whose action defaults to the view's name.
_DEFAULT_TO_VIEW = frozenset({"authorize", "authorize_all"})
#: Where each helper takes its action: (position, keyword); None when it has none.
_ACTION_ARGUMENT: dict[str, tuple[int, str] | None] = {
    "authorize": (1, "action"),
    "authorize_all": (1, "action"),
    "authorized_records": (1, "action"),
    "partition_records": (1, "action"),
    "decisions": (1, "action"),
    "allowed_to": (0, "action"),
    "permitted_attributes": (1, "action"),
}
#: Helpers whose record is the first argument, except ``allowed_to`` (second).
_RECORD_POSITION = {"allowed_to": 1}
#: Default actions of the helpers that have one.
_DEFAULT_ACTION = {"authorized_records": "show", "partition_records": "show"}


@dataclasses.dataclass
class Check:
    """One helper call found in a view."""

    helper: str
    action: str | None
    model: str | None
    policy: str | None

    @property
    def enforced(self) -> bool:
        """Whether the helper enforces (rather than only asks)."""
        return self.helper in ENFORCING

    def describe(self) -> str:
        """Return ``"ArticlePolicy.update (authorize)"``; ``?`` when not literal."""
        target = self.policy or (f"{self.model}?" if self.model else "?")
        if self.helper == "policy_scope":
            return f"{target}.Scope (policy_scope)"
        if self.helper not in _ACTION_ARGUMENT:
            return f"{target} ({self.helper})"
        return f"{target}.{self.action or '?'} ({self.helper})"


@dataclasses.dataclass
class RouteReport:
    """What ``flask authz routes`` knows about one endpoint."""

    endpoint: str
    methods: str
    rule: str
    checks: list[Check]
    skipped: bool = False
    unreadable: str | None = None

    @property
    def status(self) -> str:
        """``"authorized"``, ``"skipped"``, ``"checks only"``, ``"unknown"`` or ``"NOTHING"``."""
        if self.skipped:
            return "skipped"
        if self.unreadable is not None:
            return "unknown"
        if any(check.enforced for check in self.checks):
            return "authorized"
        if self.checks:
            return "checks only"
        return "NOTHING"

    @property
    def flagged(self) -> bool:
        """Whether the endpoint authorizes nothing (``checks only`` counts)."""
        return self.status in ("NOTHING", "checks only")


def inspect_routes(app: Flask) -> list[RouteReport]:
    """Return a report for every endpoint of ``app`` but static files, sorted by rule."""
    namespaces = get_state(app).blueprint_namespaces if "simple_authorize" in app.extensions else {}
    reports = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda item: (item.rule, item.endpoint)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        methods = ",".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        view = app.view_functions.get(rule.endpoint)
        report = RouteReport(rule.endpoint, methods, rule.rule, [])
        if view is None:
            report.unreadable = "no view function"
        elif _marked_skipped(view, methods):
            report.skipped = True
        else:
            namespace = _namespace(rule.endpoint, namespaces)
            try:
                report.checks = find_checks(view, rule.endpoint.rpartition(".")[2], namespace)
            except (OSError, TypeError, SyntaxError) as error:
                report.unreadable = f"source unavailable ({type(error).__name__})"
            else:
                report.skipped = _calls_skip(view)
        reports.append(report)
    return reports


def _marked_skipped(view: t.Callable[..., t.Any], methods: str) -> bool:
    """Whether ``@skip_authorization`` exempts ``view`` for every method of its rule."""
    names = [method for method in methods.split(",") if method] or ["GET"]
    return all(skips_verification(view, method) for method in names)


def _namespace(endpoint: str, namespaces: t.Mapping[str, str]) -> str | None:
    blueprint = endpoint.rpartition(".")[0]
    while blueprint:
        if blueprint in namespaces:
            return namespaces[blueprint]
        blueprint = blueprint.rpartition(".")[0]
    return None


def _tree(view: t.Callable[..., t.Any]) -> ast.AST:
    # Class-based views (View, MethodView): read the class, every method of it.
    target = getattr(view, "view_class", None) or inspect.unwrap(view)
    return ast.parse(textwrap.dedent(inspect.getsource(target)))


def _calls_skip(view: t.Callable[..., t.Any]) -> bool:
    return any(_helper_name(node) == "skip_authorization" for node in ast.walk(_tree(view)))


def find_checks(
    view: t.Callable[..., t.Any], view_name: str, namespace: str | None = None
) -> list[Check]:
    """Return the helper calls written in ``view``'s source, in source order."""
    tree = _tree(view)
    variables = _variable_models(tree)
    names = _module_names(view)
    checks = []
    for node in ast.walk(tree):
        helper = _helper_name(node)
        if helper not in ENFORCING and helper not in CHECKING:
            continue
        call = t.cast(ast.Call, node)
        action = _action(call, helper, view_name)
        explicit = _keyword(call, "policy_class")
        model = _model(call, helper, variables)
        if isinstance(explicit, ast.Name):
            policy: str | None = explicit.id
        else:
            policy = _policy_name(model, namespace, names)
        checks.append(Check(helper, action, model, policy))
    checks.sort(key=lambda check: check.helper not in ENFORCING)
    return checks


def _helper_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    found = _keyword(call, name)
    if found is None and len(call.args) > position:
        found = call.args[position]
    return found


def _action(call: ast.Call, helper: str, view_name: str) -> str | None:
    where = _ACTION_ARGUMENT.get(helper)
    if where is None:
        return None
    node = _argument(call, *where)
    if node is None:
        return view_name if helper in _DEFAULT_TO_VIEW else _DEFAULT_ACTION.get(helper)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rstrip("?")
    return None


def _variable_models(tree: ast.AST) -> dict[str, str]:
    """Map local names to the model of what they were assigned (``post = get_or_404(Post)``)."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            model = _model_in(node.value, found)
            if isinstance(target, ast.Name) and model is not None:
                found[target.id] = model
    return found


def _model(call: ast.Call, helper: str, variables: t.Mapping[str, str]) -> str | None:
    node = _argument(call, _RECORD_POSITION.get(helper, 0), "record")
    if node is None and helper == "policy_scope":
        node = _keyword(call, "scope")
    return _model_in(node, variables)


def _model_in(node: ast.expr | None, variables: t.Mapping[str, str]) -> str | None:
    """Find the CamelCase model name in ``Post``, ``Post(...)``, ``get_or_404(Post, 1)``..."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return node.id if node.id[:1].isupper() else variables.get(node.id)
    if isinstance(node, ast.Attribute):
        if node.attr[:1].isupper():
            return node.attr
        return _model_in(node.value, variables)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id[:1].isupper():
            return node.func.id  # a record built in place: ``Gadget(...)``
        for argument in node.args:
            found = _model_in(argument, variables)
            if found is not None:
                return found
        if isinstance(node.func, ast.Attribute):
            return _model_in(node.func, variables)
    return None


def _module_names(view: t.Callable[..., t.Any]) -> t.Mapping[str, t.Any]:
    """The globals of the module that defines ``view``, where its models are named."""
    target = getattr(view, "view_class", None) or inspect.unwrap(view)
    module = sys.modules.get(getattr(target, "__module__", "") or "")
    return vars(module) if module is not None else {}


def _policy_name(
    model: str | None, namespace: str | None, names: t.Mapping[str, t.Any]
) -> str | None:
    """Name the policy the app would find for ``model``, through the real finder.

    The model is the object the view's module knows by that name (so
    ``__policy__``, base classes and headless policies count); a name the
    module does not define is looked up by naming convention only.
    """
    if model is None:
        return None
    target = names.get(model)
    if target is None:
        found = registry.lookup(model, namespace) if namespace else None
        found = found or registry.lookup(model, None)
    else:
        try:
            found = find_policy_class(target, namespace=namespace)
        except ConfigurationError:  # a broken __policy__: explain reports it in full
            found = None
    if found is None:
        return None
    space = found.policy_namespace
    return f"{space}:{found.__name__}" if space else found.__name__


def format_routes(reports: list[RouteReport]) -> str:
    """Return the report as an aligned table, flagged endpoints marked with ``!``."""
    rows = [("", "Endpoint", "Methods", "Rule", "Authorization")]
    for report in reports:
        if report.status == "skipped":
            detail = "skipped (skip_authorization)"
        elif report.unreadable is not None:
            detail = f"unknown: {report.unreadable}"
        elif not report.checks:
            detail = "authorizes nothing"
        else:
            detail = ", ".join(check.describe() for check in report.checks)
            if report.flagged:
                detail = f"checks only, never enforced: {detail}"
        rows.append(
            ("!" if report.flagged else "", report.endpoint, report.methods, report.rule, detail)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        " ".join(text.ljust(widths[i]) for i, text in enumerate(row[:4])) + " " + row[4]
        for row in rows
    ).rstrip()
