"""``use_policies``: make chosen policies the registered ones for a block, then restore."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .. import registry
from ..policy import Policy


@contextlib.contextmanager
def use_policies(*policy_classes: type[Policy]) -> Iterator[None]:
    """Register ``policy_classes`` (under their own namespaces) for the block.

    Policies register process-wide by class name when defined, and the last
    definition wins, so two test modules that both define ``PostPolicy`` see
    whichever was imported last. Wrap a test (or an autouse fixture) in this
    to make its own policies the ones looked up; the registry is restored
    afterwards::

        @pytest.fixture(autouse=True)
        def _blog_policies():
            with use_policies(PostPolicy, CommentPolicy):
                yield

    .. versionadded:: 0.1
    """
    saved = registry.snapshot()
    for policy_class in policy_classes:
        registry.register(policy_class, policy_class.policy_namespace)
    try:
        yield
    finally:
        registry.restore(saved)
