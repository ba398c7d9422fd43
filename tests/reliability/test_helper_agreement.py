"""Every request-side helper gives the same answer for the same user, record and action.

Policies are built from drawn ingredients: rules on ownership, admin and
user facts, record attributes and the context; denials with and without a
reason; rules that answer a non-bool by mistake; rules that remember their
answer on ``self``, ``cached_property`` helpers, rules that are closures,
rules inherited from a base policy or a mixin, overridden user facts, hidden
denials and scopes that can filter lists. Records are mixed: instances of
several classes, a subclass without its own policy, instances with their own
``__policy__``, a class declaring ``__policy__`` and its subclass, a class
whose ``__policy__`` is chosen per instance, presenters that forward
``__policy__`` from the record they wrap, model classes and headless policy
classes given as records, the same record twice. Users are anonymous,
members, owners, admins (by role or by their own ``is_admin``) and inactive.

The oracle is the rule itself, called on a fresh policy instance. Every
helper must agree with it: ``authorize``, ``allowed_to``,
``policy(record).<rule>()``, ``allowed_actions``, ``authorized_records``, ``partition_records``,
``decisions``, ``authorize_all`` and ``policy_scope`` on a list, in apps with
the policy cache on and off, and with signals on (a subscriber, which makes
the bulk helpers build a policy per record) and off.
"""

from __future__ import annotations

import contextlib
import functools
import typing as t
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import current_user
from flask_login import login_user
from hypothesis import given
from hypothesis import strategies as st

from flask_simple_authorize import Denial
from flask_simple_authorize import InvalidRuleResultError
from flask_simple_authorize import NotAuthorizedError
from flask_simple_authorize import Policy
from flask_simple_authorize import RecordHiddenError
from flask_simple_authorize import ScopeNotDefinedError
from flask_simple_authorize import SimpleAuthorize
from flask_simple_authorize import UnknownActionError
from flask_simple_authorize import allowed_actions
from flask_simple_authorize import allowed_to
from flask_simple_authorize import authorize
from flask_simple_authorize import authorize_all
from flask_simple_authorize import authorized_records
from flask_simple_authorize import decisions
from flask_simple_authorize import partition_records
from flask_simple_authorize import policy
from flask_simple_authorize import policy_scope
from flask_simple_authorize.authorizer import clear_caches
from flask_simple_authorize.policy import RuleResult
from flask_simple_authorize.signals import authorization_checked
from flask_simple_authorize.testing import use_policies
from flask_simple_authorize.user_facts import user_fact

from .conftest import bounded

CONTEXT = {"plan": "pro"}
BASE_RULES = frozenset({"index", "show", "create", "update", "destroy"})
ALIASES = {"new": "create", "edit": "update"}

# -- users and records ----------------------------------------------------------


class AgreeUser(UserMixin):
    """A user; ``active=False`` makes flask-login's ``is_authenticated`` False."""

    def __init__(self, id: int, role: str, active: bool, admin_flag: t.Any) -> None:
        self.id = id
        self.role = role
        self.active = active
        if admin_flag == "callable":
            self.is_admin = _says_yes
        elif admin_flag is not None:
            self.is_admin = admin_flag

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        flag = self.__dict__.get("is_admin", "-")
        return f"AgreeUser(id={self.id}, role={self.role!r}, active={self.active}, is_admin={flag})"


def _says_yes() -> bool:
    return True


class AgreeAlpha:
    """A record. Class-level defaults make a class given as a record look owned by user 2."""

    user_id: t.Any = 2
    reviewer_id: t.Any = None
    published = True

    def __init__(self, id: int, user_id: t.Any, published: bool, reviewer_id: t.Any) -> None:
        self.id = id
        self.user_id = user_id
        self.published = published
        self.reviewer_id = reviewer_id

    def __repr__(self) -> str:
        own = self.__dict__.get("__policy__")
        extra = f", __policy__={own.__name__}" if own is not None else ""
        return (
            f"{type(self).__name__}(id={self.id}, user_id={self.user_id},"
            f" published={self.published}, reviewer_id={self.reviewer_id}{extra})"
        )


