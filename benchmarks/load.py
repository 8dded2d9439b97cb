"""A class at work: 100 students and 10 instructors against gunicorn on PostgreSQL, then the app's throughput
against a yardstick, TechEmpower's "Fortunes" page on the same stack.

    .venv/bin/python benchmarks/load.py [--duration 180] [--quick] [--saturate 10] [--rounds 4] [--concurrency 32]
                                        [--workers N] [--threads 1] [--students 100] [--instructors 10]
                                        [--writers 100] [--reviews 50] [--database-url URL]

1. Fills the database `bench` (schema by the migrations): one cohort, one assignment on the shipped Anna case,
   100 students with passwords and a plan started earlier, 10 instructors. A second cohort, for the saturation
   runs: 100 students with a draft each (`--writers`), 50 more whose plans will be reviewed (`--reviews`) and 10
   instructors. Beside them, the tables of `fortunes_app.py` (twelve fortunes, one account).
2. Serves Care Plan Lab with gunicorn (CAREPLAN_ENV=production, so passwords are hashed and checked as in
   production, settings of app/gunicorn_conf.py without an access log).
3. From a separate process (an asyncio client, aiohttp), drives the class for `--duration` seconds (default 180).
   People arrive over the first minute (`--ramp`) and sign in; every login costs a production-strength scrypt
   hash. Each student then opens the plan, autosaves every second or two with the current save token, now and
   then reloads the page, and submits once near the end; each instructor watches the review queue, claims a
   submitted plan, opens the review, saves it twice and releases it.
4. Prepares the second cohort through the app's own pages: every student signs in; the 50 submit their plans, the
   instructors claim them in turn (5 each) and save a first assessment, which starts each review.
5. Saturates six targets with wrk (the Debian package `wrk`, installed when missing and run as root), each for
   `--saturate` seconds (default 10) from `--concurrency` connections, one per wrk thread (default 32):
   - the plan page, GET /plans/<id>, each request a student's own draft with that student's session, in turn
     over all the writers' plans;
   - the review page, GET /plans/<id>/review, each plan opened by the instructor reviewing it;
   - autosave, POST /plans/<id>/draft with JSON {"save_token": n, "content": {…}} and the X-CSRFToken header:
     each wrk thread is one student saving their own plan, each save carrying the token the previous one answered
     (a stale token would answer 409, counted as an error);
   - Fortunes, GET /fortunes of `fortunes_app.py`, signed in, served by gunicorn with exactly the same settings;
   - beside it, as the yardstick of what any save costs on this stack, the Fortunes save: POST /drafts/<n> of
     `fortunes_app.py`, the same bodies and tokens as autosave, each saved whole in one conditional UPDATE
     without any of the app's work (no checking, cleaning or access rules), by the same gunicorn settings;
     and the same of one sentence instead of the plan (its own texts), the least any save can carry.
   Only one server runs at a time. The six are measured in turn over `--rounds` rounds (default 4), in the order
   app, Fortunes, Fortunes, app, … so that the machine's drifting speed weighs on all alike; a server just
   started gets a warm-up run per target first. Before every run one sample request checks that the page answers
   200 as the signed-in person (the editor, the review form, the fortunes), and the run stops loudly otherwise;
   each run counts every answer that is not 200 (409s apart) and wrk's socket errors.

`--quick` is a smoke run of about a minute: 20 s of class, 8 connections, 8 writers, 5 reviews, one round of 5 s
per target.

Prints requests per second, the number of requests, p50 / p95 / p99 latency per kind of request and errors for
the class; per target and round the requests per second, their median and overall rate, and each app target's
rate as a share of Fortunes; for reference, the Fortunes saves' as a share of Fortunes and autosave's as a share of
the Fortunes save. The last line is one JSON object with every figure. Targets: no errors; under the
class load p95 <= 50 ms for pages and <= 30 ms for autosave; saturated, the plan page >= 0.6 × Fortunes, the
review page >= 0.5 × Fortunes, autosave >= 1.0 × Fortunes."""
from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _server import ROOT, Server, Session, database_url, fresh_app, percentile

PASSWORD = "a class benchmark password"
PAGE_TARGET_MS, AUTOSAVE_TARGET_MS = 50, 30
# Saturated throughput as a share of the Fortunes yardstick's, at least.
SHARE_TARGETS = {"plan page": 0.6, "review page": 0.5, "autosave": 1.0}
# The kinds of request; GET kinds are pages (the 50 ms target), autosave has its own target; the other posts
# (login hashes a password on purpose, submit freezes a version and checks its language) are reported as they are.
PAGES = ("login page", "home", "plan page", "submit page", "history page", "queue", "review page")
POSTS = ("login", "autosave", "submit", "claim", "review save", "release")
TARGETS = ("fortunes", "fortunes save", "fortunes sentence", "plan page", "review page", "autosave")
LABELS = {"fortunes": "Fortunes", "fortunes save": "Fortunes save", "fortunes sentence": "Fortunes save of a sentence",
          "plan page": "plan page", "review page": "review page", "autosave": "autosave"}
WIDTH = max(len(label) for label in LABELS.values())  # of the targets' column in the report
# The targets that post a body with the save token the previous save answered.
SAVES = ("fortunes save", "fortunes sentence", "autosave")
# What the Fortunes save of a sentence saves: the least any save can carry.
ONE_SENTENCE = {"sections": {"goals": "Anna wants a flat of her own near her daughter."}}
FORTUNES_EMAIL = "reader@bench.example.org"
# Every sign-in and every saturating request says the same, so that Flask-Login's session protection (which
# compares the browser of each request with the one that signed in) sees one browser throughout.
USER_AGENT = "careplan-bench/1.0"


# --- the database -----------------------------------------------------------------------------------------

def plan_text(words: int, round_: int) -> dict:
    """A plan of about `words` words that changes a little with every save, as it does while someone types."""
    from autosave import plan_of

    return plan_of(words, round_)


