"""What the house's own layers cost an autosave and the plan page, beside the Fortunes yardstick, in one process.

    .venv/bin/python benchmarks/layers.py [--rounds 20] [--requests 30] [--database-url URL | --postgres]

Every request of Care Plan Lab passes layers that the Fortunes page of `fortunes_app.py` does not have, because
the house asks for them: the rate limiter (its look-up before, its headers after), the security headers, the guard
that refuses NUL characters, and the rule that lets a page begun by an LMS launch be framed by that LMS. This
benchmark fills a database as `load.py` does (one student with a draft), signs in through the Flask test client
with production settings, and times, interleaved over `--rounds` rounds of `--requests` requests each (the fastest
round counts, so that a busy neighbour on the machine weighs as little as possible):

- Fortunes, GET /fortunes, signed in;
- autosave, POST /plans/<id>/draft with a 1,200-word plan and the save token the previous save answered;
- the plan page, GET /plans/<id>, the same student's draft;
- the Fortunes save (`fortunes_app.py`, POST /drafts/<n>), the smallest save on this stack, of the same 1,200-word
  plan and of one sentence: what any save costs before the app's own work;

each Care Plan Lab request with every layer, without each layer in turn, and without all four, in a new order
each round. Prints milliseconds per request and the share of Fortunes (Fortunes' time / the request's time, as
throughput shares are read in `load.py`); the last line is one JSON object with every figure. Run pinned to one core
(`taskset -c 1 …`) with PostgreSQL on the other for the steadiest figures."""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time

from _server import database_url

LAYERS = {
    "rate limiter": ("_check_request_limit", "inject_headers", "release_context"),
    "security headers": ("security_headers",),
    "NUL guard": ("refuse_nul_characters",),
    "LMS frames": ("allow_platform_frames",),
}
HTTPS = {"base_url": "https://localhost"}


def _hook_name(function) -> str:
    return getattr(function, "__name__", "") or getattr(getattr(function, "func", None), "__name__", "")


def _hooks(app) -> list[list]:
    return [app.before_request_funcs.setdefault(None, []), app.after_request_funcs.setdefault(None, []),
            app.teardown_request_funcs.setdefault(None, [])]


class Without:
    """The app's request hooks of the named layers taken out for the duration of a `with`, then put back."""

    def __init__(self, app, layers: list[str]):
        self.app, self.names = app, tuple(name for layer in layers for name in LAYERS[layer])
        self.saved: list[tuple[list, list]] = []

    def __enter__(self):
        for hooks in _hooks(self.app):
            self.saved.append((hooks, list(hooks)))
            hooks[:] = [hook for hook in hooks if not any(name in _hook_name(hook) for name in self.names)]
        return self

    def __exit__(self, *exc):
        for hooks, before in self.saved:
            hooks[:] = before