class AgreeAlphaChild(AgreeAlpha):
    """A subclass without a policy of its own: ``AgreeAlphaPolicy`` decides for it."""


class AgreeBeta(AgreeAlpha):
    """Another record class, with its own policy (a subclass, to share the fields)."""


def _route(record: AgreeRouted) -> type[Policy] | None:
    return record.route


class AgreeRouted(AgreeAlpha):
    """A record whose class computes ``__policy__`` per instance (``None``: by name)."""

    __policy__ = property(_route)
    route: type[Policy] | None = None

    def __repr__(self) -> str:
        route = self.route.__name__ if self.route is not None else None
        return f"{super().__repr__()[:-1]}, route={route})"


class AgreePresented:
    """A presenter: forwards what it lacks (``__policy__`` included) to the record it wraps.

    When the wrapped record names no policy, the presenter goes by its own name.
    """

    def __init__(self, wrapped: AgreeAlpha) -> None:
        self.wrapped = wrapped

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self.wrapped, name)

    def __repr__(self) -> str:
        return f"AgreePresented({self.wrapped!r})"


RECORD_KINDS = ["alpha", "beta", "child", "declared", "declared_child", "routed"]
RECORD_CLASSES: dict[str, type] = {
    "alpha": AgreeAlpha,
    "child": AgreeAlphaChild,
    "beta": AgreeBeta,
    "routed": AgreeRouted,
}
#: The registered policy each record class is found by, through its name or a base's.
POLICY_BY_CLASS: dict[type, str] = {
    AgreePresented: "presented",
    AgreeAlpha: "alpha",
    AgreeAlphaChild: "alpha",
    AgreeBeta: "beta",
    AgreeRouted: "routed",
}
#: Policy keys and class names; ``special`` is not registered (its name lacks "Policy").
POLICY_NAMES = {
    "alpha": "AgreeAlphaPolicy",
    "beta": "AgreeBetaPolicy",
    "routed": "AgreeRoutedPolicy",
    "dashboard": "AgreeDashboardPolicy",
    "presented": "AgreePresentedPolicy",
    "special": "AgreeSpecialRules",
}

# -- what rules are made of -----------------------------------------------------


def _even_id(policy: Policy) -> bool:
    user_id = policy.user_id
    return user_id is not None and user_id % 2 == 0


TERMS: dict[str, t.Callable[[t.Any], t.Any]] = {
    "owner": lambda policy: policy.is_owner,
    "admin": lambda policy: policy.is_admin,
    "editor": lambda policy: policy.is_editor,
    "authenticated": lambda policy: policy.is_authenticated,
    "even_id": _even_id,
    "published": lambda policy: getattr(policy.record, "published", False),
    "reviewer": lambda policy: getattr(policy.record, "reviewer_id", None) == policy.user_id,
    "owned_helper": lambda policy: policy._owned,
    "pro_plan": lambda policy: policy.context.get("plan") == "pro",
    "user_id": lambda policy: policy.user_id,
    "reviewer_id": lambda policy: getattr(policy.record, "reviewer_id", None),
}


@dataclass(frozen=True)
class RuleSpec:
    """How one rule decides: terms combined with all/any, maybe negated, and how it denies.

    ``denial`` is ``False`` for a plain ``False``, else the reason given to
    ``self.deny()`` (``None`` for no reason). ``raw`` returns the first term's
    value as it is when it is not a bool (a mistake every helper must refuse
    the same way). ``memo`` makes the rule remember its answer on ``self``;
    ``closure`` builds it as a closure.
    """

    terms: tuple[str, ...]
    every: bool
    negate: bool
    denial: t.Any
    raw: bool
    memo: bool
    closure: bool


