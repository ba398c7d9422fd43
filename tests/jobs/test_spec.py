"""A task's declaration: headless or not, its parameters, its action."""

from __future__ import annotations

import typing as t

import pytest
from huey import MemoryHuey

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize.huey import huey_authorized_task
from flask_simple_authorize.huey.spec import JobSpec
from flask_simple_authorize.huey.spec import extra_parameter_names
from flask_simple_authorize.huey.spec import is_headless

from .blog import ExportPolicy
from .blog import Post


@pytest.mark.parametrize(
    ("target", "headless"),
    [(ExportPolicy, True), (Post, False), (object(), False)],
    ids=["policy", "model", "other"],
)
def test_policy_classes_make_headless_tasks(target: t.Any, headless: bool):
    assert is_headless(target) is headless


def test_extra_parameter_names_skip_user_and_record():
    def body(user: t.Any, post: t.Any, title: str, *rest: t.Any, flag: bool = False) -> None:
        pass

    assert extra_parameter_names(body, 2) == ("title",)


def test_callable_action_is_chosen_from_the_arguments():
    spec = JobSpec(
        huey=None, name="x", target=Post, action=lambda kind: f"{kind}_post", with_record=True
    )

    assert spec.action_for(("publish",)) == "publish_post"
    assert spec.record_type == "Post"


def test_action_that_is_neither_a_name_nor_a_callable_is_refused():
    with pytest.raises(ConfigurationError, match="rule name or a callable"):
        huey_authorized_task(MemoryHuey("spec"), Post, 42)  # type: ignore[arg-type]
