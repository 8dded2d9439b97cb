"""gunicorn settings for Care Plan Lab, read from the environment:

    gunicorn -c app/gunicorn_conf.py 'app:create_app()'

CAREPLAN_BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (worker processes, default two per core and one more),
GUNICORN_THREADS (default 1: sync workers, the proxy in front buffers slow clients), GUNICORN_TIMEOUT (seconds,
default 30), LOG_LEVEL (default info), ACCESS_LOG (default "-", standard output; empty for none, as when the
proxy in front keeps the access log). Errors go to standard error."""
import multiprocessing
import os

bind = os.environ.get("CAREPLAN_BIND", "127.0.0.1:8000")
# gunicorn's own starting point, (2 × cores) + 1: a sync worker waits on the database for about a third of a
# request, and the one extra keeps a slow request (a login's password hash, a submission) from holding up the
# rest. Under benchmarks/load.py on two cores, 5 workers kept every page's p95 under 35 ms where 4 gave 46–57 ms.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A PDF is rendered in a child process that is stopped after PDF_RENDER_TIMEOUT seconds (app/plans/pdf.py); the
# worker waits for it, so that bound must end well before gunicorn would kill the worker itself.
if float(os.environ.get("PDF_RENDER_TIMEOUT", "20")) + 5 > timeout:
    raise RuntimeError("PDF_RENDER_TIMEOUT must be at least 5 s shorter than GUNICORN_TIMEOUT")
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so a slow leak in any library can never grow without bound.
max_requests = 5000
max_requests_jitter = 500

accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# The request line, status, size and the time taken in milliseconds (%(M)s); the client is the proxy's
# X-Forwarded-For when the app runs with CAREPLAN_PROXY_FIX=1.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_worker_init(worker):
    """Move everything loaded at start-up out of the garbage collector's way: full collections then only walk
    what requests create, which keeps the slowest requests closer to the typical ones. A page allocates tens of
    thousands of objects, so the youngest generation is collected every 20,000 allocations rather than every 700
    (about 5 % less CPU per page, measured on the plan editor); memory stays bounded by the same collections."""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
