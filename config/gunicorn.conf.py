"""Gunicorn settings of the web process (see the Procfile and docs/deployment.md).

Read from the environment so one file serves every machine:
  DESK_WEB_BIND          where to listen (default 127.0.0.1:8000: nginx is in front;
                         PORT set: 0.0.0.0:$PORT)
  WEB_CONCURRENCY        worker processes (default 2 x cores + 1, at most 8)
  GUNICORN_TIMEOUT       seconds before a stuck worker is replaced (default 30)
  PROMETHEUS_MULTIPROC_DIR  a directory (emptied at start) where every worker writes its
                         metrics, so /metrics counts them all; set it for production
  DESK_LOG_FORMAT        "json" makes gunicorn's own and the access log JSON lines too
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

# PORT (a platform's convention) listens on every interface; else the machine only.
bind = os.environ.get("DESK_WEB_BIND") or (
    f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
)
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (a slow leak never grows without bound); jitter spreads it.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The request id and the client's address (after ProxyFix) in every access line.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

if os.environ.get("DESK_LOG_FORMAT") == "json":
    from desk.observability import json_log_config

    logconfig_dict = json_log_config(os.environ.get("DESK_LOG_LEVEL", "INFO"))


def on_starting(_server: Any) -> None:
    """A fresh metrics directory: samples of a previous run's workers must not count."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(_server: Any, worker: Any) -> None:
    """A worker that is gone stops counting in the live gauges (prometheus_client's rule)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
