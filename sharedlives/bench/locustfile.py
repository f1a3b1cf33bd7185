"""The load for one page, run by `manage.py bench` as its own process:

    locust -f sharedlives/bench/locustfile.py --headless --users 2 --host http://127.0.0.1:PORT --csv ...

with BENCH_PATH (the page), BENCH_NAME (its name in the table), BENCH_COOKIE
(a signed-in session) and BENCH_REQUESTS (how many requests in all). Each
simulated user asks for the page again as soon as it has the answer; after
BENCH_REQUESTS answers locust stops. Anything but a 200 counts as a failure
(a redirect to sign in would otherwise look fast)."""

import os

import gevent
from locust import FastHttpUser, events, stats, task

PATH = os.environ.get("BENCH_PATH", "/")
NAME = os.environ.get("BENCH_NAME", PATH)
COOKIE = os.environ.get("BENCH_COOKIE", "")
TOTAL = int(os.environ.get("BENCH_REQUESTS", "100"))

sent = 0
answered = 0


@events.request.add_listener
def _stop_after_the_last_answer(context, **kwargs):
    global answered
    answered += 1
    if answered == TOTAL:
        # Locust writes its CSV once a second, and not again as it quits:
        # wait for one more writing, so the file holds every answer.
        gevent.spawn_later(2 * stats.CSV_STATS_INTERVAL_SEC, context["runner"].quit)


class Visitor(FastHttpUser):
    def context(self):
        return {"runner": self.environment.runner}

    @task
    def open_page(self):
        global sent
        if sent >= TOTAL:
            gevent.sleep(1)  # the last answers are on their way; then locust quits
            return
        sent += 1
        with self.client.get(
            PATH, name=NAME, headers={"Cookie": COOKIE}, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
