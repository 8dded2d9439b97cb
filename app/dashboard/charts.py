"""Small charts drawn on the server as SVG: no script, no library, nothing fetched from elsewhere.

Every chart is an image with a title and a description (role="img", aria-labelledby), carries its numbers as
text next to the bars, so colour is never the only cue, and is shown beside a table with the same data.
Colours come from CSS classes (app.css), because the page's security policy allows no inline styles."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from app.language.services import category_label
from app.plans.states import PROGRESS as STATES
from app.plans.states import PROGRESS_LABELS as STATE_LABELS

WIDTH = 560
LABEL_WIDTH = 170
BAR_START = LABEL_WIDTH + 10
ROW = 30
BAR = 20
TOP = 8
LABEL_CHARS = 24
CHAR_WIDTH = 8.2  # about the width of one character of the value texts, to leave them room


@dataclass
class Bar:
    label: str
    value: float
    css: str = "bar"
    text: str | None = None  # what is written after the bar; the value by default


@dataclass
class Segment:
    value: float
    css: str
    text: str  # written inside the segment when it is wide enough
    long_text: str | None = None  # preferred when there is room, e.g. "Solid 12" rather than "12"


def _wrap(label: str, limit: int = LABEL_CHARS) -> list[str]:
    """At most two lines; a longer label is cut with an ellipsis (the table beside has it in full)."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (lines[1] + " " + " ".join(lines[2:]))]
    return [text if len(text) <= limit else text[: limit - 1].rstrip() + "…" for text in lines[:2]] or [""]


def _label(x: float, y: float, label: str, css: str = "chart-label") -> str:
    lines = _wrap(label)
    if len(lines) == 1:
        return f'<text x="{x}" y="{y + 4}" text-anchor="end" class="{css}">{escape(lines[0])}</text>'
    return (f'<text x="{x}" y="{y - 3}" text-anchor="end" class="{css}">'
            f'<tspan x="{x}">{escape(lines[0])}</tspan><tspan x="{x}" dy="13">{escape(lines[1])}</tspan></text>')


def _frame(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" focusable="false">'
        f'<title id="{escape(title_id)}">{escape(title)}</title><desc id="{escape(desc_id)}">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def _bar_space(texts) -> float:
    """The room for bars, leaving enough on the right for the longest value text."""
    longest = max((len(text) for text in texts), default=4)
    return max(120.0, WIDTH - BAR_START - 12 - CHAR_WIDTH * longest)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar], gaps_before: set[int] | None = None) -> Markup:
    """One horizontal bar per item, its value written at the end of the bar."""
    gaps_before = gaps_before or set()
    top = max((bar.value for bar in bars), default=0) or 1
    space = _bar_space(bar.text if bar.text is not None else _number(bar.value) for bar in bars)
    body: list[str] = []
    y: float = TOP
    for index, bar in enumerate(bars):
        if index in gaps_before:
            y += ROW / 2
            body.append(f'<line x1="{BAR_START}" x2="{BAR_START + space}" y1="{y - ROW / 4:.1f}" '
                        f'y2="{y - ROW / 4:.1f}" class="chart-rule"/>')
        width = space * bar.value / top
        middle = y + BAR / 2
        body.append(_label(LABEL_WIDTH, middle, bar.label))
        body.append(f'<rect x="{BAR_START}" y="{y}" width="{width:.1f}" height="{BAR}" rx="2" class="{bar.css}"/>')
        text = bar.text if bar.text is not None else _number(bar.value)
        body.append(f'<text x="{BAR_START + width + 6:.1f}" y="{middle + 4}" class="chart-value">{escape(text)}</text>')
        y += ROW
    body.insert(0, f'<line x1="{BAR_START}" x2="{BAR_START}" y1="{TOP - 4}" y2="{y - ROW + BAR + 4}" '
                   f'class="chart-axis"/>')
    return _frame(chart_id, title, desc, y + TOP, body)