def evaluate(policy: Policy, rule: str) -> RuleResult:
    """Decide ``rule`` on ``policy`` as its :class:`RuleSpec` says."""
    memo_key = f"_memo_{rule}"
    if memo_key in policy.__dict__:
        return t.cast(RuleResult, policy.__dict__[memo_key])
    spec: RuleSpec = getattr(type(policy), f"_spec_{rule}")
    if spec.raw:
        value = TERMS[spec.terms[0]](policy)
        if type(value) is not bool:
            return t.cast(RuleResult, value)
    values = (bool(TERMS[term](policy)) for term in spec.terms)
    passed = (all(values) if spec.every else any(values)) != spec.negate
    result: RuleResult
    if passed:
        result = True
    elif spec.denial is False:
        result = False
    else:
        result = policy.deny(spec.denial)
    if spec.memo:
        policy.__dict__[memo_key] = result
    return result


# Plain functions, one per rule name, so that policies built from them can be reused in bulk.
def _show(self: Policy) -> RuleResult:
    return evaluate(self, "show")


def _update(self: Policy) -> RuleResult:
    return evaluate(self, "update")


def _create(self: Policy) -> RuleResult:
    return evaluate(self, "create")


def _destroy(self: Policy) -> RuleResult:
    return evaluate(self, "destroy")


def _publish(self: Policy) -> RuleResult:
    return evaluate(self, "publish")


def _index(self: Policy) -> RuleResult:
    return evaluate(self, "index")


PLAIN_RULES = {
    "show": _show,
    "update": _update,
    "create": _create,
    "destroy": _destroy,
    "publish": _publish,
    "index": _index,
}


def closure_rule(rule: str) -> t.Callable[[Policy], RuleResult]:
    def decide(self: Policy) -> RuleResult:
        return evaluate(self, rule)

    return decide


def _owned(self: Policy) -> bool:
    return self.is_owner


def _is_editor(self: Policy) -> bool:
    return self.is_authenticated and getattr(self.user, "role", None) == "editor"


def _admin_or_editor(self: Policy) -> bool:
    return self.is_authenticated and getattr(self.user, "role", None) in ("admin", "editor")


def _raw_id(self: Policy) -> t.Any:
    return getattr(self.user, "id", None)


def _authenticated_unbanned(self: Policy) -> bool:
    user = self.user
    authenticated = bool(getattr(user, "is_authenticated", False))
    return authenticated and getattr(user, "role", None) != "banned"


#: Ways a policy may override the base user facts.
FACT_OVERRIDES: dict[str, dict[str, t.Any]] = {
    "none": {},
    "admin-fact": {"is_admin": user_fact(_admin_or_editor)},
    "admin-property": {"is_admin": property(_is_editor)},
    "admin-cached": {"is_admin": functools.cached_property(_admin_or_editor)},
    "raw-id-fact": {"user_id": user_fact(_raw_id)},
    "authenticated-fact": {"is_authenticated": user_fact(_authenticated_unbanned)},
}


@dataclass(frozen=True)
class PolicySpec:
    """A policy's own rules and facts; ``parent`` makes it derive from the shared rules.

    ``parent`` is ``None``, ``"policy"`` (a ``Policy`` subclass that is not
    registered) or ``"mixin"`` (a plain class listed before ``Policy``).
    """

    rules: tuple[tuple[str, RuleSpec], ...]
    facts: str
    hide_denied: bool
    includes: bool
    owner_attribute: str
    parent: str | None


def _includes(self: Policy.Scope, record: t.Any) -> bool:
    owner = t.cast(type[Policy], type(self).policy_class)
    target = None if record is owner else record
    return owner(self.user, target, self.context).show() is True


def rule_namespace(spec: PolicySpec) -> dict[str, t.Any]:
    """Return the class attributes for the rules and facts of ``spec``."""
    namespace: dict[str, t.Any] = {"__module__": __name__, **FACT_OVERRIDES[spec.facts]}
    for rule, rule_spec in spec.rules:
        namespace[f"_spec_{rule}"] = rule_spec
        namespace[rule] = closure_rule(rule) if rule_spec.closure else PLAIN_RULES[rule]
    return namespace


