"""Policy lookup: explicit class, ``__policy__``, naming (bases too), namespaces, headless."""

from __future__ import annotations

import pytest
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from flask_simple_authorize import ConfigurationError
from flask_simple_authorize import Policy
from flask_simple_authorize import PolicyNotDefinedError
from flask_simple_authorize import find_policy_class
from flask_simple_authorize import policy_class_for
from flask_simple_authorize.finder import lookup_path


class Widget:
    pass


class SpecialWidget(Widget):
    pass


class Gizmo:
    pass


class Orphan:
    pass


class WidgetPolicy(Policy):
    pass


class GizmoPolicy(Policy):
    pass


class WidgetAdminPolicy(Policy):
    """Named explicitly with __policy__ and policy_class= only."""


class DeclaredGizmo(Gizmo):
    __policy__ = WidgetAdminPolicy


class DashboardPolicy(Policy):
    def show(self) -> bool:
        return True


class ItemPolicy(Policy, namespace="shop"):
    pass


class Item:
    pass


class Switcher:
    """A record whose policy depends on the instance."""

    def __init__(self, special: bool) -> None:
        self.special = special

    @property
    def __policy__(self) -> type[Policy]:
        return WidgetAdminPolicy if self.special else GizmoPolicy


def test_the_naming_convention_finds_model_policy() -> None:
    assert policy_class_for(Widget()) is WidgetPolicy


def test_a_subclass_uses_its_base_class_policy() -> None:
    assert policy_class_for(SpecialWidget()) is WidgetPolicy


def test_classes_are_looked_up_as_themselves() -> None:
    assert policy_class_for(Widget) is WidgetPolicy
    assert policy_class_for(SpecialWidget) is WidgetPolicy


def test_a_headless_policy_is_its_own_policy() -> None:
    assert policy_class_for(DashboardPolicy) is DashboardPolicy


def test_explicit_policy_class_wins_over_everything() -> None:
    record = DeclaredGizmo()
    record.__policy__ = GizmoPolicy
    assert policy_class_for(record, policy_class=DashboardPolicy) is DashboardPolicy


def test_instance_policy_wins_over_class_policy() -> None:
    record = DeclaredGizmo()
    record.__policy__ = GizmoPolicy
    assert policy_class_for(record) is GizmoPolicy
    assert policy_class_for(DeclaredGizmo()) is WidgetAdminPolicy


def test_class_policy_wins_over_the_naming_convention() -> None:
    assert policy_class_for(DeclaredGizmo()) is WidgetAdminPolicy
    assert policy_class_for(DeclaredGizmo) is WidgetAdminPolicy


def test_a_policy_property_is_asked_for_each_instance() -> None:
    assert policy_class_for(Switcher(special=True)) is WidgetAdminPolicy
    assert policy_class_for(Switcher(special=False)) is GizmoPolicy


class Retrofit:
    pass


class RetrofitPolicy(Policy):
    pass


def test_a_policy_declared_on_the_class_later_is_followed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert policy_class_for(Retrofit()) is RetrofitPolicy
    monkeypatch.setattr(Retrofit, "__policy__", GizmoPolicy, raising=False)
    assert policy_class_for(Retrofit()) is GizmoPolicy
    assert policy_class_for(Retrofit) is GizmoPolicy
    monkeypatch.undo()
    assert policy_class_for(Retrofit()) is RetrofitPolicy


def test_a_namespace_is_searched_first() -> None:
    assert policy_class_for(Item(), namespace="shop") is ItemPolicy


def test_a_namespace_falls_back_to_the_plain_policy() -> None:
    assert policy_class_for(Gizmo(), namespace="shop") is GizmoPolicy


def test_without_a_namespace_namespaced_policies_are_not_used() -> None:
    with pytest.raises(PolicyNotDefinedError):
        policy_class_for(Item())


def test_a_missing_policy_names_the_class_and_what_to_define() -> None:
    with pytest.raises(PolicyNotDefinedError) as caught:
        policy_class_for(Orphan(), namespace="shop")
    message = str(caught.value)
    assert "no policy for Orphan" in message
    assert "define class OrphanPolicy(Policy)" in message
    assert "shop:OrphanPolicy" in message
    assert caught.value.tried == ("Orphan.__policy__", "shop:OrphanPolicy", "OrphanPolicy")


def test_the_quiet_variant_returns_none() -> None:
    assert find_policy_class(Orphan()) is None
    assert find_policy_class(Orphan) is None


def test_a_policy_defined_after_a_miss_is_found() -> None:
    class Latecomer:
        pass

    assert find_policy_class(Latecomer()) is None

    class LatecomerPolicy(Policy):
        pass

    assert policy_class_for(Latecomer()) is LatecomerPolicy


@pytest.mark.parametrize(
    "value",
    [pytest.param("WidgetPolicy", id="string"), pytest.param(Widget, id="not-a-policy")],
)
def test_a_policy_attribute_that_is_not_a_policy_is_refused(value: object) -> None:
    record = Gizmo()
    record.__policy__ = value  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match="__policy__ must be a Policy subclass"):
        policy_class_for(record)
    with pytest.raises(ConfigurationError, match="policy_class= must be a Policy subclass"):
        policy_class_for(Gizmo(), policy_class=value)  # type: ignore[arg-type]


def test_lookup_path_lists_bases_and_namespaces_in_order() -> None:
    assert lookup_path(SpecialWidget(), "shop") == [
        "SpecialWidget.__policy__",
        "shop:SpecialWidgetPolicy",
        "SpecialWidgetPolicy",
        "shop:WidgetPolicy",
        "WidgetPolicy",
    ]


class Base(DeclarativeBase):
    """A plain SQLAlchemy declarative base, named as the SQLAlchemy docs name it."""


class Invoice(Base):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)


class CreditNote(Invoice):
    pass


legacy_db = SQLAlchemy()


class Receipt(legacy_db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.mark.parametrize(
    "model",
    [pytest.param(Invoice, id="sqlalchemy"), pytest.param(Receipt, id="flask-sqlalchemy")],
)
def test_a_model_without_a_policy_never_borrows_its_declarative_bases(model: type) -> None:
    class BasePolicy(Policy):
        """An app's base policy, meant to be subclassed."""

        def index(self) -> bool:
            return True

    class ModelPolicy(BasePolicy):
        pass

    class GenericPolicy(BasePolicy):
        pass

    assert find_policy_class(model) is None
    with pytest.raises(PolicyNotDefinedError) as caught:
        policy_class_for(model())
    assert caught.value.tried == (f"{model.__name__}.__policy__", f"{model.__name__}Policy")


def test_a_mapped_subclass_still_uses_its_parents_policy() -> None:
    class InvoicePolicy(Policy):
        pass

    assert policy_class_for(CreditNote()) is InvoicePolicy
    assert lookup_path(CreditNote) == [
        "CreditNote.__policy__",
        "CreditNotePolicy",
        "InvoicePolicy",
    ]


class Dial:
    """Chooses its policy per instance, with a property."""

    def __init__(self, locked: bool) -> None:
        self.locked = locked

    @property
    def __policy__(self) -> type[Policy] | None:
        return WidgetAdminPolicy if self.locked else None


class DialPolicy(Policy):
    def create(self) -> bool:
        return True


def test_a_class_whose_policy_is_chosen_per_record_goes_by_its_name() -> None:
    assert policy_class_for(Dial) is DialPolicy
    assert find_policy_class(Dial) is DialPolicy
    assert policy_class_for(Dial(locked=True)) is WidgetAdminPolicy
    assert policy_class_for(Dial(locked=False)) is DialPolicy
