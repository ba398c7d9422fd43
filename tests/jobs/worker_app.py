"""What ``huey_consumer tests.jobs.worker_app.huey`` imports: the app, the huey, the tasks."""

from .worker_tasks import make_worker_from_env

worker = make_worker_from_env()
app = worker.app
huey = worker.huey
