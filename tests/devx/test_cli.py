"""The flask authz commands: policy, routes and explain."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Blueprint
from flask import Flask
from flask.views import MethodView

from flask_simple_authorize import Policy
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import skip_authorization
from flask_simple_authorize.cli import authz_cli
from flask_simple_authorize.policy import RuleResult
from flask_simple_authorize.state import get_state

from .blog import Article
from .blog import Member


class InsightsPolicy(Policy):
    def show(self) -> RuleResult:
        return self.is_admin or self.deny("admins_only")


class ArticlePolicy(Policy, namespace="staff"):
    def update(self) -> RuleResult:
        return True


StaffArticlePolicy = ArticlePolicy  # keeps the namespaced policy alive under its own name
del ArticlePolicy


# -- policy --------------------------------------------------------------------


def run_cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(authz_cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_generated_policy_and_test_pass_pytest_and_ruff(app: Flask, project: Path) -> None:
    assert run_cli(app, "policy", "BlogPost") == (
        0,
        "wrote policies/blog_post_policy.py\nwrote tests/test_blog_post_policy.py\n",
    )
    code, output = run_cli(app, "policy", "CommentPolicy", "--namespace", "admin")
    assert code == 0, output
    assert (project / "policies" / "__init__.py").exists()
    assert (project / "policies" / "admin" / "__init__.py").exists()
    source = (project / "policies" / "admin" / "comment_policy.py").read_text()
    assert 'class CommentPolicy(Policy, namespace="admin"):' in source
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "34 passed" in tests.stdout
    ruff = shutil.which("ruff")
    if ruff is not None:
        for check in (["check", "--select", "E,F,W,I,B,UP"], ["format", "--check"]):
            lint = subprocess.run(
                [ruff, *check, "--isolated", "."],
                cwd=project,
                capture_output=True,
                text=True,
                check=False,
            )
            assert lint.returncode == 0, lint.stdout


def test_existing_files_are_not_overwritten_without_force(app: Flask, project: Path) -> None:
    run_cli(app, "policy", "Post")
    policy_file = project / "policies" / "post_policy.py"
    policy_file.write_text("# mine\n")
    code, output = run_cli(app, "policy", "Post")
    assert code == 1
    assert "policies/post_policy.py, tests/test_post_policy.py already exist" in output
    assert "pass --force to overwrite" in output
    assert policy_file.read_text() == "# mine\n"
    assert run_cli(app, "policy", "Post", "--force")[0] == 0
    assert "class PostPolicy(Policy):" in policy_file.read_text()


def test_custom_directories_give_a_matching_import(app: Flask, project: Path) -> None:
    code, _ = run_cli(
        app, "policy", "Post", "--dir", "blog/policies", "--tests-dir", "tests/policies"
    )
    assert code == 0
    test_source = (project / "tests" / "policies" / "test_post_policy.py").read_text()
    assert "from blog.policies.post_policy import PostPolicy" in test_source


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["policy", "post"], "'post' is not a model name"),
        (["policy", "class"], "'class' is not a model name"),
        (["policy", "Post", "--namespace", "a-b"], "'a-b' is not a namespace"),
        (["policy", "Post", "--dir", "/elsewhere"], "is not inside"),
        (["policy", "Post", "--dir", "my-app"], "'my-app' is not a module name"),
    ],
    ids=["lowercase", "keyword", "bad-namespace", "outside-project", "bad-package"],
)
def test_bad_names_are_refused_and_nothing_is_written(
    app: Flask, project: Path, args: list[str], message: str
) -> None:
    code, output = run_cli(app, *args)
    assert code == 1
    assert message in output
    assert not (project / "tests").exists()


# -- routes --------------------------------------------------------------------


def add_report_views(app: Flask) -> None:
    staff = Blueprint("staff", __name__, url_prefix="/staff")

    @staff.post("/articles/<int:article_id>")
    def update(article_id: int) -> str:
        article = Article.query.get(article_id)
        authorize(article)
        return "ok"

    app.register_blueprint(staff)
    get_state(app).extension.register_namespace(staff, "staff")

    @app.get("/peek/<int:article_id>")
    def peek(article_id: int) -> str:
        return str(allowed_to("show", Article.query.get(article_id)))

    class ArticleAPI(MethodView):
        def get(self, article_id: int) -> str:
            authorize(Article.query.get(article_id), "show")
            return "ok"

    app.add_url_rule("/api/articles/<int:article_id>", view_func=ArticleAPI.as_view("api"))

    @app.get("/dashboard")
    def dashboard() -> str:
        authorize(InsightsPolicy, "show")
        return "ok"


def test_routes_lists_policies_actions_and_flags_gaps(app: Flask) -> None:
    add_report_views(app)
    code, output = run_cli(app, "routes")
    assert code == 0
    rows = {
        line.split()[1] if line.startswith("!") else line.split()[0]: line
        for line in output.splitlines()
        if line.strip()
    }
    assert rows["index"].split()[-2:] == ["ArticlePolicy.Scope", "(policy_scope)"]
    assert rows["show"].endswith(
        "ArticlePolicy.show (authorize), ArticlePolicy.publish (allowed_to)"
    )
    assert rows["update"].endswith(
        "ArticlePolicy.update (authorize), ArticlePolicy (policy_params)"
    )
    assert rows["staff.update"].endswith("staff:ArticlePolicy.update (authorize)")
    assert rows["api"].endswith("ArticlePolicy.show (authorize)")
    assert rows["dashboard"].endswith("InsightsPolicy.show (authorize)")
    assert rows["health"].endswith("skipped (skip_authorization)")
    assert rows["about"].startswith("!") and rows["about"].endswith("authorizes nothing")
    assert rows["peek"].startswith("!")
    assert "checks only, never enforced: ArticlePolicy.show (allowed_to)" in rows["peek"]
    assert output.rstrip().endswith("2 endpoint(s) authorize nothing: about, peek")


def test_routes_check_fails_when_an_endpoint_authorizes_nothing(app: Flask) -> None:
    assert run_cli(app, "routes", "--check")[0] == 1


def test_routes_reports_class_based_views_skipped_as_verification_treats_them(
    app: Flask,
) -> None:
    @skip_authorization
    class Status(MethodView):
        def get(self) -> str:
            return "up"

    class Feed(MethodView):
        @skip_authorization
        def get(self) -> str:
            return "feed"

        def post(self) -> str:
            return "posted"

    class Ping(MethodView):
        @skip_authorization
        def get(self) -> str:
            return "pong"

    app.add_url_rule("/status", view_func=Status.as_view("status"))
    app.add_url_rule("/feed", view_func=Feed.as_view("feed"))
    app.add_url_rule("/ping", view_func=Ping.as_view("ping"))
    rows = {
        line.split()[1] if line.startswith("!") else line.split()[0]: line
        for line in run_cli(app, "routes")[1].splitlines()
        if line.strip()
    }
    assert rows["status"].endswith("skipped (skip_authorization)")
    assert rows["ping"].endswith("skipped (skip_authorization)")
    assert rows["feed"].startswith("!")  # POST is not exempt


# -- explain -------------------------------------------------------------------


def test_explain_shows_policy_path_result_and_reason(
    app: Flask, viewer: Member, draft: Article
) -> None:
    code, output = run_cli(
        app, "explain", "--user", str(viewer.id), "--action", "edit", f"Article:{draft.id}"
    )
    assert code == 0, output
    assert output.splitlines() == [
        f"User:        Member#{viewer.id}",
        f"Record:      Article#{draft.id}",
        "Action:      edit",
        "Lookup path: Article.__policy__ [no] -> ArticlePolicy [found]",
        "Policy:      ArticlePolicy (tests.devx.blog)",
        "Rule:        ArticlePolicy.update()",
        "Result:      DENIED",
        "Reason:      not_owner",
    ]


@pytest.mark.parametrize(
    ("namespace", "path", "policy"),
    [
        ("staff", "Article.__policy__ [no] -> staff:ArticlePolicy [found]", "tests.devx.test_cli"),
        (
            "other",
            "Article.__policy__ [no] -> other:ArticlePolicy [no] -> ArticlePolicy [found]",
            "tests.devx.blog",
        ),
    ],
    ids=["namespaced", "falls-back-to-plain"],
)
def test_explain_a_namespaced_lookup(
    app: Flask, viewer: Member, namespace: str, path: str, policy: str
) -> None:
    code, output = run_cli(
        app,
        "explain",
        "--user",
        str(viewer.id),
        "--action",
        "update",
        "--namespace",
        namespace,
        "Article:1",
    )
    assert code == 0, output
    assert f"Lookup path: {path}\n" in output
    assert f"Policy:      ArticlePolicy ({policy})" in output


def test_explain_an_allowed_decision(app: Flask, admin: Member) -> None:
    code, output = run_cli(
        app, "explain", "--user", str(admin.id), "--action", "update", "Article:1"
    )
    assert code == 0, output
    assert "Result:      ALLOWED" in output
    assert "Reason:      (none given)" in output


def test_explain_a_model_class_and_a_headless_policy_for_anonymous(app: Flask) -> None:
    code, output = run_cli(app, "explain", "--action", "create", "Article")
    assert code == 0, output
    assert "User:        anonymous user" in output
    assert "Record:      Article (class)" in output
    assert "Result:      DENIED" in output
    code, output = run_cli(app, "explain", "--action", "show", "InsightsPolicy")
    assert "Lookup path: InsightsPolicy (a headless policy) [found]" in output
    assert "Reason:      admins_only" in output


def test_explain_with_context_and_denial_message(app: Flask, viewer: Member) -> None:
    @get_state(app).extension.denial_message
    def message(policy: Policy, rule: str, reason: str | None) -> str:
        return f"no {rule} ({reason})"

    code, output = run_cli(
        app,
        "explain",
        "--user",
        str(viewer.id),
        "--action",
        "publish",
        "--context",
        "ip=1.2.3.4",
        "Article:1",
    )
    assert code == 0, output
    assert "Message:     no publish (admins_only)" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "999", "--action", "show", "Article:1"], "no user with id '999'"),
        (["--action", "show", "Article:999"], "no Article with primary key '999'"),
        (["--action", "show", "Nothing:1"], "'Nothing' is neither a model nor a policy"),
        (["--action", "frobnicate", "Article:1"], "'frobnicate' is not a rule of ArticlePolicy"),
        (["--action", "show", "--context", "ip", "Article:1"], "'ip' is not KEY=VALUE"),
    ],
    ids=["unknown-user", "unknown-row", "unknown-model", "unknown-action", "bad-context"],
)
def test_explain_errors_are_clear(app: Flask, args: list[str], message: str) -> None:
    code, output = run_cli(app, "explain", *args)
    assert code != 0
    assert message in output


class Gadget:
    """A model whose policy is declared with ``__policy__``, not found by its name."""

    def __init__(self, id: int) -> None:
        self.id = id


class DeclaredGadgetRules(Policy):
    def show(self) -> bool:
        return True


Gadget.__policy__ = DeclaredGadgetRules  # type: ignore[attr-defined]


def test_routes_names_the_policy_the_finder_would_use(app: Flask) -> None:
    @app.get("/gadgets/<int:gadget_id>")
    def gadget(gadget_id: int) -> str:
        return str(authorize(Gadget(gadget_id), "show").id)

    code, output = run_cli(app, "routes")
    assert code == 0
    row = next(line for line in output.splitlines() if line.split()[:1] == ["gadget"])
    assert row.endswith("DeclaredGadgetRules.show (authorize)")