def stacked_chart(chart_id: str, title: str, desc: str, rows: list[tuple[str, list[Segment], str]],
                  legend: list[tuple[str, str]]) -> Markup:
    """One bar per row split into segments that add up to 100 %; each segment is labelled with its own text,
    the legend names the segments in the same left-to-right order, and the row's total follows the bar."""
    body, y = [], TOP
    x: float = BAR_START
    for css, text in legend:  # the legend first, in reading order
        width: float = 14 + 7 * len(text) + 16
        if x + width > WIDTH:
            x, y = BAR_START, y + 20
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" class="{css}"/>'
                    f'<text x="{x + 16}" y="{y + 10}" class="chart-legend">{escape(text)}</text>')
        x += width
    y += 28
    bar_space = _bar_space(total for _label_text, _segments, total in rows)
    for label, segments, total_text in rows:
        middle = y + BAR / 2
        body.append(_label(LABEL_WIDTH, middle, label))
        total = sum(segment.value for segment in segments)
        x = BAR_START
        if total == 0:
            body.append(f'<rect x="{BAR_START}" y="{y}" width="{bar_space:.1f}" height="{BAR}" class="bar-empty"/>')
        for segment in segments:
            if not total or not segment.value:
                continue
            width = bar_space * segment.value / total
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" class="{segment.css}"/>')
            inside = next((t for t in (segment.long_text, segment.text) if t and width >= 10 + 7 * len(t)), None)
            if inside:
                body.append(f'<text x="{x + width / 2:.1f}" y="{middle + 4}" text-anchor="middle" '
                            f'class="chart-inside {segment.css}-text">{escape(inside)}</text>')
            x += width
        body.append(f'<text x="{BAR_START + bar_space + 6:.1f}" y="{middle + 4}" class="chart-value">'
                    f'{escape(total_text)}</text>')
        y += ROW
    return _frame(chart_id, title, desc, y + TOP, body)


def paired_chart(chart_id: str, title: str, desc: str, groups: list[tuple[str, list[Bar]]]) -> Markup:
    """Groups of bars, e.g. first and latest version per category; each bar is followed by its own text,
    such as "first 12.3", so the pair reads without the colours."""
    top = max((bar.value for _label_text, bars in groups for bar in bars), default=0) or 1
    space = _bar_space(bar.text or _number(bar.value) for _label_text, bars in groups for bar in bars)
    body: list[str] = []
    y: float = TOP
    small = BAR * 0.7
    for label, bars in groups:
        group_height = len(bars) * (small + 4)
        body.append(_label(LABEL_WIDTH, y + group_height / 2 - 2, label))
        for bar in bars:
            width = space * bar.value / top
            body.append(f'<rect x="{BAR_START}" y="{y:.1f}" width="{width:.1f}" height="{small:.1f}" rx="2" '
                        f'class="{bar.css}"/>')
            body.append(f'<text x="{BAR_START + width + 6:.1f}" y="{y + small - 3:.1f}" class="chart-value">'
                        f'{escape(bar.text or _number(bar.value))}</text>')
            y += small + 4
        y += 12
    body.insert(0, f'<line x1="{BAR_START}" x2="{BAR_START}" y1="{TOP - 4}" y2="{y - 8:.1f}" class="chart-axis"/>')
    return _frame(chart_id, title, desc, y + TOP, body)


# --- the dashboard's charts ---------------------------------------------------------------------------------

