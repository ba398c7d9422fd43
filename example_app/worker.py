"""The consumer's entry point: ``huey_consumer example_app.worker.huey``.

Importing this module builds the app (same configuration as the web
process), which binds the queue to it and registers the tasks.
"""

from __future__ import annotations

from . import create_app
from .extensions import huey

app = create_app()

__all__ = ["app", "huey"]