def fill(url: str, students: int, instructors: int, writers: int, reviews: int) -> dict:
    app = fresh_app(url)
    from config import ProductionConfig

    with app.app_context():
        from werkzeug.security import generate_password_hash

        from app.auth.models import User
        from app.cohorts.models import Role
        from app.db import db
        from app.plans import services as plans
        from tests.factories import AssignmentFactory, CohortFactory, import_shipped_content, member

        import_shipped_content()

        def students_of(assignment, cohort, prefix: str, count: int) -> list[dict]:
            people = []
            for n in range(1, count + 1):
                user = member(cohort, Role.student, email=f"{prefix}{n}@bench.example.org",
                              name=f"{prefix.title()} {n}")
                plan = plans.start_plan(assignment, user)
                db.session.flush()
                plans.save_draft(plan, user, plan.save_token, plan_text(1200, 0))
                people.append({"email": user.email, "plan_id": plan.id})
            return people

        def instructors_of(cohort, prefix: str, count: int) -> list[dict]:
            return [{"email": member(cohort, Role.instructor, email=f"{prefix}{n}@bench.example.org",
                                     name=f"{prefix.title()} {n}").email} for n in range(1, count + 1)]

        cohort = CohortFactory(name="Medicine, class of 2027")
        assignment = AssignmentFactory(cohort=cohort, title="Individual care plan for Anna")
        people = {"students": students_of(assignment, cohort, "student", students),
                  "instructors": instructors_of(cohort, "instructor", instructors)}
        # The saturation runs' people, in a cohort of their own: the class's instructors never see their plans.
        cohort = CohortFactory(name="Nursing, class of 2028")
        assignment = AssignmentFactory(cohort=cohort, title="Individual care plan for Anna")
        people.update(writers=students_of(assignment, cohort, "writer", writers),
                      authors=students_of(assignment, cohort, "author", reviews),
                      reviewers=instructors_of(cohort, "reviewer", instructors))
        # One production-strength hash for everyone (salted once; fine for a benchmark, and hundreds of times
        # faster); each account was made with the testing configuration's cheap hash.
        db.session.execute(db.update(User).values(
            password_hash=generate_password_hash(PASSWORD, method=ProductionConfig.PASSWORD_HASH_METHOD)))
        db.session.commit()
        rubric = assignment.rubric_version
        people["criteria"], people["levels"] = rubric.criterion_keys(), rubric.level_keys()
        db.session.remove()
        db.engine.dispose()
    from fortunes_app import fill as fill_fortunes

    fill_fortunes(url, FORTUNES_EMAIL, PASSWORD)
    return people


def wait_until_healthy(port: int, path: str = "/healthz", seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} did not answer {path}")


# --- the CPU ------------------------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int, server: str = "app", client_pid: int | None = None,
                 database: str = "bench") -> tuple[int, int, dict]:
    """(all jiffies, busy jiffies, jiffies by part of this benchmark: the server's gunicorn (master and workers),
    PostgreSQL's backends serving `database` (not those of the other work on the same PostgreSQL server), the
    client process when given)."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:9]]
    total, idle = sum(values), values[3] + values[4]
    parts = {server: 0, "postgres": 0, "client": 0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                raw = handle.read()
        except OSError:
            continue
        comm, rest = raw[raw.index("(") + 1:raw.rindex(")")], raw[raw.rindex(")") + 2:].split()
        pid, ppid = int(entry), int(rest[1])
        part = ("client" if pid == client_pid else "postgres" if comm == "postgres" and serves(pid, database)
                else server if server_pid in (pid, ppid) else None)
        if part:
            parts[part] += int(rest[11]) + int(rest[12])
    return total, total - idle, parts


def serves(pid: int, database: str) -> bool:
    """Whether a PostgreSQL process is a backend connected to `database` ("postgres: 15/main: user db host …")."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            title = handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return database in title.rsplit(": ", 1)[-1].split()[1:2]


def cpu_use(before: tuple, after: tuple) -> dict:
    """Shares of the machine's CPU during a phase (1.0 = every core busy): all busy, this benchmark and each of its
    parts, everything else on the machine."""
    total = max(after[0] - before[0], 1)
    parts = {name: round((after[2][name] - before[2][name]) / total, 3) for name in after[2]}
    busy, ours = (after[1] - before[1]) / total, sum(parts.values())
    return {"busy": round(busy, 3), "benchmark": round(min(ours, busy), 3), "other": round(max(busy - ours, 0), 3),
            "parts": parts}


# --- the class (runs in its own process) --------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.latency: dict[str, list[float]] = {}
        self.started: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []

    def record(self, kind: str, ms: float, ok: bool, note: str = "") -> None:
        self.latency.setdefault(kind, []).append(ms)
        self.started.setdefault(kind, []).append(time.monotonic() - ms / 1000)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.samples) < 20:
                self.samples.append(f"{kind}: {note}")

    def summary(self, since: float | None = None) -> dict:
        """Figures per kind of request; with `since`, only the requests started from then on."""
        kinds = {}
        for kind, every in sorted(self.latency.items()):
            values = [ms for ms, at in zip(every, self.started[kind]) if since is None or at >= since]
            if not values:
                continue
            kinds[kind] = {"count": len(values), "errors": self.errors.get(kind, 0) if since is None else None,
                           "p50_ms": round(percentile(values, 0.50), 1), "p95_ms": round(percentile(values, 0.95), 1),
                           "p99_ms": round(percentile(values, 0.99), 1), "max_ms": round(max(values), 1)}
        return kinds


CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
SAVE_TOKEN = re.compile(r'name="save_token" value="(\d+)"')
CLAIM = re.compile(r'action="/plans/(\d+)/claim"')


class Browser:
    """One person's browser: one keep-alive connection, its cookies and its CSRF token."""

    def __init__(self, aiohttp, base: str, stats: Stats):
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1), cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=30))
        self.base, self.stats, self.cookies, self.csrf = base, stats, {}, ""

    async def close(self):
        await self.http.close()

    async def send(self, kind: str, method: str, path: str, *, expect: int = 200, **kwargs) -> tuple[int, str]:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            async with self.http.request(method, self.base + path, headers=headers, allow_redirects=False,
                                         **kwargs) as response:
                body = await response.text()
                status = response.status
                for cookie in response.headers.getall("Set-Cookie", []):
                    name, _, rest = cookie.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
        except Exception as exc:  # a timeout or a dropped connection is an error like a 5xx
            self.stats.record(kind, (time.perf_counter() - started) * 1000, False, f"{path} {exc!r}")
            return 0, ""
        self.stats.record(kind, (time.perf_counter() - started) * 1000, status == expect,
                          f"{method} {path} -> {status}")
        if "text/html" in response.headers.get("Content-Type", ""):
            match = CSRF.search(body)
            if match:
                self.csrf = match.group(1)
        return status, body

    async def get(self, kind: str, path: str) -> tuple[int, str]:
        return await self.send(kind, "GET", path)

    async def post_form(self, kind: str, path: str, fields: dict, expect: int = 302) -> tuple[int, str]:
        return await self.send(kind, "POST", path, data=dict(fields, csrf_token=self.csrf), expect=expect)

    async def post_json(self, kind: str, path: str, payload: dict) -> tuple[int, str]:
        return await self.send(kind, "POST", path, data=json.dumps(payload),
                               headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf})

    async def login(self, email: str) -> None:
        await self.get("login page", "/login")
        await self.post_form("login", "/login", {"email": email, "password": PASSWORD, "next": ""})
        await self.get("home", "/")


