"""A class at work: 100 students and 10 instructors against gunicorn on PostgreSQL, then the ceiling.

    .venv/bin/python benchmarks/load.py [--duration 180] [--quick] [--workers N] [--threads 1]
                                        [--students 100] [--instructors 10] [--database-url URL]

1. Fills the database `bench` (schema by the migrations): one cohort, one assignment on the shipped Anna case,
   100 students with passwords and a plan started earlier, 10 instructors.
2. Serves Care Plan Lab with gunicorn (CAREPLAN_ENV=production, so passwords are hashed and checked as in
   production) and, with the same gunicorn settings, the bare Flask app of `hello_app.py`.
3. From a separate process (an asyncio client, aiohttp), drives the class for `--duration` seconds (default 180;
   `--quick` is a 20-second smoke run). People arrive over the first minute (`--ramp`) and sign in; every login
   costs a production-strength scrypt hash. Each student then opens the plan, autosaves every second or two with
   the current save token, now and then reloads the page, and submits once near the end; each instructor watches
   the review queue, claims a submitted plan, opens the review, saves it twice and releases it.
4. With the same client, saturates the plan page of the app and the page of the bare Flask app in turn, in four
   rounds (`--rounds`), so that the shared machine's changes of speed weigh on both measurements alike.

Prints requests per second, the number of requests, p50 / p95 / p99 latency per kind of request, errors, and the
app's saturated throughput as a share of the bare-Flask ceiling. The last line is one JSON object with every figure.
Targets: no errors; under the class load p95 <= 50 ms for pages and <= 30 ms for autosave; >= 30 % of the ceiling."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _server import ROOT, Server, database_url, fresh_app, percentile

PASSWORD = "a class benchmark password"
PAGE_TARGET_MS, AUTOSAVE_TARGET_MS, CEILING_TARGET = 50, 30, 0.30
# The kinds of request; GET kinds are pages (the 50 ms target), autosave has its own target; the other posts
# (login hashes a password on purpose, submit freezes a version and checks its language) are reported as they are.
PAGES = ("login page", "home", "plan page", "submit page", "history page", "queue", "review page")
POSTS = ("login", "autosave", "submit", "claim", "review save", "release")


# --- the database -----------------------------------------------------------------------------------------

def plan_text(words: int, round_: int) -> dict:
    """A plan of about `words` words that changes a little with every save, as it does while someone types."""
    from autosave import plan_of

    return plan_of(words, round_)


def fill(url: str, students: int, instructors: int) -> dict:
    app = fresh_app(url)
    from config import ProductionConfig

    app.config["PASSWORD_HASH_METHOD"] = ProductionConfig.PASSWORD_HASH_METHOD
    with app.app_context():
        from werkzeug.security import generate_password_hash

        from app.auth.models import User
        from app.cohorts.models import Role
        from app.db import db
        from app.plans import services as plans
        from tests.factories import AssignmentFactory, CohortFactory, import_shipped_content, member

        import_shipped_content()
        cohort = CohortFactory(name="Medicine, class of 2027")
        assignment = AssignmentFactory(cohort=cohort, title="Individual care plan for Anna")
        people = {"students": [], "instructors": []}
        for n in range(1, students + 1):
            user = member(cohort, Role.student, email=f"student{n}@bench.example.org", name=f"Student {n}")
            plan = plans.start_plan(assignment, user)
            db.session.flush()
            plans.save_draft(plan, user, plan.save_token, plan_text(1200, 0))
            people["students"].append({"email": user.email, "plan_id": plan.id})
        for n in range(1, instructors + 1):
            user = member(cohort, Role.instructor, email=f"instructor{n}@bench.example.org", name=f"Instructor {n}")
            people["instructors"].append({"email": user.email})
        # One production-strength hash for everyone (salted once; fine for a benchmark, and 110 times faster).
        db.session.execute(db.update(User).values(
            password_hash=generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])))
        db.session.commit()
        rubric = assignment.rubric_version
        people["criteria"], people["levels"] = rubric.criterion_keys(), rubric.level_keys()
        db.session.remove()
        db.engine.dispose()
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


# --- the client (runs in its own process) ------------------------------------------------------------------

def cpu_snapshot(server_pids: list[int]) -> tuple[int, int, dict[str, int]]:
    """(all jiffies, busy jiffies, jiffies by part of this benchmark: the app's gunicorn, the bare Flask gunicorn,
    PostgreSQL, this client). `server_pids` are the app's gunicorn master, then the bare Flask one."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:9]]
    total, idle = sum(values), values[3] + values[4]
    parts = {"app": 0, "hello": 0, "postgres": 0, "client": 0}
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
        part = ("client" if pid == os.getpid() else "postgres" if comm == "postgres"
                else "app" if server_pids[0] in (pid, ppid) else "hello" if server_pids[1:] and server_pids[1] in (pid, ppid)
                else None)
        if part:
            parts[part] += int(rest[11]) + int(rest[12])
    return total, total - idle, parts


