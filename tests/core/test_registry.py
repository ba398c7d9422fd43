"""The registry of policies by model name and namespace."""

from __future__ import annotations

from flask_simple_authorize import Policy
from flask_simple_authorize import policy_class_for
from flask_simple_authorize import registry


class Lantern:
    pass


def test_redefining_a_policy_replaces_the_earlier_one() -> None:
    class LanternPolicy(Policy):
        pass

    first = LanternPolicy
    assert policy_class_for(Lantern()) is first

    class LanternPolicy(Policy):  # type: ignore[no-redef]
        pass

    assert policy_class_for(Lantern()) is LanternPolicy is not first


def test_registered_policies_list_namespace_name_and_class() -> None:
    class LanternPolicy(Policy, namespace="garden"):
        pass

    listed = registry.registered_policies()
    assert ("garden", "Lantern", LanternPolicy) in listed
    assert listed == sorted(listed, key=lambda item: (item[0] or "", item[1]))