def dashboard_charts(dashboard) -> dict[str, Markup]:
    counts = dashboard.counts
    charts = {}
    bars = [Bar(str(STATE_LABELS[state]), counts[state], f"bar state-fill-{state}") for state in STATES]
    bars.append(Bar(_("Overdue"), counts["overdue"], "bar bar-overdue"))
    charts["states"] = bar_chart(
        "chart-states", _("Students by state"),
        _("Horizontal bars, one per state, with the number of students written after each bar; "
          "overdue students are counted again in the last bar. The table beside has the same numbers."),
        bars, gaps_before={len(STATES)})

    if dashboard.reviewers:
        bars = [Bar(row.name, row.open, "bar bar-open",
                    _("%(open)d open, %(overdue)d overdue", open=row.open, overdue=row.overdue) if row.overdue
                    else _("%(open)d open", open=row.open))
                for row in dashboard.reviewers]
        charts["reviewers"] = bar_chart(
            "chart-reviewers", _("Open reviews per reviewer"),
            _("Horizontal bars, one per reviewer, with the number of open reviews and how many of them are "
              "overdue written after each bar. The table below has the same numbers and the turnaround."), bars)

    rubric = dashboard.rubric
    if rubric.plans_reviewed:
        legend = [(f"level-{index}", title) for index, (_key, title) in enumerate(rubric.levels)]
        legend.append(("level-none", _("Not scored")))
        rows = []
        for key, title in rubric.criteria:
            reached = rubric.reached[key]
            segments = [Segment(reached[level], f"level-{index}", str(reached[level]),
                                f"{level_title} {reached[level]}")
                        for index, (level, level_title) in enumerate(rubric.levels)]
            segments.append(Segment(reached[None], "level-none", str(reached[None])))
            rows.append((title, segments, ngettext("%(num)d plan", "%(num)d plans", sum(reached.values()))))
        charts["rubric"] = stacked_chart(
            "chart-rubric", _("Levels reached per criterion"),
            _("One bar per criterion, split by level from the lowest on the left to the highest on the right, "
              "as in the legend; each part shows its number of plans. The table beside has the same numbers."),
            rows, legend)
    if rubric.plans_compared:
        rows = []
        for key, title in rubric.criteria:
            moved = rubric.movement[key]
            segments = [Segment(moved["down"], "move-down", f"↓ {moved['down']}"),
                        Segment(moved["same"], "move-same", f"= {moved['same']}"),
                        Segment(moved["up"], "move-up", f"↑ {moved['up']}")]
            rows.append((title, segments, ngettext("%(num)d plan", "%(num)d plans", sum(moved.values()))))
        charts["movement"] = stacked_chart(
            "chart-movement", _("From first to latest review"),
            _("One bar per criterion, split into plans that moved down a level (↓), stayed the same (=) or "
              "moved up (↑) between their first and latest released review. The table beside has the numbers."),
            rows, [("move-down", _("↓ moved down")), ("move-same", _("= stayed the same")),
                   ("move-up", _("↑ moved up"))])

    language = dashboard.language
    if language.categories:
        groups = []
        for key, first, latest in language.categories:
            first_rate = language.rate(first, language.first_words) or 0.0
            latest_rate = language.rate(latest, language.latest_words) or 0.0
            groups.append((category_label(key), [
                Bar(_("first"), first_rate, "bar bar-first", _("first %(rate)s", rate=f"{first_rate:.1f}")),
                Bar(_("latest"), latest_rate, "bar bar-latest", _("latest %(rate)s", rate=f"{latest_rate:.1f}")),
            ]))
        charts["language"] = paired_chart(
            "chart-language", _("Hints per 1,000 words, first and latest version"),
            _("Two bars per kind of hint: the upper one for the plans' first versions, the lower one for their "
              "latest versions, each followed by the number of hints per 1,000 words. Shorter lower bars mean "
              "fewer hints after feedback. The table beside has the same numbers."), groups)
    return charts


def reviewer_quality_charts(rows) -> dict[str, Markup]:
    """Reviewing the reviews: released reviews and the share of rated comments found helpful, per reviewer."""
    charts: dict[str, Markup] = {}
    if not rows:
        return charts
    charts["released"] = bar_chart(
        "chart-released", _("Released reviews per reviewer"),
        _("Horizontal bars, one per reviewer, with the number of reviews they released and their median turnaround "
          "written after each bar. The table above has the same numbers."),
        [Bar(row.name, row.released, "bar bar-open",
             _("%(n)d released, median %(days)s days", n=row.released, days=f"{row.median_days:.1f}")
             if row.median_days is not None else _("%(n)d released", n=row.released)) for row in rows])
    charts["helpful"] = bar_chart(
        "chart-helpful", _("Comments students found helpful"),
        _("Horizontal bars, one per reviewer, as long as the share of their rated comments that students found "
          "somewhat or very helpful; the share and the number of rated comments are written after each bar. "
          "The table above has the same numbers."),
        [Bar(row.name, row.helpful_share or 0, "bar bar-latest",
             _("%(share)s %% of %(n)d rated", share=f"{row.helpful_share:.0f}", n=row.rated)
             if row.helpful_share is not None else _("no ratings yet")) for row in rows])
    return charts
