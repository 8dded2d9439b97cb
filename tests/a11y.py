"""Accessibility checks with axe-core (bundled with axe-playwright-python, served from disk, no network)."""
from __future__ import annotations

SERIOUS = {"serious", "critical"}


def assert_no_serious_violations(page, context=None) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — " + ", ".join(n["target"][0] for n in v["nodes"][:5])
        for v in serious
    )
    assert not serious, f"axe found serious accessibility problems on {page.url}:\n{report}"
