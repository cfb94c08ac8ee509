"""Importing this module registers every job function in `app.kit.queue.JOBS`."""

from app.api.oauth import tasks as oauth_tasks
from app.api.richmenu import tasks as richmenu_tasks
from app.control.manager import tasks as manager_tasks
from app.delivery import tasks as delivery_tasks
from app.kit.queue import JOBS
from app.webhook import dispatch as webhook_tasks

__all__ = [
    "JOBS",
    "delivery_tasks",
    "manager_tasks",
    "oauth_tasks",
    "richmenu_tasks",
    "webhook_tasks",
]
