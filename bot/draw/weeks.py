"""The picture of a client's own weeks (/myweeks): a calendar, one row a week, Monday first.

Each day shows its check-ins left to right, in the order they came: one the client answered is
a small gauge filled to the energy chosen (one part "Very little", two "Some", three "Plenty"),
each level with its own colour and hatching; one let pass is an empty gauge with a dashed edge.
A note written is a diamond (with how many, when more than one); a network meeting day is
hatched and starred; today has a thick edge; days still to come are grey. Nothing depends on
colour alone (the count of filled parts, hatching, shape and place say the same), and the colours
are Okabe and Ito's, told apart with every common kind of colour blindness. No scores, no streaks,
no lines through time.

Drawn with matplotlib's object-oriented API (``Figure`` and ``FigureCanvasAgg``, never pyplot,
which keeps global state and is not thread-safe), imported the first time a picture is drawn, so
that starting the bot never loads it. ``draw_weeks`` blocks for a few hundred milliseconds: call
it off the event loop (``asyncio.to_thread``). Pictures are drawn one at a time (a lock), so that
two never share matplotlib's caches at once.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.core.my_weeks import DAYS, ENERGY, Day, Mark, Weeks

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Okabe & Ito's palette, safe with every common colour blindness.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
BLUE = "#0072B2"
REDDISH_PURPLE = "#CC79A7"
INK = "#1f1f1f"
SOFT_INK = "#555555"
LINES = "#9a9a9a"
TO_COME = "#ededed"

FILL = {Mark.LEAST: ORANGE, Mark.MIDDLE: SKY_BLUE, Mark.MOST: BLUISH_GREEN}
HATCH = {Mark.LEAST: "////", Mark.MIDDLE: "...", Mark.MOST: ""}
PARTS = {Mark.LEAST: 1, Mark.MIDDLE: 2, Mark.MOST: 3}
NOTE = BLUE
MEETING = REDDISH_PURPLE
MEETING_HATCH = "#b5628f"  # the same purple, a little darker: its thin lines stay visible

DPI = 100
WIDTH = 12.0  # inches: 1200 pixels
MARGIN = 0.35
LABELS_WIDTH = 1.35  # the column of week labels
TOP = 1.0  # the title
HEAD = 0.45  # the weekday names
LEGEND = 1.35
GAUGE_WIDTH = 0.17
GAUGE_GAP = 0.06
GAUGES = 4  # shown side by side in a day; beyond that, "+2"

_DRAWING = threading.Lock()


def cell_height(weeks: int) -> float:
    """How tall a week's row is (inches): roomy for 4 weeks, tighter for 12."""
    return max(0.7, 1.1 - 0.05 * (weeks - 4))


def size(weeks: int) -> tuple[int, int]:
    """Width and height in pixels of the picture of ``weeks`` weeks."""
    return round(WIDTH * DPI), round(_height(weeks) * DPI)


def _height(weeks: int) -> float:
    return TOP + HEAD + weeks * cell_height(weeks) + LEGEND + 0.15


