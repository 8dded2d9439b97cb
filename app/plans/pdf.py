"""PDF export through WeasyPrint; its stylesheet and fonts come from the app's own files, never the network.

Rendering is bounded, so one plan can never hold up the workers that answer everyone else:
- a budget is checked on the page before anything is rendered (table cells and characters of text: WeasyPrint's
  time grows faster than the page, above all with large tables);
- the rendering itself runs in a separate process at a low priority, killed when it passes a time bound;
- its output is refused past a size bound.
Each bound has its own refusal, which the view turns into a clear page."""
from __future__ import annotations

import functools
import hashlib
import html as html_lib
import multiprocessing
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app


class PdfRefused(Exception):
    """The PDF is not made: `reason` says which bound was passed."""

    reason = "failed"


class OverBudget(PdfRefused):
    """The page is too large to render as a PDF (before rendering, or its output)."""

    reason = "too_large"


class TooSlow(PdfRefused):
    """The rendering passed its time bound and was stopped."""

    reason = "timeout"


class RenderFailed(PdfRefused):
    """The rendering process ended without a PDF."""

    reason = "failed"


@dataclass(frozen=True)
class Bounds:
    max_cells: int
    max_chars: int
    timeout: float
    max_bytes: int
    nice: int

    @classmethod
    def from_config(cls) -> Bounds:
        config = current_app.config
        return cls(max_cells=int(config["PDF_MAX_TABLE_CELLS"]), max_chars=int(config["PDF_MAX_TEXT_CHARS"]),
                   timeout=float(config["PDF_RENDER_TIMEOUT"]), max_bytes=int(config["PDF_MAX_BYTES"]),
                   nice=int(config["PDF_RENDER_NICE"]))


_TAG = re.compile(r"<[^>]*>")
_HEAD = re.compile(r"<head\b.*?</head>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageSize:
    cells: int
    chars: int | None  # not counted when the cells alone are past the budget


def count_cells(page: str) -> int:
    """The page's table cells (its HTML comes from our templates and the Markdown sanitiser: lower-case tags)."""
    return page.count("<td") + page.count("<th") - page.count("<thead")


def count_chars(page: str) -> int:
    """The page's text as a reader sees it: tags removed, entities read, runs of white space as one."""
    body = _HEAD.sub("", page)
    return len(_SPACE.sub(" ", html_lib.unescape(_TAG.sub(" ", body))).strip())


def measure(page: str) -> PageSize:
    """How much a page asks of the renderer."""
    return PageSize(cells=count_cells(page), chars=count_chars(page))


class PageOverBudget(OverBudget):
    """The page is past the budget, before anything was rendered: `size` says by how much."""

    def __init__(self, size: PageSize):
        super().__init__(f"{size.cells} table cells, {size.chars} characters")
        self.size = size


def check_budget(page: str, bounds: Bounds) -> PageSize:
    """The page's size, if it is inside the budget; else `PageOverBudget`. The cells are counted first, in about a
    millisecond: a page with too many is refused without reading its text (tens of milliseconds for the largest)."""
    cells = count_cells(page)
    if cells > bounds.max_cells:
        raise PageOverBudget(PageSize(cells=cells, chars=None))
    size = PageSize(cells=cells, chars=count_chars(page))
    if size.chars is not None and size.chars > bounds.max_chars:
        raise PageOverBudget(size)
    return size


def page_digest(html: str, static_folder: str) -> str:
    """What a stored PDF is keyed by: the page and the stylesheet it is rendered with (a changed stylesheet makes
    every PDF anew, from the same frozen version)."""
    digest = hashlib.sha256(_stylesheet(static_folder))
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


@functools.cache
def _stylesheet(static_folder: str) -> bytes:
    return (Path(static_folder) / "css" / "print.css").read_bytes()


def _no_network(url: str, *args, **kwargs):
    raise ValueError(f"external resources are not loaded: {url}")


def render_pdf(html: str, static_folder: str) -> bytes:
    """Renders in this process, without any bound: only for the rendering process below."""
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(Path(static_folder) / "css" / "print.css"))
    return HTML(string=html, base_url=static_folder, url_fetcher=_no_network).write_pdf(stylesheets=[stylesheet])


def _render_child(connection, html: str, static_folder: str, max_bytes: int, nice: int) -> None:
    """The rendering process: lowers its own priority, renders, and sends back the PDF or why there is none."""
    try:
        os.nice(nice)
    except OSError:  # pragma: no cover  (a priority that cannot be lowered further)
        pass
    try:
        data = render_pdf(html, static_folder)
    except Exception as error:  # the parent only needs to know that it failed, and why, for its log
        connection.send(("failed", f"{type(error).__name__}: {error}"[:500]))
    else:
        if len(data) > max_bytes:
            connection.send(("too_large", len(data)))
        else:
            connection.send(("ok", data))
    finally:
        connection.close()


_context = None


def _process_context():
    """Rendering processes are forked from a small server process started once, with WeasyPrint already
    loaded: they start in milliseconds, and never inherit a worker's threads, locks or database connections."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", "app.plans.pdf"])
        _context = context
    return _context


def render_bounded(html: str, static_folder: str, bounds: Bounds) -> bytes:
    """The PDF of a page, rendered in a low-priority process that is killed after `bounds.timeout` seconds."""
    context = _process_context()
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_render_child, args=(writer, html, static_folder, bounds.max_bytes, bounds.nice),
                              name="careplan-pdf", daemon=False)
    process.start()
    writer.close()
    try:
        if not reader.poll(bounds.timeout):
            raise TooSlow(f"no PDF after {bounds.timeout:g} s")
        try:
            outcome, payload = reader.recv()
        except EOFError:
            raise RenderFailed("the rendering process ended without an answer") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        reader.close()
    if outcome == "ok":
        return payload
    if outcome == "too_large":
        raise OverBudget(f"the PDF has {payload} bytes")
    raise RenderFailed(payload)
