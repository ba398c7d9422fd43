"""assert_permit / assert_forbid and the attribute assertions."""

from __future__ import annotations

import pytest

from flask_simple_authorize import Policy
from flask_simple_authorize import PolicyNotDefinedError
from flask_simple_authorize import UnknownActionError
from flask_simple_authorize.policy import RuleResult
from flask_simple_authorize.testing import assert_editable_attributes
from flask_simple_authorize.testing import assert_forbid
from flask_simple_authorize.testing import assert_permit
from flask_simple_authorize.testing import assert_permitted_attributes
from flask_simple_authorize.testing import assert_visible_attributes

from .blog import Article
from .blog import Member


class QuarterlyReportPolicy(Policy):
    """A headless policy that reads the context."""

    def export(self) -> RuleResult:
        return bool(self.context.get("two_factor")) or self.deny("needs_2fa")


class SpecialArticlePolicy(Policy):
    def update(self) -> RuleResult:
        return True

    def permitted_attributes_for_update(self) -> list[str]:
        return ["body"]


def test_assert_permit_passes_and_returns_the_decision(admin: Member, draft: Article) -> None:
    decision = assert_permit(admin, draft, "update")
    assert decision.allowed
    assert type(decision.policy).__name__ == "ArticlePolicy"


def test_assert_permit_failure_names_policy_rule_and_reason(viewer: Member, draft: Article) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_permit(viewer, draft, "update")
    message = str(caught.value)
    assert "expected ArticlePolicy to permit 'update'" in message
    assert f"Article#{draft.id}" in message
    assert f"Member#{viewer.id}" in message
    assert "ArticlePolicy.update() denied (reason 'not_owner')" in message


def test_assert_forbid_failure_says_the_rule_allowed(admin: Member, draft: Article) -> None:
    with pytest.raises(
        AssertionError, match=r"to forbid 'publish'.*ArticlePolicy.publish\(\) allowed"
    ):
        assert_forbid(admin, draft, "publish")


def test_assert_forbid_checks_the_reason(author: Member, draft: Article) -> None:
    assert_forbid(author, draft, "publish", reason="admins_only")
    with pytest.raises(AssertionError, match="forbid with reason 'other'"):
        assert_forbid(author, draft, "publish", reason="other")


@pytest.mark.parametrize(
    ("action", "allowed"),
    [("update?", True), ("edit", True), ("publish?", False)],
    ids=["question-mark", "edit-alias", "publish"],
)
def test_actions_resolve_as_in_the_app(
    author: Member, draft: Article, action: str, allowed: bool
) -> None:
    (assert_permit if allowed else assert_forbid)(author, draft, action)


def test_unknown_action_raises_the_apps_error(admin: Member, draft: Article) -> None:
    with pytest.raises(UnknownActionError, match="Did you mean 'publish'"):
        assert_permit(admin, draft, "publsh")


def test_missing_policy_raises_the_apps_error(admin: Member) -> None:
    with pytest.raises(PolicyNotDefinedError):
        assert_permit(admin, object(), "show")


def test_headless_policy_gets_the_context(admin: Member) -> None:
    assert_permit(admin, QuarterlyReportPolicy, "export", context={"two_factor": True})
    assert_forbid(admin, QuarterlyReportPolicy, "export", reason="needs_2fa")


def test_anonymous_user_is_named_in_the_failure(draft: Article) -> None:
    with pytest.raises(AssertionError, match="for no user"):
        assert_permit(None, draft, "show")


def test_policy_class_overrides_the_lookup(viewer: Member, draft: Article) -> None:
    assert_permit(viewer, draft, "update", policy_class=SpecialArticlePolicy)


def test_permitted_attributes_exact_includes_and_excludes(
    admin: Member, author: Member, draft: Article
) -> None:
    assert_permitted_attributes(admin, draft, ["published", "title"])
    assert_permitted_attributes(author, draft, includes=["title"], excludes=["published"])


def test_permitted_attributes_failure_lists_missing_and_unexpected(
    author: Member, draft: Article
) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_permitted_attributes(author, draft, ["title", "body"], excludes=["title"])
    message = str(caught.value)
    assert "missing ['body']" in message
    assert "should exclude ['title']" in message
    assert "got ['title']" in message


def test_permitted_attributes_for_action_take_precedence(viewer: Member, draft: Article) -> None:
    assert_permitted_attributes(
        viewer, draft, ["body"], action="update", policy_class=SpecialArticlePolicy
    )


def test_visible_and_editable_attributes(admin: Member, viewer: Member, live: Article) -> None:
    assert_visible_attributes(admin, live, includes=["user_id"])
    assert_visible_attributes(viewer, live, ["id", "title"])
    assert_editable_attributes(viewer, live, ["title"])
    with pytest.raises(AssertionError, match=r"editable attributes.*unexpected \['title'\]"):
        assert_editable_attributes(viewer, live, [])


def test_attribute_assertion_without_expectation_is_refused(admin: Member, live: Article) -> None:
    with pytest.raises(TypeError, match="includes="):
        assert_visible_attributes(admin, live)