def draw_weeks(
    summary: Weeks,
    labels: Mapping[str, str],
    *,
    weekdays: Sequence[str],
    rows: Sequence[str],
) -> bytes:
    """The picture of ``summary`` as PNG bytes (1200 pixels wide).

    ``labels`` are the words on it, already in the reader's language: ``title``, ``energy``,
    ``least``, ``middle``, ``most``, ``passed``, ``note``, ``meeting``, ``today``, ``week_of``
    and ``nothing_yet``; ``weekdays`` the short names of Monday to Sunday; ``rows`` a label for
    each week, oldest first."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _DRAWING:
        height = _height(summary.weeks)
        figure = Figure(figsize=(WIDTH, height), dpi=DPI, facecolor="white")
        canvas = FigureCanvasAgg(figure)
        ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        # Inches, y downwards: shapes keep their proportions whatever the number of weeks.
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(height, 0)
        ax.set_axis_off()
        shapes = _Shapes(ax)
        _Calendar(shapes, summary, labels, weekdays, rows).draw()
        legend_top = TOP + HEAD + summary.weeks * cell_height(summary.weeks)
        _Legend(shapes, canvas.get_renderer(), labels, legend_top).draw()
        shapes.finish()
        out = io.BytesIO()
        canvas.print_png(out, metadata={"Software": None})
        return out.getvalue()


class _Shapes:
    """Shapes gathered by layer and hatching, then drawn as a few collections: one call each
    instead of one per shape, which keeps a twelve-week picture quick to draw."""

    # Layers, bottom to top.
    CELLS, MEETINGS, TODAY, FRAMES, FILLS, MARKS = range(1, 7)

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.groups: dict[tuple[int, str], list[Any]] = {}
        self.lines: list[tuple[tuple[float, float], tuple[float, float]]] = []
        self.stars: list[tuple[float, float]] = []

    def box(
        self,
        layer: int,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        face: str = "none",
        edge: str = INK,
        lw: float = 1.0,
        hatch: str = "",
        dashed: bool = False,
    ) -> None:
        from matplotlib.patches import Rectangle

        style = (0, (2.5, 1.5)) if dashed else "solid"
        shape = Rectangle(
            (x, y), w, h, facecolor=face, edgecolor=edge, linewidth=lw, linestyle=style
        )
        self.groups.setdefault((layer, hatch), []).append(shape)

    def diamond(self, x: float, y: float, r: float) -> None:
        from matplotlib.patches import Polygon

        points = [(x, y - r * 1.3), (x + r, y), (x, y + r * 1.3), (x - r, y)]
        shape = Polygon(points, closed=True, facecolor=NOTE, edgecolor=INK, linewidth=0.9)
        self.groups.setdefault((self.MARKS, ""), []).append(shape)

    def line(self, x0: float, x1: float, y: float) -> None:
        self.lines.append(((x0, y), (x1, y)))

    def star(self, x: float, y: float) -> None:
        self.stars.append((x, y))

    def text(self, x: float, y: float, words: str, **style: Any) -> Any:
        style = {"fontsize": 12, "color": INK, "ha": "left", "va": "center", **style}
        return self.ax.text(x, y, words, zorder=self.MARKS + 2, **style)

    def finish(self) -> None:
        from matplotlib.collections import LineCollection, PatchCollection

        for (layer, hatch), shapes in self.groups.items():
            group = PatchCollection(shapes, match_original=True, zorder=layer)
            if hatch:
                group.set_hatch(hatch)
            self.ax.add_collection(group, autolim=False)
        if self.lines:
            lines = LineCollection(self.lines, colors=LINES, linewidths=0.6, zorder=self.MARKS)
            self.ax.add_collection(lines, autolim=False)
        if self.stars:
            xs, ys = zip(*self.stars, strict=True)
            self.ax.scatter(
                xs,
                ys,
                s=230,
                marker="*",
                c=MEETING,
                edgecolors=INK,
                linewidths=0.8,
                zorder=self.MARKS + 1,
            )


class _Calendar:
    """The title, the weekday names, the week labels and a cell for each day."""

    def __init__(
        self,
        shapes: _Shapes,
        summary: Weeks,
        labels: Mapping[str, str],
        weekdays: Sequence[str],
        rows: Sequence[str],
    ) -> None:
        self.shapes = shapes
        self.summary = summary
        self.labels = labels
        self.weekdays = weekdays
        self.rows = rows
        self.left = MARGIN + LABELS_WIDTH
        self.top = TOP + HEAD
        self.width = (WIDTH - 2 * MARGIN - LABELS_WIDTH) / DAYS
        self.height = cell_height(summary.weeks)

    def draw(self) -> None:
        shapes, labels = self.shapes, self.labels
        shapes.text(MARGIN, TOP / 2, labels["title"], fontsize=20, fontweight="bold")
        shapes.text(
            self.left - 0.15,
            self.top - 0.1,
            labels["week_of"],
            fontsize=10,
            color=SOFT_INK,
            ha="right",
            va="bottom",
        )
        for column, name in enumerate(self.weekdays):
            x = self.left + (column + 0.5) * self.width
            shapes.text(
                x, self.top - 0.1, name, fontsize=13, fontweight="bold", ha="center", va="bottom"
            )
        for row in range(self.summary.weeks):
            y = self.top + row * self.height
            shapes.text(self.left - 0.15, y + self.height / 2, self.rows[row], ha="right")
            for column, day in enumerate(self.summary.week(row)):
                self.day(day, self.left + column * self.width, y)
        if self.summary.empty:
            middle = (
                self.left + DAYS * self.width / 2,
                self.top + self.summary.weeks * self.height / 2,
            )
            shapes.text(
                *middle,
                labels["nothing_yet"],
                fontsize=18,
                color=SOFT_INK,
                ha="center",
                bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": LINES},
            )

    def day(self, day: Day, x: float, y: float) -> None:
        shapes, w, h = self.shapes, self.width, self.height
        to_come = day.day > self.summary.today
        shapes.box(
            shapes.CELLS, x, y, w, h, face=TO_COME if to_come else "white", edge=LINES, lw=0.8
        )
        if day.meeting:
            meeting_mark(shapes, x, y, w, h)
        today = day.day == self.summary.today
        if today:
            shapes.box(shapes.TODAY, x + 0.02, y + 0.02, w - 0.04, h - 0.04, lw=2.6)
        shapes.text(
            x + 0.09,
            y + 0.07,
            str(day.day.day),
            fontsize=10,
            va="top",
            color=INK if today else SOFT_INK,
            fontweight="bold" if today else "normal",
        )
        bottom = y + h - 0.09
        tall = min(0.42, h - 0.38)
        shown = day.marks if len(day.marks) <= GAUGES else day.marks[: GAUGES - 1]
        for index, mark in enumerate(shown):
            gauge(shapes, mark, x + 0.1 + index * (GAUGE_WIDTH + GAUGE_GAP), bottom, tall)
        if len(shown) < len(day.marks):
            more = f"+{len(day.marks) - len(shown)}"
            shapes.text(
                x + 0.1 + len(shown) * (GAUGE_WIDTH + GAUGE_GAP),
                bottom - tall / 2,
                more,
                fontsize=11,
            )
        if day.notes:
            note_mark(shapes, x + w - 0.36, bottom - tall / 2, day.notes)


def gauge(shapes: _Shapes, mark: Mark, x: float, bottom: float, tall: float) -> None:
    """One check-in: filled to its energy (1, 2 or 3 parts), or empty and dashed (let pass)."""
    top = bottom - tall
    if mark is Mark.PASSED:
        shapes.box(
            shapes.FRAMES,
            x,
            top,
            GAUGE_WIDTH,
            tall,
            face="white",
            edge=SOFT_INK,
            lw=1.3,
            dashed=True,
        )
        return
    part = tall / 3
    shapes.box(shapes.FRAMES, x, top, GAUGE_WIDTH, tall, face="white", lw=1.0)
    for index in range(PARTS[mark]):
        shapes.box(
            shapes.FILLS,
            x,
            bottom - (index + 1) * part,
            GAUGE_WIDTH,
            part,
            face=FILL[mark],
            lw=0.8,
            hatch=HATCH[mark],
        )
    for index in range(PARTS[mark], 3):
        shapes.line(x, x + GAUGE_WIDTH, bottom - index * part)


def note_mark(shapes: _Shapes, x: float, y: float, count: int) -> None:
    """Notes written that day: a diamond, and how many when more than one."""
    shapes.diamond(x, y, 0.1)
    if count > 1:
        shapes.text(x + 0.14, y, f"×{count}", fontsize=11)


def meeting_mark(shapes: _Shapes, x: float, y: float, w: float, h: float) -> None:
    """A network meeting day: the day hatched, and a star in its corner."""
    shapes.box(shapes.MEETINGS, x, y, w, h, edge=MEETING_HATCH, lw=0.0, hatch="\\\\")
    shapes.star(x + w - 0.17, y + 0.17)


class _Legend:
    """What each mark means, in words, under the calendar: the energies on one line, the
    other marks on the next."""

    def __init__(
        self, shapes: _Shapes, renderer: Any, labels: Mapping[str, str], top: float
    ) -> None:
        self.shapes = shapes
        self.renderer = renderer
        self.labels = labels
        self.top = top

    def label(self, x: float, y: float, words: str, **style: Any) -> float:
        """Words at ``x``; where the next item may start."""
        extent = self.shapes.text(x, y, words, **style).get_window_extent(self.renderer)
        return float(x + extent.width / DPI + 0.35)

    def draw(self) -> None:
        shapes, tall, side = self.shapes, 0.36, 0.44
        y = self.top + 0.5
        x = self.label(MARGIN, y, self.labels["energy"] + ":", fontweight="bold")
        for mark in ENERGY:
            gauge(shapes, mark, x, y + tall / 2, tall)
            x = self.label(x + GAUGE_WIDTH + 0.1, y, self.labels[mark.value])
        y += 0.55
        x = MARGIN
        gauge(shapes, Mark.PASSED, x, y + tall / 2, tall)
        x = self.label(x + GAUGE_WIDTH + 0.1, y, self.labels["passed"])
        note_mark(shapes, x + 0.1, y, 1)
        x = self.label(x + 0.3, y, self.labels["note"])
        shapes.box(shapes.CELLS, x, y - side / 2, side, side, face="white", edge=LINES, lw=0.8)
        meeting_mark(shapes, x, y - side / 2, side, side)
        x = self.label(x + side + 0.12, y, self.labels["meeting"])
        shapes.box(shapes.TODAY, x, y - side / 2, side, side, lw=2.6)
        self.label(x + side + 0.12, y, self.labels["today"])
