"""gunicorn's settings: threaded workers, so a long CSV export never blocks the worker."""

from clockify.capacity import web_workers

# gthread: each request has its own thread, and a streamed export is not killed mid-file by
# the worker timeout (which only watches the worker's heartbeat).
worker_class = "gthread"
# The settings size each worker's database pools from this same number (clockify/capacity.py).
workers = web_workers()
threads = 8
timeout = 30
graceful_timeout = 30
