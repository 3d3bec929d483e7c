"""A small Celery app for tests that start real workers (CeleryWorker.cs).

Everything a test must keep apart from other tests on the same broker comes from the environment: the broker URL,
the control namespace (Celery's control_exchange: commands on {ns}.pidbox, replies on reply.{ns}.pidbox) and the
default queue. Debian's python3-celery runs it: /usr/bin/python3 -m celery -A celery_app worker ...
"""
import os
import time

from celery import Celery

app = Celery("celery_app", broker=os.environ["CELERY_TEST_BROKER"])
app.conf.update(
    control_exchange=os.environ.get("CELERY_TEST_CONTROL", "celery"),
    task_default_queue=os.environ.get("CELERY_TEST_QUEUE", "celery"),
    broker_connection_retry_on_startup=True,
    worker_prefetch_multiplier=1,
)


@app.task
def add(x, y):
    return x + y


@app.task
def sleep(seconds):
    time.sleep(seconds)
    return seconds
