"""The project package: settings, URLs, the API object, the Celery app, WSGI/ASGI.

It wires the apps together, so its wiring (`settings`, `urls`, `api`) imports them. The rest
is plumbing the apps use and that imports no app: `celery` (the Celery app and
`queue_on_commit`, which the directory's invitation emails go through), `client_ip`,
`body_limit`, `middleware` and `views` (the health check). An app importing that plumbing
is the one direction from an app to this package; tests/test_layering.py checks both.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