def build_shared(spec: PolicySpec) -> dict[str, type]:
    """Build the shared rules, as a policy base and as a plain mixin (neither registered)."""
    helpers = {"is_editor": user_fact(_is_editor), "_owned": functools.cached_property(_owned)}
    namespace = {**helpers, **rule_namespace(spec)}
    return {
        "policy": type("AgreeSharedRules", (Policy,), dict(namespace)),
        "mixin": type("AgreeSharedMixin", (), dict(namespace)),
    }


def build_policy(name: str, spec: PolicySpec, shared: dict[str, type]) -> type[Policy]:
    """Define (and so register) the policy class ``name`` from ``spec``."""
    namespace = {
        "hide_denied": spec.hide_denied,
        "owner_attribute": spec.owner_attribute,
        **rule_namespace(spec),
    }
    if spec.includes:
        namespace["Scope"] = type("Scope", (Policy.Scope,), {"includes": _includes})
    if spec.parent == "mixin":
        bases: tuple[type, ...] = (shared["mixin"], Policy)
    else:
        bases = (shared["policy"],)  # the helpers live there
        if spec.parent is None:
            bases = (Policy,)
            namespace["is_editor"] = user_fact(_is_editor)
            namespace["_owned"] = functools.cached_property(_owned)
    return type(name, bases, namespace)


def rules_of(policy_class: type[Policy], specs: dict[type, PolicySpec]) -> set[str]:
    """The rules ``policy_class`` has, from the specs of its classes."""
    rules = set(BASE_RULES)
    for klass in policy_class.__mro__:
        if klass in specs:
            rules.update(rule for rule, _ in specs[klass].rules)
    return rules


# -- strategies -------------------------------------------------------------------


