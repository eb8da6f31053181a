"""gunicorn's settings: threaded workers, so a long CSV export never blocks the worker."""

import multiprocessing

# gthread: each request has its own thread, and a streamed export is not killed mid-file by
# the worker timeout (which only watches the worker's heartbeat).
worker_class = "gthread"
workers = min(multiprocessing.cpu_count() * 2 + 1, 9)
threads = 8
timeout = 30
graceful_timeout = 30