def _signed_in(app, email: str, password: str):
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT="careplan-bench/1.0", HTTP_REFERER="https://localhost/")
    page = client.get("/login", **HTTPS).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    answer = client.post("/login", data={"email": email, "password": password,
                                         "csrf_token": token.group(1) if token else ""}, **HTTPS)
    assert answer.status_code == 302, (email, answer.status_code)
    return client


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)
    url = database_url(argv)
    # Production settings (read when the configuration is first imported, so before anything imports it).
    os.environ.update(DATABASE_URL=url, CAREPLAN_ENV="production", BASE_URL="https://localhost",
                      SECRET_KEY=os.environ.get("SECRET_KEY", "a benchmark secret key, long enough for production"))
    import load
    people = load.fill(url, students=0, instructors=0, writers=1, reviews=0)
    import fortunes_app

    from app import create_app
    app = create_app("production")
    fortunes = fortunes_app.create_app(url)
    writer, plan_id = people["writers"][0]["email"], people["writers"][0]["plan_id"]
    student, reader = _signed_in(app, writer, load.PASSWORD), _signed_in(fortunes, load.FORTUNES_EMAIL, load.PASSWORD)
    page = student.get(f"/plans/{plan_id}", **HTTPS).get_data(as_text=True)
    token = {"save": int(re.search(r'name="save_token" value="(\d+)"', page).group(1))}
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    content = load.plan_text(1200, 1)

    def autosave():
        answer = student.post(f"/plans/{plan_id}/draft", json={"save_token": token["save"], "content": content},
                              headers={"X-CSRFToken": csrf}, **HTTPS)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:200]
        token["save"] = answer.get_json()["save_token"]

    def plan_page():
        answer = student.get(f"/plans/{plan_id}", **HTTPS)
        assert answer.status_code == 200, answer.status_code

    def fortunes_page():
        answer = reader.get("/fortunes", **HTTPS)
        assert answer.status_code == 200, answer.status_code

    reader_csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                            reader.get("/fortunes", **HTTPS).get_data(as_text=True)).group(1)
    tokens = {1: 0, 2: 0}

    def fortunes_save(draft: int, text: dict):
        def save():
            answer = reader.post(f"/drafts/{draft}", json={"save_token": tokens[draft], "content": text},
                                 headers={"X-CSRFToken": reader_csrf}, **HTTPS)
            assert answer.status_code == 200, answer.get_data(as_text=True)[:200]
            tokens[draft] = answer.get_json()["save_token"]
        return save

    # The smallest save on this stack, of the same text as autosave's and of one sentence: what any save costs.
    saves = {"Fortunes save": fortunes_save(1, content),
             "Fortunes save of one sentence": fortunes_save(2, load.ONE_SENTENCE)}

    variants = [("with every layer", [])] + [(f"without {layer}", [layer]) for layer in LAYERS] \
        + [("without all four", list(LAYERS))]
    requests = {"autosave": autosave, "plan page": plan_page}
    for request in (fortunes_page, *saves.values(), autosave, plan_page):
        request()  # every kept part and compiled statement in place first
    runs = [("Fortunes", "", fortunes_page, [])] + [(name, "", save, []) for name, save in saves.items()] \
        + [(kind, name, request, layers) for kind, request in requests.items() for name, layers in variants]
    timed: dict[tuple[str, str], list[float]] = {(kind, name): [] for kind, name, _request, _layers in runs}
    order = random.Random(0)
    for _round in range(args.rounds):
        order.shuffle(runs)  # in a new order each round, so that no variant always follows the same one
        for kind, name, request, layers in runs:
            with Without(app, layers):
                timed[(kind, name)].append(_per_request(request, args.requests))
    best = {key: min(values) for key, values in timed.items()}
    yardstick = best[("Fortunes", "")]
    print(f"In one process, fastest of {args.rounds} rounds of {args.requests} requests, ms per request:")
    print(f"  Fortunes {yardstick:.3f}")
    for name in saves:
        print(f"  {name:38s} {best[(name, '')]:6.3f} ms  share {yardstick / best[(name, '')]:4.2f}")
    figures: dict = {"benchmark": "layers", "database": url.split(":")[0], "rounds": args.rounds,
                     "requests": args.requests, "fortunes_ms": round(yardstick, 3),
                     "saves": {name: {"ms": round(best[(name, "")], 3),
                                      "share_of_fortunes": round(yardstick / best[(name, "")], 3)} for name in saves},
                     "kinds": {}}
    for kind in requests:
        full = best[(kind, "with every layer")]
        rows = {}
        for name, _layers in variants:
            ms = best[(kind, name)]
            rows[name] = {"ms": round(ms, 3), "share_of_fortunes": round(yardstick / ms, 3),
                          "saves_ms": round(full - ms, 3)}
            print(f"  {kind:9s} {name:28s} {ms:6.3f} ms  share {yardstick / ms:4.2f}  "
                  f"({full - ms:+.3f} ms against every layer)")
        figures["kinds"][kind] = rows
    print(json.dumps(figures))


def _per_request(request, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        request()
    return (time.perf_counter() - start) / count * 1000


if __name__ == "__main__":
    main(sys.argv[1:])
