"""permission_matrix: users x actions x expected."""

from __future__ import annotations

import pytest

from flask_simple_authorize.testing import permission_matrix

from .blog import Article
from .blog import Member


def test_matching_matrix_returns_every_cell(
    admin: Member, author: Member, viewer: Member, draft: Article
) -> None:
    cells = permission_matrix(
        draft,
        users={"admin": admin, "author": author, "viewer": viewer},
        expected={
            "show": {"admin", "author"},
            "update": {"admin", "author"},
            "publish": {"admin": True, "author": False, "viewer": False},
        },
    )
    assert len(cells) == 9
    assert all(cell.matches for cell in cells)


def test_mismatches_are_printed_as_a_table(
    admin: Member, author: Member, viewer: Member, draft: Article
) -> None:
    with pytest.raises(AssertionError) as caught:
        permission_matrix(
            draft,
            users={"admin": admin, "author": author, "viewer": viewer},
            expected={"show": {"admin", "author", "viewer"}, "publish": {"admin", "author"}},
        )
    lines = str(caught.value).splitlines()
    assert (
        lines[0]
        == f"permission matrix for Article#{draft.id}: 2 of 6 decisions differ from the expected"
    )
    assert lines[1].split() == ["action", "admin", "author", "viewer"]
    assert lines[2].split() == ["show", "allow", "allow", "DENY", "(expected", "allow)"]
    assert lines[3].split() == ["publish", "allow", "DENY", "(expected", "allow)", "deny"]
    assert lines[4] == "mismatches:"
    assert lines[5:] == [
        "  show / viewer: expected allow, but ArticlePolicy.show() denied (no reason given)",
        "  publish / author: expected allow, but ArticlePolicy.publish() denied"
        " (reason 'admins_only')",
    ]


@pytest.mark.parametrize(
    "expected",
    [{"show": "admin"}, {"show": {"nobody"}}, {"show": {"admin": True}}],
    ids=["string", "unknown-label", "incomplete-mapping"],
)
def test_malformed_expectations_are_refused(admin: Member, draft: Article, expected: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(TypeError, match="expected\\['show'\\]"):
        permission_matrix(draft, users={"admin": admin, "x": None}, expected=expected)
