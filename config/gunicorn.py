"""Gunicorn settings for both shops: `gunicorn --config config/gunicorn.py config.wsgi`
(or `before.wsgi`), as docker-compose.yml runs them.

Environment:
- PORT: where to listen, on every interface (default 8000). Compose keeps it the same
  inside the container as on the host, because the sandbox provider builds its pay
  page's address from the host and port the shop calls it on.
- GUNICORN_WORKERS: worker processes; empty or unset means 2 x the usable CPUs + 1, at
  most 8, so two shops, their Celery workers and the admin stay under PostgreSQL's
  default 100 connections (each thread may keep one open for DATABASE_CONN_MAX_AGE).
- GUNICORN_THREADS: threads per worker (default 4). Threads matter here: a checkout
  calls the sandbox provider mounted on this same server, and waits for its answer.
- GUNICORN_TIMEOUT: seconds a request may take before its worker is restarted (default
  30; provider calls time out well before that).
- GUNICORN_ACCESS_LOG: "off" for none (default on). The after version writes its own
  line per request (JSON, with the request id and duration), so compose turns gunicorn's
  off for it: one line per request, not two. The before version has only this one.
The access log goes to stdout, one line per request, ending with the request id.
"""

import os
import tempfile

MAX_DEFAULT_WORKERS = 8


def usable_cpus() -> int:
    count = getattr(os, "process_cpu_count", os.cpu_count)()  # 3.13 honours affinity
    return count or 1


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


port = env_int("PORT", 8000)
bind = [f"0.0.0.0:{port}"]
workers = env_int("GUNICORN_WORKERS", min(2 * usable_cpus() + 1, MAX_DEFAULT_WORKERS))
worker_class = "gthread"
threads = env_int("GUNICORN_THREADS", 4)
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 8  # within compose's 10 s stop timeout; requests are short
keepalive = 5
# Restart each worker now and then, so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file on tmpfs: a container's overlay filesystem can stall it.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own advice for containers
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# The control socket (`gunicornc`) one per port in the temporary folder: the default
# under $HOME is not writable for the image's user, and one path for two servers clashes.
control_socket = os.path.join(tempfile.gettempdir(), f"gunicorn-{port}.ctl")
accesslog = None if os.environ.get("GUNICORN_ACCESS_LOG", "").strip().lower() == "off" else "-"
errorlog = "-"
# The request id the app echoes (X-Request-ID; "-" where it sets none) ties each access
# line to the app's own JSON lines for the request.
access_log_format = '%(t)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'