def cpu_use(before: tuple, after: tuple) -> dict:
    """Shares of the machine's CPU during a phase (1.0 = every core busy): all busy, this benchmark and each of its
    parts, everything else on the machine."""
    total = max(after[0] - before[0], 1)
    parts = {name: round((after[2][name] - before[2][name]) / total, 3) for name in after[2]}
    busy, ours = (after[1] - before[1]) / total, sum(parts.values())
    return {"busy": round(busy, 3), "benchmark": round(min(ours, busy), 3), "other": round(max(busy - ours, 0), 3),
            "parts": parts}


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


async def saturate(aiohttp, base: str, targets: list[tuple[str, str]], concurrency: int, seconds: float,
                   warm: float = 2) -> tuple[list[float], int]:
    """As many GETs as the server answers, from `concurrency` connections, after `warm` seconds of warm-up: the
    latencies in ms and the number of errors."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    latencies, errors = [], 0
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=30)) as http:
        warm_until = time.monotonic() + warm
        end = warm_until + seconds

        async def worker(n: int):
            nonlocal errors
            path, cookie = targets[n % len(targets)]
            while time.monotonic() < end:
                started = time.perf_counter()
                try:
                    async with http.get(base + path, headers={"Cookie": cookie} if cookie else {},
                                        allow_redirects=False) as response:
                        await response.read()
                        ok = response.status == 200
                except Exception:
                    ok = False
                if time.monotonic() > warm_until:
                    latencies.append((time.perf_counter() - started) * 1000)
                    errors += not ok

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return latencies, errors


async def saturate_in_turn(aiohttp, cfg: dict, app_targets: list[tuple[str, str]]) -> tuple[dict, dict]:
    """The app's plan page and the bare Flask page, saturated in turn over `rounds` rounds of equal length, so
    that a change in the machine's speed during the measurement (a shared machine's neighbours) weighs on both
    alike. Each server has a 2-second warm-up before its first round."""
    rounds, seconds = cfg["rounds"], cfg["saturate"] / cfg["rounds"]
    servers = {"app": (cfg["base"], app_targets), "hello": (cfg["hello"], [("/", "")])}
    found = {name: {"latencies": [], "errors": 0, "ticks": [0, 0, {}], "rounds": []} for name in servers}
    for round_ in range(rounds):
        for name, (base, targets) in servers.items():
            before = cpu_snapshot(cfg["server_pids"])
            latencies, errors = await saturate(aiohttp, base, targets, cfg["concurrency"], seconds,
                                               warm=2 if round_ == 0 else 0.5)
            after = cpu_snapshot(cfg["server_pids"])
            into = found[name]
            into["latencies"] += latencies
            into["errors"] += errors
            into["rounds"].append(round(len(latencies) / seconds, 1))
            into["ticks"][0] += after[0] - before[0]
            into["ticks"][1] += after[1] - before[1]
            for part, value in after[2].items():
                into["ticks"][2][part] = into["ticks"][2].get(part, 0) + value - before[2][part]
    result = []
    for name in servers:
        into, total = found[name], cfg["saturate"]
        ticks = into["ticks"]
        result.append({"requests": len(into["latencies"]), "errors": into["errors"],
                       "rps": round(len(into["latencies"]) / total, 1), "rps_by_round": into["rounds"],
                       "p50_ms": round(percentile(into["latencies"], 0.50), 1),
                       "p95_ms": round(percentile(into["latencies"], 0.95), 1),
                       "cpu": cpu_use((0, 0, {part: 0 for part in ticks[2]}), tuple(ticks))})
    return result[0], result[1]


async def client(cfg: dict) -> dict:
    import aiohttp

    random.seed(cfg["seed"])
    stats, browsers = Stats(), []
    cpu = {"before": cpu_snapshot(cfg["server_pids"])}
    start = time.monotonic()
    end = start + cfg["duration"]
    tasks = [student(aiohttp, cfg, who, stats, start, end, browsers) for who in cfg["students"]]
    tasks += [instructor(aiohttp, cfg, i, who, stats, end, browsers) for i, who in enumerate(cfg["instructors"])]
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    cpu["class"] = cpu_snapshot(cfg["server_pids"])
    targets = []
    for browser, who in browsers:
        if "plan_id" in who:
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            targets.append((f"/plans/{who['plan_id']}", cookie))
        await browser.close()
    total = sum(len(v) for v in stats.latency.values())
    result = {"class": {"seconds": round(elapsed, 1), "requests": total, "rps": round(total / elapsed, 1),
                        "errors": sum(stats.errors.values()), "error_samples": stats.samples,
                        "kinds": stats.summary(), "cpu": cpu_use(cpu["before"], cpu["class"]),
                        # after everyone has arrived and signed in (the logins' password hashing is over)
                        "after_arrival": stats.summary(since=start + cfg["ramp"] + 5)}}
    random.shuffle(targets)
    result["saturated_app"], result["saturated_hello"] = await saturate_in_turn(aiohttp, cfg, targets)
    return result


# --- the report ---------------------------------------------------------------------------------------------

def worst(kinds: dict, names, key: str = "p95_ms") -> float:
    return max((kinds[name][key] for name in names if name in kinds), default=0.0)


def parts(cpu: dict) -> str:
    names = {"app": "app", "hello": "bare Flask", "postgres": "PostgreSQL", "client": "client"}
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
    app, hello = figures["saturated_app"], figures["saturated_hello"]
    print(f"Saturated, {figures['concurrency']} connections, {figures['saturate_seconds']} s each, in turn over "
          f"{figures['saturate_rounds']} rounds:")
    print(f"  plan page of the app  {app['rps']:>8} req/s  (p50 {app['p50_ms']} ms, p95 {app['p95_ms']} ms, "
          f"errors {app['errors']})")
    print(f"  bare Flask page       {hello['rps']:>8} req/s  (p50 {hello['p50_ms']} ms, p95 {hello['p95_ms']} ms, "
          f"errors {hello['errors']})")
    print(f"  requests per second by round: app {', '.join(map(str, app['rps_by_round']))}; "
          f"bare Flask {', '.join(map(str, hello['rps_by_round']))}")
    print(f"  CPU meanwhile: {parts(app['cpu'])}; then {parts(hello['cpu'])}")
    print(f"  the app reaches {figures['share_of_ceiling'] * 100:.1f} % of the bare-Flask ceiling "
          f"(other processes used {app['cpu']['other']:.0%} and {hello['cpu']['other']:.0%} of the CPU meanwhile)")
    verdict = figures["targets"]
    print("Targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in verdict.items()))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180, help="seconds of class load (default 180)")
    parser.add_argument("--quick", action="store_true", help="a 20-second smoke run with 5-second saturation")
    parser.add_argument("--saturate", type=float, default=20, help="seconds of saturation per server (default 20)")
    parser.add_argument("--concurrency", type=int, default=32, help="connections while saturating (default 32)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="rounds in which the two servers are saturated in turn (default 4)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn worker processes (default as in production: 2 × cores + 1)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (default 1)")
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--instructors", type=int, default=10)
    parser.add_argument("--think", type=float, nargs=2, default=(0.8, 2.0), metavar=("LOW", "HIGH"),
                        help="seconds between a student's autosaves (default 0.8 2.0)")
    parser.add_argument("--ramp", type=float, default=60,
                        help="seconds over which people arrive and sign in (default 60)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="default: the PostgreSQL database `bench`")
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the client process, given its settings file
    args = parser.parse_args(argv)
    if args.client:
        cfg = json.loads(Path(args.client).read_text())
        print(json.dumps(asyncio.run(client(cfg))))
        return
    if args.quick:
        args.duration, args.saturate, args.rounds = 20, 5, 1
    url = args.database_url or database_url(["--postgres"])
    print(f"Filling {url.split('@')[-1]}: {args.students} students, {args.instructors} instructors …", flush=True)
    people = fill(url, args.students, args.instructors)
    gunicorn = {"workers": args.workers, "threads": args.threads}
    production = {"CAREPLAN_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_ENABLED": "1",
                  # every simulated person logs in from 127.0.0.1; a real deployment sees their own addresses
                  "LOGIN_RATE_LIMIT": "100000 per minute", "CAREPLAN_BASE_URL": "http://127.0.0.1"}
    # Both under the production gunicorn settings (app/gunicorn_conf.py), without an access log, with the same
    # number of workers and threads given on the command line, and no worker replaced during the run (the CPU
    # figures are read from the running processes).
    conf = {"args": ["-c", str(ROOT / "app" / "gunicorn_conf.py"), "--max-requests", "0"], **gunicorn}
    quiet = {"ACCESS_LOG": "", "LOG_LEVEL": "warning"}
    app_server = Server(url, target="app:create_app()", env={**production, **quiet}, **conf)
    hello_server = Server(url, target="benchmarks.hello_app:create_app()", env=quiet, **conf)
    try:
        wait_until_healthy(app_server.port)
        wait_until_healthy(hello_server.port, "/")
        cfg = dict(people, base=f"http://127.0.0.1:{app_server.port}", hello=f"http://127.0.0.1:{hello_server.port}",
                   duration=args.duration, saturate=args.saturate, rounds=max(args.rounds, 1),
                   concurrency=args.concurrency, seed=args.seed,
                   ramp=min(args.ramp, args.duration / 3), think_low=args.think[0], think_high=args.think[1],
                   server_pids=[app_server.process.pid, hello_server.process.pid])
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(cfg, handle)
        print(f"Driving the class for {args.duration:.0f} s, then saturating each server for {args.saturate:.0f} s …",
              flush=True)
        done = subprocess.run([sys.executable, __file__, "--client", handle.name], cwd=ROOT, capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        os.unlink(handle.name)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit("the load client failed")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        app_server.stop()
        hello_server.stop()
    kinds = figures["class"]["kinds"]
    share = figures["saturated_app"]["rps"] / max(figures["saturated_hello"]["rps"], 0.1)
    figures.update({
        "benchmark": "load", "database": url.split(":", 1)[0], "students": args.students,
        "instructors": args.instructors, "gunicorn": f"-w {args.workers} --threads {args.threads}",
        "cores": os.cpu_count(), "concurrency": args.concurrency, "saturate_seconds": args.saturate,
        "saturate_rounds": max(args.rounds, 1),
        "share_of_ceiling": round(share, 3), "ramp_seconds": min(args.ramp, args.duration / 3),
        "page_p95_ms": worst(kinds, PAGES), "autosave_p95_ms": kinds.get("autosave", {}).get("p95_ms", 0.0),
    })
    figures["targets"] = {
        "no errors": figures["class"]["errors"] == 0 and figures["saturated_app"]["errors"] == 0,
        f"pages p95 <= {PAGE_TARGET_MS} ms": figures["page_p95_ms"] <= PAGE_TARGET_MS,
        f"autosave p95 <= {AUTOSAVE_TARGET_MS} ms": figures["autosave_p95_ms"] <= AUTOSAVE_TARGET_MS,
        f">= {CEILING_TARGET:.0%} of the ceiling": share >= CEILING_TARGET,
        ">= 10000 requests": figures["class"]["requests"] >= 10_000 or args.duration < 180,
    }
    report(figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
