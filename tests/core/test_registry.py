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


def test_a_subclass_of_a_namespaced_policy_stays_in_its_namespace() -> None:
    class LanternPolicy(Policy):
        pass

    public = LanternPolicy

    class GardenPolicy(Policy, namespace="garden"):
        """The garden area's base policy."""

    class LanternPolicy(GardenPolicy):  # type: ignore[no-redef]
        """The garden area's policy for lanterns."""

    assert LanternPolicy.policy_namespace == "garden"
    assert policy_class_for(Lantern()) is public
    assert policy_class_for(Lantern(), namespace="garden") is LanternPolicy is not public

    class LanternPolicy(GardenPolicy, namespace=None):  # type: ignore[no-redef]
        """Named into the plain registry on purpose."""

    assert policy_class_for(Lantern()) is LanternPolicy is not public