def weighted(*choices: tuple[int, st.SearchStrategy[t.Any]]) -> st.SearchStrategy[t.Any]:
    """Draw from one of the strategies, each as often as its weight says."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(pool).flatmap(lambda strategy: strategy)


#: Terms that read the record: most rules read one, so records of one class get different answers.
RECORD_TERMS = ["owner", "published", "reviewer", "reviewer_id"]
terms = st.sampled_from([*RECORD_TERMS, *RECORD_TERMS, *sorted(TERMS)])
rule_specs = st.builds(
    RuleSpec,
    terms=st.lists(terms, min_size=1, max_size=3).map(tuple),
    every=st.booleans(),
    negate=st.booleans(),
    denial=st.sampled_from([False, None, "not_yours", "draft_locked"]),
    raw=st.sampled_from([False, False, False, True]),
    memo=st.booleans(),
    closure=st.sampled_from([False, False, False, False, True]),
)
policy_specs = st.builds(
    PolicySpec,
    rules=st.fixed_dictionaries(
        {rule: weighted((3, rule_specs), (1, st.none())) for rule in PLAIN_RULES}
    ).map(lambda rules: tuple((rule, spec) for rule, spec in rules.items() if spec is not None)),
    facts=st.sampled_from(sorted(FACT_OVERRIDES)),
    hide_denied=st.booleans(),
    includes=st.booleans(),
    owner_attribute=st.sampled_from(["user_id", "reviewer_id"]),
    parent=st.sampled_from([None, None, "policy", "mixin"]),
)
owner_ids = st.sampled_from([None, 1, 2, 3])
#: Most records go by their class; some name their own policy.
chosen_policies = st.sampled_from([*[None] * 8, "alpha", "beta", "special", "dashboard"])
#: ``("instance", class key, owner id, published, reviewer id, chosen policy)``.
instance_specs = st.tuples(
    st.just("instance"),
    st.sampled_from(["alpha", "alpha", "beta", *RECORD_KINDS]),  # runs of one class are common
    owner_ids,
    st.booleans(),
    owner_ids,
    chosen_policies,
)
#: ``("class", record class)`` or ``("policy", policy key)``: a model class or a headless
#: policy given as the record.
class_specs = st.one_of(
    st.tuples(st.just("class"), st.sampled_from([*RECORD_KINDS, "presented"])),
    st.tuples(st.just("policy"), st.sampled_from(["dashboard", "special"])),
)
#: ``("presented", instance spec)``: a presenter around a record.
presented_specs = st.tuples(st.just("presented"), instance_specs)
#: ``("again", n)`` repeats an earlier record of the list.
again_specs = st.tuples(st.just("again"), st.integers(0, 9))
record_lists = st.lists(
    weighted((6, instance_specs), (2, presented_specs), (1, class_specs), (1, again_specs)),
    min_size=1,
    max_size=10,
)
logged_in = st.builds(
    AgreeUser,
    id=st.integers(1, 3),
    role=st.sampled_from(["member", "admin", "editor", "banned"]),
    active=st.booleans(),
    admin_flag=st.sampled_from([None, None, True, False, "callable"]),
)
users = weighted((1, st.none()), (3, logged_in))
actions = st.sampled_from(
    ["show", "update", "create", "destroy", "publish", "index", "new", "edit"]
).flatmap(lambda action: st.sampled_from([action, f"{action}?"]))


@dataclass
class World:
    """The policies and record classes of one example."""

    policies: dict[str, type[Policy]]
    specs: dict[type, PolicySpec]
    classes: dict[str, type]

    def record_class_policy(self, record_class: type) -> type[Policy]:
        declared = record_class.__dict__.get("__policy__")
        if isinstance(declared, type):
            return t.cast(type[Policy], declared)
        if record_class in POLICY_BY_CLASS:
            return self.policies[POLICY_BY_CLASS[record_class]]
        return self.record_class_policy(record_class.__bases__[0])

    def policy_class(self, record: t.Any) -> type[Policy]:
        """The policy that must decide for ``record``, found without the finder."""
        if isinstance(record, type):
            if issubclass(record, Policy):
                return record
            return self.record_class_policy(record)
        if isinstance(record, AgreePresented):
            forwarded = getattr(record.wrapped, "__policy__", None)
            return forwarded or self.policies["presented"]
        own = record.__dict__.get("__policy__")
        if own is not None:
            return t.cast(type[Policy], own)
        if isinstance(record, AgreeRouted) and record.route is not None:
            return record.route
        return self.record_class_policy(type(record))

    def rule(self, policy_class: type[Policy], action: str) -> str | None:
        name = action[:-1] if action.endswith("?") else action
        rules = rules_of(policy_class, self.specs)
        if name in rules:
            return name
        alias = ALIASES.get(name)
        return alias if alias in rules else None

    def answer(self, user: t.Any, record: t.Any, action: str) -> t.Any:
        """Call the rule on a fresh policy: the oracle. ``UNKNOWN`` when there is no rule."""
        policy_class = self.policy_class(record)
        rule = self.rule(policy_class, action)
        if rule is None:
            return UNKNOWN
        target = None if record is policy_class else record
        return getattr(policy_class(user, target, CONTEXT), rule)()

    def outcome(self, user: t.Any, record: t.Any, action: str) -> Outcome:
        """What a check must make of the rule's answer."""
        result = self.answer(user, record, action)
        if result is True:
            return ALLOWED
        if result is False or type(result) is Denial:
            reason = getattr(result, "reason", None)
            return ("denied", reason, self.policy_class(record).hide_denied)
        return UNKNOWN if result is UNKNOWN else INVALID

    def truthy(self, user: t.Any, record: t.Any, action: str) -> Outcome:
        """What calling the rule on ``policy(record)`` must answer, by its truth."""
        result: object = self.answer(user, record, action)
        if result is UNKNOWN:
            return UNKNOWN
        return ALLOWED if result else DENIED

    def allowed_actions(self, user: t.Any, record: t.Any) -> list[str] | Outcome:
        """Every rule that allows, sorted; ``INVALID`` when one answers a non-bool."""
        rules = sorted(rules_of(self.policy_class(record), self.specs))
        outcomes = {rule: self.outcome(user, record, rule) for rule in rules}
        if INVALID in outcomes.values():
            return INVALID
        return [rule for rule, outcome in outcomes.items() if outcome == ALLOWED]

    def has_includes(self, record: t.Any) -> bool:
        return self.specs[self.policy_class(record)].includes