async def pause(low: float, high: float, until: float) -> bool:
    """Think for a while; False when the phase ends first."""
    delay = random.uniform(low, high)
    if time.monotonic() + delay >= until:
        await asyncio.sleep(max(0.0, until - time.monotonic()))
        return False
    await asyncio.sleep(delay)
    return True


async def student(aiohttp, cfg, who: dict, stats: Stats, start: float, end: float, browsers: list):
    await asyncio.sleep(random.uniform(0, cfg["ramp"]))
    me = Browser(aiohttp, cfg["base"], stats)
    browsers.append((me, who))
    plan = f"/plans/{who['plan_id']}"
    await me.login(who["email"])

    async def open_plan() -> int | None:
        _, body = await me.get("plan page", plan)
        match = SAVE_TOKEN.search(body)
        return int(match.group(1)) if match else None

    token = await open_plan()
    submit_at = start + random.uniform(0.65, 0.90) * (end - start)
    saves = 0
    while await pause(cfg["think_low"], cfg["think_high"], submit_at):
        saves += 1
        status, body = await me.post_json("autosave", f"{plan}/draft",
                                          {"save_token": token, "content": plan_text(1200, saves)})
        if status == 200:
            token = json.loads(body)["save_token"]
        if saves % 15 == 0:  # the student reloads the page now and then
            token = await open_plan() or token
    if time.monotonic() < end - 2:
        await me.get("submit page", f"{plan}/submit")
        if await pause(1, 3, end):
            await me.post_form("submit", f"{plan}/submit", {"confirmed": "yes", "save_token": token})
            await me.get("history page", f"{plan}/history")
    while await pause(10, 20, end):  # looks in for the feedback
        await me.get("plan page", plan)


async def instructor(aiohttp, cfg, index: int, who: dict, stats: Stats, end: float, browsers: list):
    await asyncio.sleep(random.uniform(0, cfg["ramp"]))
    me = Browser(aiohttp, cfg["base"], stats)
    browsers.append((me, who))
    await me.login(who["email"])
    fields = {f"level-{key}": random.choice(cfg["levels"]) for key in cfg["criteria"]}
    fields.update({f"comment-{key}": "Written with Anna's own words; add a date to each measure."
                   for key in cfg["criteria"]})
    fields["overall"] = "You listened to what matters to Anna. Next: who does what, by when."
    count = len(cfg["instructors"])
    while time.monotonic() < end - 1:
        _, body = await me.get("queue", "/reviews")
        # Each instructor takes the plans that fall to them, so two never race for one (the race tests do that).
        mine = [int(p) for p in CLAIM.findall(body) if int(p) % count == index]
        if not mine:
            if not await pause(2, 5, end):
                break
            continue
        plan = f"/plans/{mine[0]}"
        await me.post_form("claim", f"{plan}/claim", {})
        await me.get("review page", f"{plan}/review")
        for _ in range(2):
            if not await pause(1, 2.5, end):
                return
            await me.post_form("review save", f"{plan}/review", fields)
            await me.get("review page", f"{plan}/review")
        if not await pause(0.5, 1.5, end):
            return
        await me.post_form("release", f"{plan}/release", {"confirmed": "yes"})


async def client(cfg: dict) -> dict:
    import aiohttp

    random.seed(cfg["seed"])
    stats, browsers = Stats(), []
    cpu = {"before": cpu_snapshot(cfg["server_pid"], client_pid=os.getpid(), database=cfg["database_name"])}
    start = time.monotonic()
    end = start + cfg["duration"]
    tasks = [student(aiohttp, cfg, who, stats, start, end, browsers) for who in cfg["students"]]
    tasks += [instructor(aiohttp, cfg, i, who, stats, end, browsers) for i, who in enumerate(cfg["instructors"])]
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    cpu["class"] = cpu_snapshot(cfg["server_pid"], client_pid=os.getpid(), database=cfg["database_name"])
    for browser, _ in browsers:
        await browser.close()
    total = sum(len(v) for v in stats.latency.values())
    return {"class": {"seconds": round(elapsed, 1), "requests": total, "rps": round(total / elapsed, 1),
                      "errors": sum(stats.errors.values()), "error_samples": stats.samples,
                      "kinds": stats.summary(), "cpu": cpu_use(cpu["before"], cpu["class"]),
                      # after everyone has arrived and signed in (the logins' password hashing is over)
                      "after_arrival": stats.summary(since=start + cfg["ramp"] + 5)}}


# --- the saturation runs' people, prepared through the app's pages ------------------------------------------

SAVE_TOKEN_JSON = re.compile(r'"save_token"\s*:\s*(\d+)')
SAVE_TOKEN_FIELD = re.compile(r'name="save_token" value="(\d+)"')


