"""huey integration: authorized tasks whose user is re-checked in the worker.

This is the only part of Flask-Simple-Authorize that imports huey.
"""

from ..errors import JobArgumentError
from .after_commit import enqueue_after_commit
from .arguments import looks_secret
from .batch import BatchReport
from .batch import SkippedRecord
from .batch import huey_authorized_batch_task
from .binding import app_for
from .binding import bind_app
from .exceptions import JobDenied
from .exceptions import JobSkipped
from .exceptions import UnsignedQueueWarning
from .periodic import huey_authorized_periodic_task
from .signing import signed_serializer
from .task import huey_authorized_task

__all__ = [
    "BatchReport",
    "JobArgumentError",
    "JobDenied",
    "JobSkipped",
    "SkippedRecord",
    "UnsignedQueueWarning",
    "app_for",
    "bind_app",
    "enqueue_after_commit",
    "huey_authorized_batch_task",
    "huey_authorized_periodic_task",
    "huey_authorized_task",
    "looks_secret",
    "signed_serializer",
]