def build_world(specs: dict[str, PolicySpec], shared_spec: PolicySpec, declared: str) -> World:
    shared = build_shared(shared_spec)
    policies = {key: build_policy(POLICY_NAMES[key], spec, shared) for key, spec in specs.items()}
    by_class: dict[type, PolicySpec] = {policies[key]: spec for key, spec in specs.items()}
    by_class.update(dict.fromkeys(shared.values(), shared_spec))
    # a record class whose __policy__ is a class attribute, and a subclass inheriting it
    declaring = type("AgreeDeclared", (AgreeAlpha,), {"__policy__": policies[declared]})
    classes = {
        **RECORD_CLASSES,
        "declared": declaring,
        "declared_child": type("AgreeDeclaredChild", (declaring,), {}),
        "presented": AgreePresented,
    }
    return World(policies, by_class, classes)


def build_instance(spec: tuple[t.Any, ...], number: int, world: World) -> AgreeAlpha:
    _, kind, owner, published, reviewer, chosen = spec
    record: AgreeAlpha = world.classes[kind](number, owner, published, reviewer)
    if chosen is not None:
        if isinstance(record, AgreeRouted):
            record.route = world.policies[chosen]
        else:
            record.__policy__ = world.policies[chosen]  # type: ignore[attr-defined]
    return record


def build_records(specs: list[tuple[t.Any, ...]], world: World) -> list[t.Any]:
    records: list[t.Any] = []
    for number, spec in enumerate(specs):
        if spec[0] == "again":
            if records:
                records.append(records[spec[1] % len(records)])
        elif spec[0] == "class":
            records.append(world.classes[spec[1]])
        elif spec[0] == "policy":
            records.append(world.policies[spec[1]])
        elif spec[0] == "presented":
            records.append(AgreePresented(build_instance(spec[1], number, world)))
        else:
            records.append(build_instance(spec, number, world))
    return records


# -- the helpers, each reduced to an outcome -------------------------------------------

Outcome = tuple[t.Any, ...]
UNKNOWN: Outcome = ("unknown",)
INVALID: Outcome = ("invalid",)
ALLOWED: Outcome = ("allowed",)
#: A denial, as told by a helper that answers only yes or no.
DENIED: Outcome = ("denied",)
ERRORS = (UnknownActionError, InvalidRuleResultError)


def error_outcome(error: Exception) -> Outcome:
    return UNKNOWN if isinstance(error, UnknownActionError) else INVALID


def via_authorize(record: t.Any, action: str) -> Outcome:
    try:
        returned = authorize(record, action)
    except ERRORS as error:
        return error_outcome(error)
    except NotAuthorizedError as error:
        assert error.record is record
        return ("denied", error.reason, isinstance(error, RecordHiddenError))
    assert returned is record
    return ALLOWED


def via_allowed_to(record: t.Any, action: str) -> Outcome:
    try:
        return ALLOWED if allowed_to(action, record) else DENIED
    except ERRORS as error:
        return error_outcome(error)


def via_policy(world: World, actor: t.Any, record: t.Any, action: str) -> Outcome:
    found = policy(record)
    policy_class = world.policy_class(record)
    assert type(found) is policy_class
    assert found.user is actor
    assert found.record is (None if record is policy_class else record)
    rule = world.rule(policy_class, action)
    if rule is None:
        return UNKNOWN
    return ALLOWED if getattr(found, rule)() else DENIED


def via_allowed_actions(record: t.Any) -> list[str] | Outcome:
    try:
        return allowed_actions(record)
    except InvalidRuleResultError:
        return INVALID