class Visitor(Session):
    """A signed-in browser (`_server.Session`) that names itself as the saturating client does."""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        return super().request(method, path, body, {"User-Agent": USER_AGENT, **(headers or {})})

    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def fetch(port: int, method: str, path: str, cookie: str, body: bytes | None = None,
          headers: dict | None = None) -> tuple[int, dict, str]:
    """One request as wrk sends it (the session cookie, the same User-Agent), redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Cookie": cookie, "User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        conn.close()


def expect(done: bool, what: str, status, body: str = "") -> None:
    if not done:
        raise SystemExit(f"Preparing the saturation runs failed: {what} answered {status} "
                         f"{' '.join(body.split())[:300]!r}")


def prepare(port: int, people: dict) -> dict:
    """Signs everyone in and brings the plans to review into review, through the app's own forms. Answers the
    identities each target is saturated with: {target: [{"path", "cookie", …}]}. Four at a time (the server's
    workers hash each password with scrypt)."""
    rng = random.Random(11)

    def sign_in(who: dict) -> Visitor:
        visitor = Visitor(port)
        visitor.login(who["email"], PASSWORD)
        return visitor

    def writer(who: dict) -> dict:
        visitor = sign_in(who)
        path = f"/plans/{who['plan_id']}"
        status, body = visitor.get(path)
        expect(status == 200 and b'name="save_token"' in body, f"{who['email']}'s plan page", status, body.decode())
        return {"path": path, "cookie": visitor.cookie(), "csrf": visitor.csrf}

    def author(who: dict) -> None:
        visitor = sign_in(who)
        path = f"/plans/{who['plan_id']}"
        status, body = visitor.get(path)
        token = re.search(rb'name="save_token" value="(\d+)"', body)
        expect(status == 200 and token is not None, f"{who['email']}'s plan page", status, body.decode())
        status, body = visitor.get(f"{path}/submit")
        expect(status == 200, f"{who['email']}'s submit page", status, body.decode())
        status, body = visitor.post_form(f"{path}/submit", {"confirmed": "yes", "save_token": token.group(1).decode()})
        expect(status == 302, f"{who['email']}'s submission", status, body.decode())

    def reviewer(index: int) -> list[dict]:
        who, count = people["reviewers"][index], len(people["reviewers"])
        mine = [plan for n, plan in enumerate(people["authors"]) if n % count == index]
        if not mine:
            return []
        fields = {f"level-{key}": rng.choice(people["levels"]) for key in people["criteria"]}
        fields.update({f"comment-{key}": "Written with Anna's own words; add a date to each measure."
                       for key in people["criteria"]})
        fields["overall"] = "You listened to what matters to Anna. Next: who does what, by when."
        visitor = sign_in(who)
        for plan in mine:
            path = f"/plans/{plan['plan_id']}"
            status, body = visitor.post_form(f"{path}/claim", {})
            expect(status == 302, f"{who['email']} claiming {path}", status, body.decode())
            visitor.get(f"{path}/review")
            status, body = visitor.post_form(f"{path}/review", fields)  # the first save starts the review
            expect(status == 302, f"{who['email']} saving the review of {path}", status, body.decode())
            visitor.get(f"{path}/review")  # shows (and so takes out of the session) the message "saved"
        # The session as it is at the end, no message waiting in it, for every plan this instructor reviews.
        return [{"path": f"/plans/{plan['plan_id']}/review", "cookie": visitor.cookie()} for plan in mine]

    with ThreadPoolExecutor(4) as pool:
        writers = list(pool.map(writer, people["writers"]))
        list(pool.map(author, people["authors"]))
        reviews = [each for found in pool.map(reviewer, range(len(people["reviewers"]))) for each in found]
    plans = [{"path": w["path"], "cookie": w["cookie"]} for w in writers]
    saves = [{"path": f"{w['path']}/draft", "cookie": w["cookie"], "csrf": w["csrf"], "plan": w["path"]}
             for w in writers]
    rng.shuffle(plans)
    rng.shuffle(reviews)
    return {"plan page": plans, "review page": reviews, "autosave": saves}


def sign_in_fortunes(port: int) -> tuple[list[dict], str]:
    """The Fortunes reader signed in: the page's identities, and the CSRF token their saves send."""
    visitor = Visitor(port)
    status, body = visitor.get("/login")
    expect(status == 200, "the Fortunes sign-in page", status, body.decode())
    status, body = visitor.post_form("/login", {"email": FORTUNES_EMAIL, "password": PASSWORD})
    expect(status == 302, "the Fortunes sign-in", status, body.decode())
    status, body = visitor.get("/fortunes")  # its CSRF token
    expect(status == 200 and bool(visitor.csrf), "the Fortunes page", status, body.decode())
    return [{"path": "/fortunes", "cookie": visitor.cookie()}], visitor.csrf


def fortunes_savers(cookie: str, csrf: str, connections: int, first: int = 1) -> list[dict]:
    """The Fortunes reader saving one of their texts (`fortunes_app.fill`) per connection, from number `first`."""
    return [{"path": f"/drafts/{n}", "plan": f"/drafts/{n}", "cookie": cookie, "csrf": csrf}
            for n in range(first, first + connections)]


# --- saturation with wrk ------------------------------------------------------------------------------------

