"""PDF export through WeasyPrint; its stylesheet and fonts come from the app's own files, never the network."""
from __future__ import annotations

from pathlib import Path


def _no_network(url: str, *args, **kwargs):
    raise ValueError(f"external resources are not loaded: {url}")


def render_pdf(html: str, static_folder: str) -> bytes:
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=str(Path(static_folder) / "css" / "print.css"))
    return HTML(string=html, base_url=static_folder, url_fetcher=_no_network).write_pdf(stylesheets=[stylesheet])