def via_bulk(helper: t.Callable[..., t.Any], records: list[t.Any], action: str) -> t.Any:
    try:
        return helper(records, action)
    except ERRORS as error:
        return error_outcome(error)


def via_authorize_all(records: list[t.Any], action: str) -> Outcome:
    try:
        returned = authorize_all(records, action)
    except ERRORS as error:
        return error_outcome(error)
    except NotAuthorizedError as error:
        return ("denied", id(error.record), error.reason, isinstance(error, RecordHiddenError))
    assert returned == records
    return ALLOWED


def identities(records: t.Iterable[t.Any]) -> list[int]:
    return [id(record) for record in records]


def plainly(outcome: Outcome) -> Outcome:
    """What a helper that only answers yes or no can tell of ``outcome``."""
    return outcome if outcome in (ALLOWED, UNKNOWN, INVALID) else DENIED


# -- apps -------------------------------------------------------------------------------

ANNOUNCED: list[tuple[bool, str | None]] = []


def remember_decision(sender: Flask, **payload: t.Any) -> None:
    """Keep what each decision announced (module level: blinker holds receivers weakly)."""
    ANNOUNCED.append((payload["allowed"], payload["reason"]))


@dataclass
class Mode:
    """One app: policy cache on or off, signals on or off, a subscriber or none."""

    app: Flask
    cache: bool
    signals: bool
    subscribed: bool

    @property
    def announcing(self) -> bool:
        return self.signals and self.subscribed

    def __repr__(self) -> str:
        return f"Mode(cache={self.cache}, signals={self.signals}, subscribed={self.subscribed})"


#: ``(policy cache, signals, subscriber)``: a subscriber with signals on makes the
#: bulk helpers build a policy per record; with signals off it hears nothing.
MODES = [
    (False, True, False),
    (True, True, False),
    (False, True, True),
    (True, True, True),
    (False, False, True),
]


def make_app(cache: bool, signals: bool) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="agreement-tests",
        TESTING=True,
        SIMPLE_AUTHORIZE_POLICY_CACHE=cache,
        SIMPLE_AUTHORIZE_SIGNALS=signals,
    )
    LoginManager(app).user_loader(lambda user_id: None)
    authz = SimpleAuthorize(app)
    authz.context_provider(lambda: CONTEXT)
    return app


@pytest.fixture(scope="module")
def modes() -> list[Mode]:
    return [Mode(make_app(c, s), c, s, subscribed) for c, s, subscribed in MODES]


@contextlib.contextmanager
def listening(mode: Mode) -> t.Iterator[None]:
    """Subscribe for the block when the mode says so.

    Only for the block: a subscriber to any app makes the bulk helpers of
    every app build a policy per record.
    """
    if mode.subscribed:
        authorization_checked.connect(remember_decision, mode.app)
    try:
        yield
    finally:
        authorization_checked.disconnect(remember_decision, mode.app)


# -- the property -------------------------------------------------------------------------


def check_one_by_one(world: World, actor: t.Any, records: list[t.Any], action: str) -> None:
    """``authorize``, ``allowed_to`` and ``policy(record).<rule>()`` agree with the oracle."""
    for record in records:
        outcome = world.outcome(actor, record, action)
        assert via_authorize(record, action) == outcome, ("authorize", record)
        assert via_allowed_to(record, action) == plainly(outcome), ("allowed_to", record)
        # calling the rule directly checks nothing: a non-bool answer counts by its truth
        truthy = world.truthy(actor, record, action)
        assert via_policy(world, actor, record, action) == truthy, ("policy", record)
        assert via_allowed_actions(record) == world.allowed_actions(actor, record), record