def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("The saturation runs need wrk, a load generator that is not the bottleneck. Install the "
                         "Debian package as root (apt-get install wrk), or run this benchmark as root, which "
                         "installs it.")
    print("wrk is missing: installing the Debian package wrk (apt-get update, apt-get install wrk) …", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            raise SystemExit(f"Installing wrk failed ({' '.join(command)}); install it by hand: apt-get install wrk")
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get installed wrk, but it is not on PATH")
    return found


def lua_string(value: str) -> str:
    if "]==]" in value or "\n" in value:
        raise ValueError(f"cannot quote {value[:40]!r} for Lua")
    return f"[==[{value}]==]"


# One script for every target. Thread k is the browser of the k-th person, the k+threads-th, … (of one person
# shared with other threads only when there are fewer people than threads). GET targets: each thread opens its
# people's pages in turn. Autosave: thread k is the k-th student and carries the save token each answer gives to
# the next save. Every answer other than 200 is counted (409 apart); a re-issued session cookie is kept, as a
# browser keeps it.
LUA = r"""
local identities = {IDENTITIES}
local bodies = {BODIES}
local tokens = {TOKENS}
local nthreads = {THREADS}
local threads = {}

local function cookie_header(cookies)
  local parts = {}
  for name, value in pairs(cookies) do parts[#parts + 1] = name .. "=" .. value end
  return table.concat(parts, "; ")
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  step, ok, bad, conflicts, first_bad, current = 0, 0, 0, 0, 0, nil
  mine = {}
  for i, me in ipairs(identities) do
    if (i - 1) % nthreads == tid - 1 then mine[#mine + 1] = me end
  end
  if #mine == 0 then mine[1] = identities[(tid - 1) % #identities + 1] end
  for _, me in ipairs(mine) do me.headers["Cookie"] = cookie_header(me.cookies) end
  if tokens then token = tokens[tid] end
end

function request()
  step = step + 1
  if bodies then
    current = mine[1]
    local body = '{"save_token": ' .. token .. ', "content": ' .. bodies[step % #bodies + 1] .. '}'
    return wrk.format("POST", current.path, current.headers, body)
  end
  current = mine[(step - 1) % #mine + 1]
  return wrk.format("GET", current.path, current.headers)
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    if bodies then
      local new = string.match(body, '"save_token"%s*:%s*(%d+)')
      if new then token = new else bad = bad + 1 end
    end
  else
    bad = bad + 1
    if status == 409 then conflicts = conflicts + 1 end
    if first_bad == 0 then first_bad = status end
  end
  local set = headers["Set-Cookie"] or headers["set-cookie"]
  if set and current then
    local name, value = string.match(set, "^%s*([^=;%s]+)=([^;]*)")
    if name and current.cookies[name] then
      current.cookies[name] = value
      current.headers["Cookie"] = cookie_header(current.cookies)
    end
  end
end

function done(summary, latency, requests)
  local o, b, c, s = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("bad")
    c = c + t:get("conflicts")
    if s == 0 then s = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "ok": %d, "non_200": %d, "conflicts": %d, '
    .. '"first_non_200": %d, "connect": %d, "read": %d, "write": %d, "non_2xx_3xx": %d, "timeout": %d, '
    .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration, o, b, c, s, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def wrk_script(identities: list[dict], threads: int, bodies: list[str] | None = None,
               tokens: list[int] | None = None) -> str:
    def identity(me: dict) -> str:
        cookies = dict(part.split("=", 1) for part in me["cookie"].split("; ") if "=" in part)
        headers = {"User-Agent": USER_AGENT}
        if "csrf" in me:
            headers.update({"Content-Type": "application/json", "X-CSRFToken": me["csrf"]})
        cookie_table = ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in cookies.items())
        header_table = ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items())
        return f"{{path = {lua_string(me['path'])}, cookies = {{{cookie_table}}}, headers = {{{header_table}}}}}"

    return (LUA.replace("{IDENTITIES}", "{\n  " + ",\n  ".join(identity(me) for me in identities) + "\n}")
            .replace("{BODIES}", "{" + ", ".join(lua_string(b) for b in bodies) + "}" if bodies else "nil")
            .replace("{TOKENS}", "{" + ", ".join(str(t) for t in tokens) + "}" if tokens else "nil")
            .replace("{THREADS}", str(threads)))


class Servers:
    """Care Plan Lab and the Fortunes app under the same gunicorn settings, never both at once."""

    def __init__(self, url: str, conf: dict, envs: dict[str, dict], targets: dict[str, str]):
        self.url, self.conf, self.envs, self.targets = url, conf, envs, targets
        self.database = url.rsplit("/", 1)[-1].split("?")[0]
        self.name, self.server, self.started, self.cold = None, None, 0, False

    def use(self, name: str) -> tuple[Server, bool]:
        """The server `name`, started when it is not the one running (the other one stopped first); and whether
        it was just started (its targets need a warm-up)."""
        if self.name != name:
            self.stop()
            self.server = Server(self.url, target=self.targets[name], env=self.envs[name], **self.conf)
            self.name, self.cold = name, True
            self.started += 1
            wait_until_healthy(self.server.port)
        cold, self.cold = self.cold, False
        return self.server, cold

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.name, self.server = None, None


class Saturation:
    def __init__(self, wrk: str, servers: Servers, identities: dict, connections: int, workdir: str):
        self.wrk, self.servers, self.connections, self.workdir = wrk, servers, connections, workdir
        # Autosave: one student per connection.
        self.identities = dict(identities, autosave=identities["autosave"][:connections])
        # Autosave bodies, as JSON fragments: four versions of a 1,200-word plan, saved in turn.
        self.bodies = [json.dumps(plan_text(1200, n)) for n in range(1, 5)]
        self.sentence = [json.dumps(ONE_SENTENCE)]

    @staticmethod
    def server_of(target: str) -> str:
        return "fortunes" if target.startswith("fortunes") else "app"

    def check(self, target: str, port: int) -> list[int] | None:
        """One sample request as the saturating client makes it: the page must answer 200 to the signed-in person
        (not a redirect to the sign-in page, not a 403). For autosave, every saving student's current token, read
        from their plan page (a save cut off when the last run stopped may have counted it up), and one save."""
        people = self.identities[target]
        if target in SAVES:
            tokens = []
            for me in people:
                status, _, body = fetch(port, "GET", me["plan"], me["cookie"])
                token = (SAVE_TOKEN_FIELD if target == "autosave" else SAVE_TOKEN_JSON).search(body)
                self.verify(target, status == 200 and token is not None, f"GET {me['plan']}", status, body)
                tokens.append(int(token.group(1)))
            me = people[0]
            status, _, body = fetch(port, "POST", me["path"], me["cookie"],
                                    json.dumps({"save_token": tokens[0], "content": ONE_SENTENCE if target
                                                == "fortunes sentence" else plan_text(1200, 0)}).encode(),
                                    {"Content-Type": "application/json", "X-CSRFToken": me["csrf"]})
            saved = SAVE_TOKEN_JSON.search(body)
            self.verify(target, status == 200 and saved is not None, f"POST {me['path']}", status, body)
            tokens[0] = int(saved.group(1))
            return tokens
        me = random.choice(people)
        status, headers, body = fetch(port, "GET", me["path"], me["cookie"])
        marker = {"fortunes": "Additional fortune added at request time.", "plan page": 'name="save_token"',
                  "review page": 'id="anchor-form"'}[target]
        good = status == 200 and marker in body and 'name="csrf-token"' in body
        if target == "fortunes":  # twelve rows and the one added, escaped
            good = good and body.count("<tr><td>") == 13 and "&lt;script&gt;" in body and "<script>" not in body
        self.verify(target, good, f"GET {me['path']}", status, body)
        return None

    @staticmethod
    def verify(target: str, good: bool, what: str, status: int, body: str) -> None:
        if not good:
            raise SystemExit(f"The {LABELS[target]} does not answer as it should before saturating it: {what} -> "
                             f"{status} {' '.join(body.split())[:300]!r}")

    def refresh(self, target: str, port: int) -> None:
        """Each person's session cookie as their browser holds it: the app re-issues it at most once a minute
        (SESSION_REFRESH_AFTER) and a browser keeps the new one at once, so that a cookie signed in minutes ago,
        sent again and again, would have it re-issued on every request. A cheap request with each cookie takes in
        any newer one before each run (and wrk's threads keep whatever is re-issued during a run)."""
        for me in self.identities[target]:
            status, headers, body = fetch(port, "GET", "/healthz", me["cookie"])
            self.verify(target, status == 200, "GET /healthz", status, body)
            issued = headers.get("set-cookie", "")
            name, _, value = issued.split(";", 1)[0].partition("=")
            if name and value:
                cookies = dict(part.split("=", 1) for part in me["cookie"].split("; ") if "=" in part)
                cookies[name.strip()] = value
                me["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())

    def run(self, target: str, seconds: int) -> dict:
        """One wrk run against `target`, its sample checked first: requests per second, latencies, the answers
        that were not 200, wrk's socket errors, and the CPU taken meanwhile."""
        server = self.servers.server
        if target.startswith("fortunes") and "fortunes" not in self.identities:
            readers, csrf = sign_in_fortunes(server.port)
            cookie, count = readers[0]["cookie"], self.connections
            self.identities.update({"fortunes": readers, "fortunes save": fortunes_savers(cookie, csrf, count),
                                    "fortunes sentence": fortunes_savers(cookie, csrf, count, first=count + 1)})
        self.refresh(target, server.port)
        tokens = self.check(target, server.port)
        people = self.identities[target]
        script = Path(self.workdir) / f"{target.replace(' ', '_')}.lua"
        bodies = (self.sentence if target == "fortunes sentence" else self.bodies) if tokens else None
        script.write_text(wrk_script(people, self.connections, bodies, tokens))
        command = [self.wrk, "-t", str(self.connections), "-c", str(self.connections), "-d", f"{seconds}s",
                   "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{server.port}"]
        pid, database = server.process.pid, self.servers.database
        before, children = cpu_snapshot(pid, "server", database=database), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True)
        after, children_after = cpu_snapshot(pid, "server", database=database), resource.getrusage(resource.RUSAGE_CHILDREN)
        lines = [line for line in done.stdout.splitlines() if line.startswith("WRK ")]
        if done.returncode != 0 or not lines:
            raise SystemExit(f"wrk failed ({done.returncode}): {(done.stderr.strip() or done.stdout.strip())[:2000]}")
        found = json.loads(lines[-1][4:])
        # wrk's own CPU: it is a child of this process, counted once it has been waited for.
        wrk_ticks = round((children_after.ru_utime + children_after.ru_stime
                           - children.ru_utime - children.ru_stime) * TICKS)
        after[2]["client"] = before[2]["client"] + wrk_ticks
        found["seconds"] = found["duration_us"] / 1e6
        found["rps"] = round(found["requests"] / found["seconds"], 1)
        found["socket_errors"] = found["connect"] + found["read"] + found["write"] + found["timeout"]
        found["cpu"] = cpu_use(before, after)
        # CPU per request of the server and its database: unlike the throughput, hardly moved by the machine's
        # other work (as long as it leaves the server some cores' worth).
        ticks = sum(after[2][part] - before[2][part] for part in ("server", "postgres"))
        found["cpu_ms_per_request"] = round(ticks / TICKS * 1000 / max(found["requests"], 1), 2)
        return found

    def measure(self, rounds: int, seconds: int, warm: int, report=print) -> dict:
        """Every target `rounds` times, app and Fortunes in the order ABBA…; a run of `warm` seconds, not counted,
        for each target of a server just started."""
        app_targets = [t for t in TARGETS if self.server_of(t) == "app"]
        yardsticks = [t for t in TARGETS if self.server_of(t) == "fortunes"]
        runs = {target: [] for target in TARGETS}
        order = []
        for round_ in range(rounds):
            sequence = app_targets + yardsticks if round_ % 2 == 0 else yardsticks + app_targets
            order.append(sequence)
            for target in sequence:
                server = self.server_of(target)
                if self.servers.use(server)[1]:  # just started: each of its targets once, not counted
                    for each in (t for t in TARGETS if self.server_of(t) == server):
                        warmed = self.run(each, warm)
                        if warmed["non_200"] or warmed["socket_errors"]:
                            raise SystemExit(f"The {LABELS[each]} failed while warming up: {warmed}")
                found = self.run(target, seconds)
                runs[target].append(found)
                report(f"  round {round_ + 1}: {LABELS[target]:<{WIDTH}} {found['rps']:>8} req/s  p50 {found['p50_ms']} ms, "
                       f"p95 {found['p95_ms']} ms, non-200 {found['non_200']}, socket errors {found['socket_errors']}")
        return {"runs": runs, "order": order}


def summarise(measured: dict) -> dict:
    """Per target: requests per second in each round, their median, the overall rate (all requests over all
    seconds), the median of the rounds' p50 and p95, the answers that were not 200, and the CPU (mean of the
    rounds); and each app target's rate as a share of Fortunes, overall and round by round."""
    targets = {}
    for target, runs in measured["runs"].items():
        requests, seconds = sum(r["requests"] for r in runs), sum(r["seconds"] for r in runs)
        cpu = {key: round(statistics.mean(r["cpu"][key] for r in runs), 3) for key in ("busy", "benchmark", "other")}
        cpu["parts"] = {part: round(statistics.mean(r["cpu"]["parts"][part] for r in runs), 3)
                        for part in runs[0]["cpu"]["parts"]}
        targets[target] = {
            "rps": round(requests / seconds, 1), "median_rps": round(statistics.median(r["rps"] for r in runs), 1),
            "rps_by_round": [r["rps"] for r in runs], "requests": requests, "seconds": round(seconds, 1),
            "cpu_ms_per_request": round(statistics.median(r["cpu_ms_per_request"] for r in runs), 2),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 1),
            "p95_ms": round(statistics.median(r["p95_ms"] for r in runs), 1),
            "max_ms": round(max(r["max_ms"] for r in runs), 1),
            "non_200": sum(r["non_200"] for r in runs), "conflicts_409": sum(r["conflicts"] for r in runs),
            "socket_errors": sum(r["socket_errors"] for r in runs), "cpu": cpu}
    shares = {target: share_of(targets[target], targets["fortunes"]) | {"target": SHARE_TARGETS[target]}
              for target in SHARE_TARGETS}
    # What no save on this stack can beat: the Fortunes save beside the Fortunes page, and autosave beside it.
    references = {"fortunes save / fortunes": share_of(targets["fortunes save"], targets["fortunes"]),
                  "fortunes sentence / fortunes": share_of(targets["fortunes sentence"], targets["fortunes"]),
                  "autosave / fortunes save": share_of(targets["autosave"], targets["fortunes save"])}
    return {"targets": targets, "shares": shares, "references": references, "order": measured["order"]}


def share_of(mine: dict, theirs: dict) -> dict:
    """`mine`'s throughput as a share of `theirs`: overall, round by round, and by CPU per request (the server's
    and PostgreSQL's, theirs / mine)."""
    by_round = [round(a / max(b, 0.1), 3) for a, b in zip(mine["rps_by_round"], theirs["rps_by_round"])]
    return {"share": round(mine["rps"] / max(theirs["rps"], 0.1), 3),
            "cpu_share": round(theirs["cpu_ms_per_request"] / max(mine["cpu_ms_per_request"], 0.01), 3),
            "median_of_rounds": round(statistics.median(by_round), 3), "by_round": by_round}


# --- the report ---------------------------------------------------------------------------------------------

def share_line(name: str, share: dict) -> str:
    return (f"{name}: {share['share']:.2f} (by round {', '.join(f'{s:.2f}' for s in share['by_round'])}; "
            f"median {share['median_of_rounds']:.2f}; by CPU per request {share['cpu_share']:.2f})")


def worst(kinds: dict, names, key: str = "p95_ms") -> float:
    return max((kinds[name][key] for name in names if name in kinds), default=0.0)


def parts(cpu: dict, server: str | None = None) -> str:
    """The parts' shares; a saturation run's (`server` names its server) count wrk as the client."""
    names = {"app": "app", "server": server, "postgres": "PostgreSQL", "client": "wrk" if server else "client"}
    return ", ".join(f"{names[name]} {share:.0%}" for name, share in cpu["parts"].items() if share >= 0.005)


def report(figures: dict) -> None:
    run, kinds = figures["class"], figures["class"]["kinds"]
    print(f"Care Plan Lab under a class's load: {figures['students']} students, {figures['instructors']} instructors, "
          f"{run['seconds']} s; gunicorn {figures['gunicorn']} on {figures['database']}, {figures['cores']} cores")
    print(f"  {run['requests']} requests, {run['rps']} per second, {run['errors']} errors")
    print(f"  {'request':<14}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in PAGES + POSTS:
        if kind in kinds:
            k = kinds[kind]
            print(f"  {kind:<14}{k['count']:>7}{k['errors']:>8}{k['p50_ms']:>9}{k['p95_ms']:>9}{k['p99_ms']:>9}"
                  f"{k['max_ms']:>9}")
    later = run["after_arrival"]
    print(f"  after everyone has arrived ({figures['ramp_seconds']:.0f} s + 5 s): p95 "
          + ", ".join(f"{kind} {later[kind]['p95_ms']}" for kind in PAGES + POSTS if kind in later) + " ms")
    cpu = run["cpu"]
    print(f"  CPU of the machine while the class worked: {cpu['busy']:.0%} busy, {cpu['benchmark']:.0%} this benchmark "
          f"({parts(cpu)}), {cpu['other']:.0%} other processes")
    for sample in run["error_samples"]:
        print(f"  error: {sample}")
    sat = figures["saturation"]
    rounds = len(sat["order"])
    print(f"Saturated with wrk, {figures['concurrency']} connections (one per thread), {figures['saturate_seconds']} s "
          f"per target in each of {rounds} rounds (app's pages then Fortunes, then the other way round, …); both "
          f"servers gunicorn {figures['gunicorn']}, one at a time, started {sat['server_starts']} times:")
    heads = "".join(f"{'round ' + str(n + 1):>9}" for n in range(rounds))
    print(f"  {'req/s':<{WIDTH + 1}}{heads}{'median':>9}{'overall':>9}{'p50 ms':>8}{'p95 ms':>8}{'non-200':>9}{'409':>5}"
          f"{'socket':>8}{'CPU ms/req':>12}")
    for target in TARGETS:
        t = sat["targets"][target]
        print(f"  {LABELS[target]:<{WIDTH + 1}}" + "".join(f"{rps:>9}" for rps in t["rps_by_round"])
              + f"{t['median_rps']:>9}{t['rps']:>9}{t['p50_ms']:>8}{t['p95_ms']:>8}{t['non_200']:>9}"
              f"{t['conflicts_409']:>5}{t['socket_errors']:>8}{t['cpu_ms_per_request']:>12}")
    print("  (overall: all requests over all seconds; non-200: answers other than 200, 409 among them; socket: wrk's "
          "connect, read, write errors and timeouts; CPU ms/req: the server's and PostgreSQL's CPU per request, "
          "median of the rounds)")
    for target, share in sat["shares"].items():
        print(f"  {share_line(LABELS[target] + ' / Fortunes', share)}; target >= {share['target']}: "
              f"{'met' if share['share'] >= share['target'] else 'MISSED'}")
    for name, share in sat["references"].items():
        print(f"  {share_line(' / '.join(LABELS[part] for part in name.split(' / ')), share)}")
    print("  CPU meanwhile (mean of the rounds; 100 % = both cores): " + "; ".join(
        f"{LABELS[target]}: {parts(sat['targets'][target]['cpu'], 'Fortunes' if target.startswith('fortunes') else 'app')}, "
        f"other processes {sat['targets'][target]['cpu']['other']:.0%}" for target in TARGETS))
    verdict = figures["targets"]
    print("Targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in verdict.items()))
    print("Time taken: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in figures["phase_seconds"].items()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180, help="seconds of class load (default 180)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run of about a minute: 20 s of class load, 8 connections, 8 writers, "
                             "5 reviews, one round of 5 s per target")
    parser.add_argument("--saturate", type=int, default=10,
                        help="seconds of saturation per target in each round (default 10)")
    parser.add_argument("--warm", type=int, default=2,
                        help="seconds of warm-up per target after a server starts, not counted (default 2)")
    parser.add_argument("--concurrency", type=int, default=32,
                        help="wrk connections while saturating, one per wrk thread (default 32)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds in which the six targets are saturated in turn (default 4)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn worker processes (default as in production: 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (default 1)")
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--instructors", type=int, default=10)
    parser.add_argument("--writers", type=int, default=100,
                        help="students whose plans the plan page is saturated with (default 100; autosave takes "
                             "one per connection); at least --concurrency")
    parser.add_argument("--reviews", type=int, default=50,
                        help="plans in review, shared among --instructors reviewers (default 50)")
    parser.add_argument("--think", type=float, nargs=2, default=(0.8, 2.0), metavar=("LOW", "HIGH"),
                        help="seconds between a student's autosaves (default 0.8 2.0)")
    parser.add_argument("--ramp", type=float, default=60,
                        help="seconds over which people arrive and sign in (default 60)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="default: the PostgreSQL database `bench`")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the class's client process, given its settings file
    args = parser.parse_args(argv)
    if args.client:
        cfg = json.loads(Path(args.client).read_text())
        print(json.dumps(asyncio.run(client(cfg))))
        return
    if args.quick:
        args.duration, args.saturate, args.rounds, args.warm = 20, 5, 1, 1
        args.concurrency, args.writers, args.reviews = 8, 8, 5
    args.rounds, args.saturate, args.warm = max(args.rounds, 1), max(args.saturate, 1), max(args.warm, 1)
    args.writers = max(args.writers, args.concurrency)
    wrk = ensure_wrk()
    url = args.database_url or database_url(["--postgres"])
    if not url.startswith("postgresql"):
        raise SystemExit("This benchmark runs on PostgreSQL (the app's and the Fortunes app's tables side by side)")
    print(f"Filling {url.split('@')[-1]}: {args.students} students, {args.instructors} instructors; for the "
          f"saturation runs {args.writers} writers, {args.reviews} plans to review, {args.instructors} reviewers; "
          f"the fortunes …", flush=True)
    began = phase = time.monotonic()
    people = fill(url, args.students, args.instructors, args.writers, args.reviews)
    database_name = url.rsplit("/", 1)[-1].split("?")[0]
    took = {"fill": round(time.monotonic() - phase, 1)}
    production = {"CAREPLAN_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_ENABLED": "1",
                  # every simulated person logs in from 127.0.0.1; a real deployment sees their own addresses
                  "LOGIN_RATE_LIMIT": "100000 per minute", "CAREPLAN_BASE_URL": "http://127.0.0.1"}
    # Both servers under the production gunicorn settings (app/gunicorn_conf.py), without an access log, with the
    # same number of workers and threads given on the command line, and no worker replaced during a run.
    conf = {"args": ["-c", str(ROOT / "app" / "gunicorn_conf.py"), "--max-requests", "0"],
            "workers": args.workers, "threads": args.threads}
    env = {**production, "ACCESS_LOG": "", "LOG_LEVEL": "warning"}
    servers = Servers(url, conf, {"app": env, "fortunes": env},
                      {"app": "app:create_app()", "fortunes": "benchmarks.fortunes_app:create_app()"})
    try:
        phase = time.monotonic()
        app_server, _ = servers.use("app")
        took["start"] = round(time.monotonic() - phase, 1)
        cfg = dict(students=people["students"], instructors=people["instructors"], criteria=people["criteria"],
                   levels=people["levels"], base=f"http://127.0.0.1:{app_server.port}", duration=args.duration,
                   seed=args.seed, ramp=min(args.ramp, args.duration / 3), think_low=args.think[0],
                   think_high=args.think[1], server_pid=app_server.process.pid, database_name=database_name)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(cfg, handle)
        print(f"Driving the class for {args.duration:.0f} s …", flush=True)
        phase = time.monotonic()
        done = subprocess.run([sys.executable, __file__, "--client", handle.name], cwd=ROOT, capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        os.unlink(handle.name)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit("the load client failed")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        took["class"], phase = round(time.monotonic() - phase, 1), time.monotonic()
        print("Preparing the saturation runs through the app's pages: sign-ins, submissions, claims, first "
              "assessments …", flush=True)
        identities = prepare(app_server.port, people)
        took["prepare"], phase = round(time.monotonic() - phase, 1), time.monotonic()
        servers.cold = True  # the saturation runs' pages have not been opened in this server yet
        print(f"Saturating with wrk: {', '.join(LABELS[t] for t in TARGETS)}, {args.saturate} s each, "
              f"{args.rounds} rounds …", flush=True)
        with tempfile.TemporaryDirectory(prefix="careplan-wrk-") as workdir:
            saturation = Saturation(wrk, servers, identities, args.concurrency, workdir)
            measured = saturation.measure(args.rounds, args.saturate, args.warm,
                                          report=lambda line: print(line, flush=True))
        took["saturate"] = round(time.monotonic() - phase, 1)
    finally:
        servers.stop()
    took["all"] = round(time.monotonic() - began, 1)
    figures["saturation"] = summarise(measured)
    figures["saturation"]["server_starts"] = servers.started
    kinds, sat = figures["class"]["kinds"], figures["saturation"]
    saturation_errors = sum(t["non_200"] + t["socket_errors"] for t in sat["targets"].values())
    figures.update({
        "benchmark": "load", "database": url.split(":", 1)[0], "students": args.students,
        "instructors": args.instructors, "gunicorn": f"-w {args.workers} --threads {args.threads}",
        "cores": os.cpu_count(), "concurrency": args.concurrency, "saturate_seconds": args.saturate,
        "saturate_rounds": args.rounds, "warm_seconds": args.warm, "writers": args.writers, "reviews": args.reviews,
        "ramp_seconds": min(args.ramp, args.duration / 3),
        "page_p95_ms": worst(kinds, PAGES), "autosave_p95_ms": kinds.get("autosave", {}).get("p95_ms", 0.0),
        "rps": {target: sat["targets"][target]["rps"] for target in TARGETS},
        "share_of_fortunes": {target: share["share"] for target, share in sat["shares"].items()},
        "reference_shares": {name: share["share"] for name, share in sat["references"].items()},
        "saturation_errors": saturation_errors, "phase_seconds": took,
    })
    figures["targets"] = {
        "no errors": figures["class"]["errors"] == 0 and saturation_errors == 0,
        f"pages p95 <= {PAGE_TARGET_MS} ms": figures["page_p95_ms"] <= PAGE_TARGET_MS,
        f"autosave p95 <= {AUTOSAVE_TARGET_MS} ms": figures["autosave_p95_ms"] <= AUTOSAVE_TARGET_MS,
        **{f"{LABELS[target]} >= {share['target']} × Fortunes": share["share"] >= share["target"]
           for target, share in sat["shares"].items()},
        ">= 10000 requests": figures["class"]["requests"] >= 10_000 or args.duration < 180,
    }
    report(figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
