"""Policy-based authorization for Flask, in requests and in huey background jobs."""

from .actor import acting_as
from .authorizer import Decision
from .errors import AuthorizationNotPerformedError
from .errors import ConfigurationError
from .errors import InvalidRuleResultError
from .errors import JobArgumentError
from .errors import JobError
from .errors import NotAuthorizedError
from .errors import PolicyNotDefinedError
from .errors import RecordHiddenError
from .errors import ScopeNotDefinedError
from .errors import SimpleAuthorizeError
from .errors import UnknownActionError
from .extension import SimpleAuthorize
from .finder import find_policy_class
from .finder import policy_class_for
from .helpers import allowed_actions
from .helpers import allowed_to
from .helpers import authorize
from .helpers import authorize_all
from .helpers import authorized_records
from .helpers import decisions
from .helpers import editable_attributes
from .helpers import filter_attributes
from .helpers import partition_records
from .helpers import permitted_attributes
from .helpers import policy
from .helpers import visible_attributes
from .params import policy_params
from .policy import Denial
from .policy import Policy
from .responses import safe_redirect_target
from .scoping import policy_scope
from .signals import authorization_checked
from .signals import authorization_denied
from .signals import authorization_not_performed
from .signals import job_authorization_denied
from .signals import job_failed
from .signals import job_skipped
from .signals import job_started
from .signals import job_succeeded
from .signals import policy_scoped
from .verification import skip_authorization

__version__ = "0.1.0"

__all__ = [
    "AuthorizationNotPerformedError",
    "ConfigurationError",
    "Decision",
    "Denial",
    "InvalidRuleResultError",
    "JobArgumentError",
    "JobError",
    "NotAuthorizedError",
    "Policy",
    "PolicyNotDefinedError",
    "RecordHiddenError",
    "ScopeNotDefinedError",
    "SimpleAuthorize",
    "SimpleAuthorizeError",
    "UnknownActionError",
    "acting_as",
    "allowed_actions",
    "allowed_to",
    "authorization_checked",
    "authorization_denied",
    "authorization_not_performed",
    "authorize",
    "authorize_all",
    "authorized_records",
    "decisions",
    "editable_attributes",
    "filter_attributes",
    "find_policy_class",
    "job_authorization_denied",
    "job_failed",
    "job_skipped",
    "job_started",
    "job_succeeded",
    "partition_records",
    "permitted_attributes",
    "policy",
    "policy_class_for",
    "policy_params",
    "policy_scope",
    "policy_scoped",
    "safe_redirect_target",
    "skip_authorization",
    "visible_attributes",
]