def check_bulk(mode: Mode, world: World, cases: list[tuple[t.Any, Outcome]], action: str) -> None:
    """``authorized_records``, ``partition_records`` and ``decisions`` agree with the oracle.

    They stop at the first record whose action names no rule or whose rule
    answers a non-bool, with the error ``authorize`` raises for it.
    """
    records = [record for record, _ in cases]
    failure = next((o for _, o in cases if o in (UNKNOWN, INVALID)), None)
    allowed = [id(record) for record, outcome in cases if outcome == ALLOWED]
    denied = [id(record) for record, outcome in cases if outcome != ALLOWED]

    ANNOUNCED.clear()
    listed = via_bulk(authorized_records, records, action)
    if failure is not None:
        assert listed == failure, "authorized_records"
    else:
        assert identities(listed) == allowed, "authorized_records"
        if mode.announcing:
            reasons = [(o == ALLOWED, None if o == ALLOWED else o[1]) for _, o in cases]
            assert reasons == ANNOUNCED, "authorization_checked"
    if not mode.announcing:
        assert ANNOUNCED == [], "authorization_checked"

    split = via_bulk(partition_records, records, action)
    if failure is not None:
        assert split == failure, "partition_records"
    else:
        assert (identities(split[0]), identities(split[1])) == (allowed, denied)

    decided = via_bulk(decisions, records, action)
    if failure is not None:
        assert decided == failure, "decisions"
        return
    assert [item for item, _ in decided] == records
    for (record, decision), (_, outcome) in zip(decided, cases, strict=True):
        assert decision.allowed == (outcome == ALLOWED), ("decisions", record)
        assert decision.reason == (None if outcome == ALLOWED else outcome[1])
        assert type(decision.policy) is world.policy_class(record)
        assert decision.rule == world.rule(type(decision.policy), action)


def check_authorize_all(cases: list[tuple[t.Any, Outcome]], action: str) -> None:
    """``authorize_all`` raises what ``authorize`` raises for the first record it refuses."""
    records = [record for record, _ in cases]
    refusal = next(((record, o) for record, o in cases if o != ALLOWED), None)
    if refusal is None:
        wanted: Outcome = ALLOWED
    elif refusal[1] in (UNKNOWN, INVALID):
        wanted = refusal[1]
    else:
        wanted = ("denied", id(refusal[0]), *refusal[1][1:])
    assert via_authorize_all(records, action) == wanted, "authorize_all"


def check_scope(world: World, actor: t.Any, records: list[t.Any]) -> None:
    """``policy_scope`` on a list keeps what ``show`` allows, each record by its own policy.

    Every generated ``Scope.includes`` asks its policy's ``show`` rule.
    """
    if not all(world.has_includes(record) for record in records):
        with pytest.raises(ScopeNotDefinedError):
            policy_scope(records)
        return
    kept = [r for r in records if world.outcome(actor, r, "show") == ALLOWED]
    scoped = policy_scope(records)
    assert type(scoped) is list
    assert identities(scoped) == identities(kept), "policy_scope"


def check_agreement(
    mode: Mode, world: World, user: t.Any, records: list[t.Any], action: str
) -> None:
    with mode.app.test_request_context("/"):
        if user is not None:
            login_user(user, force=True)  # force: an inactive user stays logged in
        actor = current_user._get_current_object()
        check_one_by_one(world, actor, records, action)
        cases = [(record, world.outcome(actor, record, action)) for record in records]
        check_bulk(mode, world, cases, action)
        check_authorize_all(cases, action)
        check_scope(world, actor, records)


@bounded(300)
@given(
    specs=st.fixed_dictionaries(dict.fromkeys(POLICY_NAMES, policy_specs)),
    shared=policy_specs,
    declared=st.sampled_from(sorted(POLICY_NAMES)),
    record_specs=record_lists,
    user=users,
    action=actions,
)
def test_every_helper_agrees_with_the_rule_itself(
    modes: list[Mode],
    specs: dict[str, PolicySpec],
    shared: PolicySpec,
    declared: str,
    record_specs: list[tuple[t.Any, ...]],
    user: AgreeUser | None,
    action: str,
) -> None:
    with use_policies():
        world = build_world(specs, shared, declared)
        records = build_records(record_specs, world)
        try:
            for mode in modes:
                with listening(mode):
                    check_agreement(mode, world, user, records, action)
        finally:
            clear_caches()
