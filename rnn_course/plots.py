"""Plots that the notebooks share: training curves, hidden-state heat maps, classifiers' errors.

Every figure here follows the course's rule for figures (``COURSE_DESIGN.md``, "Figures"): at
most 10 in wide, all text at least 9 pt at that size, axis labels, a title, legends with
meaningful names and a colour-blind-safe palette. :func:`legibility_problems` checks a figure
against that rule, and the tests run it on every helper.

The helpers draw inside :func:`style`, a context that applies :data:`COURSE_STYLE`; importing
this module leaves matplotlib's global ``rcParams`` alone. Notebooks that draw their own figures
can use the same style::

    with rnn_course.plots.style():
        fig, ax = plt.subplots()
        ...
    assert rnn_course.plots.legibility_problems(fig) == []
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import matplotlib
import matplotlib.axis as maxis
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import cycler
from matplotlib import patheffects as mpe
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

__all__ = [
    "COURSE_STYLE",
    "HISTORY_LABELS",
    "OKABE_ITO",
    "legibility_problems",
    "plot_confusion_matrix",
    "plot_entity_spans",
    "plot_hidden_states",
    "plot_history",
    "plot_runs",
    "plot_token_saliency",
    "style",
]

#: The Okabe–Ito palette, distinguishable with the common colour-vision deficiencies, in the
#: order the course's line plots use it (yellow last: it is faint on white).
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

#: rc settings of the course's figures: text of 10 pt and more, the Okabe–Ito colour cycle.
COURSE_STYLE = {
    "figure.figsize": (6.5, 4.0),
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "figure.titlesize": 13,
    "figure.labelsize": 11,
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
}

#: Legend names that :func:`plot_history` gives Keras' history keys by default.
HISTORY_LABELS = {
    "loss": "training",
    "val_loss": "validation",
    "accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
}

_LINESTYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

# Heat maps of hidden states.
_HEATMAP_CMAP = "RdBu_r"
_TOKEN_FONT = "DejaVu Sans Mono"  # ships with matplotlib; has the whitespace glyphs below
_TOKEN_FONTSIZE = 10
_WHITESPACE_GLYPHS = {" ": "␣", "\n": "↵", "\t": "⇥"}
_HIGHLIGHT_COLOR = "black"  # with a white halo: visible on both ends and the middle of RdBu
_HIGHLIGHT_GID = "highlight"
_NAN_COLOR = "#BBBBBB"  # NaN states: grey with a hatch, unlike any colour of RdBu
_MAX_FIG_WIDTH = 10.0
_CELL_WIDTH = 0.2  # inches per token column: a 10 pt monospace glyph is about 0.08 in wide
_SIDE_MARGIN = 2.0  # inches for the unit labels, the colorbar and its label
_TICK_SPACING = 0.2  # inches between labelled units: 10 pt text is about 0.14 in high

# Legend names that are keys of a Keras History rather than names for a reader.
_RAW_KERAS_KEYS = re.compile(
    r"^(val_\w+|loss|acc|accuracy|lr|learning_rate|mse|mae|mape|msle"
    r"|(sparse_|binary_|top_k_|sparse_top_k_)?(categorical_)?(accuracy|crossentropy)"
    r"|mean_(squared|absolute)(_percentage|_logarithmic)?_error)$"
)


_TITLE_ATTRIBUTES = ("title", "_left_title", "_right_title")  # an Axes' three titles


@contextmanager
def style() -> Iterator[None]:
    """A context in which matplotlib uses the course's style (:data:`COURSE_STYLE`).

    Text sizes are fixed when a text is made, so figures made inside the context keep the style
    after it ends. Global ``rcParams`` come back unchanged, except interactive mode: Jupyter's
    inline backend switches it on when a kernel draws its first figure, and if that happens
    inside the context it must stay on, or no later figure of the notebook is shown.
    """
    interactive = matplotlib.is_interactive()
    try:
        with plt.rc_context(COURSE_STYLE):
            try:
                yield
            finally:
                interactive = matplotlib.is_interactive()
    finally:
        matplotlib.interactive(interactive)


# --------------------------------------------------------------------------------------------
# The legibility check
# --------------------------------------------------------------------------------------------


def legibility_problems(fig, *, max_width: float = 10, min_fontsize: float = 9) -> list[str]:
    """List what makes a figure hard to read at notebook width; an empty list means legible.

    The figure is drawn (without rendering pixels) so that tick labels and layout are final, then
    checked for:

    - a width above ``max_width`` inches;
    - visible text smaller than ``min_fontsize`` points: tick labels, axis labels, titles,
      suptitles, legend texts and titles, colorbar labels, annotations, other texts;
    - tick labels on the same axis that overlap each other;
    - an axes with data but no x or y label (a label on an axes it shares that axis with, or a
      figure-wide ``supxlabel``/``supylabel``, counts; axes drawn with ``axis("off")`` are
      skipped); a colorbar without a label (a colorbar needs no title);
    - no title on any axes and no suptitle;
    - a legend entry that is a raw Keras history key (``loss``, ``val_loss``, ``accuracy``,
      ``val_accuracy``, any ``val_...``, metric names such as ``sparse_categorical_accuracy``).

    Invisible artists and empty texts are ignored, as are tick labels outside the axis limits.

    Args:
        fig: a matplotlib ``Figure``, or an ``Axes`` (its figure is checked).
        max_width: the widest figure allowed, in inches.
        min_fontsize: the smallest text allowed, in points at the figure's size.

    Returns:
        One human-readable sentence per problem.
    """
    if isinstance(fig, Axes):
        fig = fig.get_figure(root=True)
    if not isinstance(fig, Figure):
        raise TypeError(
            f"legibility_problems expects a matplotlib Figure or Axes, got {type(fig).__name__}"
        )
    problems: list[str] = []

    width, height = fig.get_size_inches()
    if width > max_width + 1e-9:
        problems.append(
            f"figure is {width:.3g} in wide; at most {max_width:g} in fits a notebook "
            f"(figsize is {width:.3g} x {height:.3g} in)"
        )

    fig.draw_without_rendering()  # tick labels get their text, layout engines run
    names = _axes_names(fig)

    # Text too small, grouped by where it is and its size.
    small: dict[tuple[str, float], list[str]] = {}
    for text, where in _visible_texts(fig, names):
        size = float(text.get_fontsize())
        if size < min_fontsize - 1e-9:
            small.setdefault((where, size), []).append(text.get_text())
    for (where, size), strings in small.items():
        problems.append(
            f"{where} at {size:g} pt, smaller than {min_fontsize:g} pt: {_examples(strings)}"
        )

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        name = names[ax]
        if ax.axison:
            for letter, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
                overlapping = _overlapping_ticklabels(axis)
                if overlapping:
                    problems.append(
                        f"{letter} tick labels of {name} overlap: {_examples(overlapping)}"
                    )
        if _is_colorbar(ax):
            if not (_has_label(ax.xaxis) or _has_label(ax.yaxis)):
                problems.append(f"{name} has no label (say what the colours measure)")
            continue
        if not ax.axison or not ax.has_data():
            continue
        for letter, shared, suplabel in (
            ("x", ax.get_shared_x_axes(), "get_supxlabel"),
            ("y", ax.get_shared_y_axes(), "get_supylabel"),
        ):
            siblings = shared.get_siblings(ax)
            labelled = any(_has_label(getattr(s, f"{letter}axis")) for s in siblings)
            if not labelled and not _figure_text(ax, suplabel):
                problems.append(f"{name} has data but no {letter}-axis label")

    titled = any(
        ax.get_visible() and ax.get_title(loc).strip()
        for ax in fig.axes
        if not _is_colorbar(ax)
        for loc in ("center", "left", "right")
    ) or _figure_text(fig, "get_suptitle")
    if not titled:
        problems.append("figure has no title: give an axes a title or the figure a suptitle")

    for legend, where in _legends(fig, names):
        raw = [t.get_text() for t in legend.get_texts() if _RAW_KERAS_KEYS.match(t.get_text())]
        if raw:
            problems.append(
                f"legend of {where} shows raw Keras history keys {raw}; "
                "name the curves for a reader (e.g. 'training', 'validation')"
            )
    return problems


def _axes_names(fig: Figure) -> dict[Axes, str]:
    """Names of the figure's axes for messages: 'axes 2 ("title")', 'colorbar 1'."""
    names: dict[Axes, str] = {}
    n_axes = n_colorbars = 0
    for ax in fig.axes:
        if _is_colorbar(ax):
            n_colorbars += 1
            label = ax.get_ylabel() or ax.get_xlabel()
            names[ax] = f"colorbar {n_colorbars}" + (f" ({label!r})" if label else "")
        else:
            n_axes += 1
            title = ax.get_title() or ax.get_title("left") or ax.get_title("right")
            names[ax] = f"axes {n_axes}" + (f" ({title!r})" if title else "")
    return names


def _is_colorbar(ax: Axes) -> bool:
    return hasattr(ax, "_colorbar") or ax.get_label() == "<colorbar>"


def _has_label(axis: maxis.Axis) -> bool:
    return bool(axis.get_visible() and axis.label.get_visible() and axis.label.get_text().strip())


def _figure_text(artist, getter: str) -> bool:
    """Whether the (sub)figure holding ``artist`` has a non-empty suptitle/supxlabel/supylabel."""
    figures = {artist} if isinstance(artist, Figure) else set()
    if isinstance(artist, Axes):
        figures = {artist.get_figure(root=False), artist.get_figure(root=True)}
    return any(getattr(f, getter, lambda: "")().strip() for f in figures if f is not None)


def _examples(strings: Sequence[str], n: int = 4) -> str:
    shown = ", ".join(repr(s) for s in strings[:n])
    more = len(strings) - n
    return shown + (f" and {more} more" if more > 0 else "")


def _ticks_in_view(axis: maxis.Axis) -> list:
    """The axis' major and minor ticks that lie within its view limits (the ones drawn)."""
    low, high = sorted(axis.get_view_interval())
    tolerance = 1e-9 * max(abs(low), abs(high), 1.0)
    ticks = list(axis.get_major_ticks()) + list(axis.get_minor_ticks())
    return [t for t in ticks if low - tolerance <= t.get_loc() <= high + tolerance]


def _visible_texts(fig: Figure, names: Mapping[Axes, str]) -> Iterator[tuple[Text, str]]:
    """Every visible, non-empty text of the figure with a description of where it is."""

    def walk(artist, where: str, kind: str) -> Iterator[tuple[Text, str]]:
        if not artist.get_visible():
            return
        if isinstance(artist, Text):
            if artist.get_text().strip():
                yield artist, f"{kind} of {where}"
            return
        if isinstance(artist, maxis.Axis):
            letter = artist.axis_name
            yield from walk(artist.label, where, f"{letter}-axis label")
            yield from walk(artist.offsetText, where, f"{letter}-axis offset text")
            for tick in _ticks_in_view(artist):
                yield from walk(tick, where, f"{letter} tick labels")
            return
        if isinstance(artist, Legend):
            kind = "legend"
        for child in artist.get_children():
            if isinstance(child, maxis.Axis) and isinstance(artist, Axes) and not artist.axison:
                continue  # axis("off"): its labels are not drawn
            if isinstance(child, Text) and isinstance(artist, Axes) and kind == "texts":
                titles = [getattr(artist, a, None) for a in _TITLE_ATTRIBUTES]
                child_kind = "title" if any(child is t for t in titles) else "text"
                yield from walk(child, where, child_kind)
            else:
                yield from walk(child, where, kind)

    for ax in fig.axes:
        yield from walk(ax, names[ax], "texts")
    for child in fig.get_children():
        if isinstance(child, Axes):
            continue  # walked above, with their names (subfigures share the axes list)
        if isinstance(child, Text):
            titles = {fig.get_suptitle(), fig.get_supxlabel(), fig.get_supylabel()}
            kind = "suptitle or suplabel" if child.get_text() in titles else "text"
            yield from walk(child, "the figure", kind)
        else:
            yield from walk(child, "the figure", "text")


def _overlapping_ticklabels(axis: maxis.Axis) -> list[str]:
    """Texts of visible tick labels on one axis whose boxes overlap a neighbour's."""
    overlapping: list[str] = []
    ticks = [t for t in _ticks_in_view(axis) if t.get_visible()]
    along = 0 if axis.axis_name == "x" else 1
    for side in ("label1", "label2"):  # the two sides of the axes, compared separately
        labels = [getattr(t, side) for t in ticks]
        labels = [lab for lab in labels if lab.get_visible() and lab.get_text().strip()]
        boxes = sorted(
            ((lab.get_window_extent(), lab.get_text()) for lab in labels),
            key=lambda item: item[0].x0 if along == 0 else item[0].y0,
        )
        for (a, text_a), (b, text_b) in zip(boxes, boxes[1:], strict=False):
            gap = (b.x0 - a.x1) if along == 0 else (b.y0 - a.y1)
            if gap < -1.0:  # more than a pixel of overlap
                overlapping += [t for t in (text_a, text_b) if t not in overlapping]
    return overlapping


def _legends(fig: Figure, names: Mapping[Axes, str]) -> Iterator[tuple[Legend, str]]:
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_visible() and ax.get_visible():
            yield legend, names[ax]
    for legend in fig.legends:
        if legend.get_visible():
            yield legend, "the figure"


# --------------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------------


def plot_history(
    history,
    keys: Sequence[str] = ("loss", "val_loss"),
    *,
    labels: Mapping[str, str] | None = None,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str | None = None,
    ax=None,
):
    """Plot training curves from a ``keras.callbacks.History`` or a dict of lists.

    Args:
        history: ``model.fit(...)``'s return value, its ``.history`` dict, or any mapping from
            a name to a list of values (one per epoch).
        keys: which curves to draw (one key alone may be a string); a missing key is an error,
            so a typo does not pass silently.
        labels: legend names for some or all of ``keys``. Keys without one get a readable
            default from :data:`HISTORY_LABELS` (``"loss"`` -> ``"training"``, ``"val_loss"``
            -> ``"validation"``, ``"accuracy"`` -> ``"training accuracy"``, ``"val_accuracy"``
            -> ``"validation accuracy"``); any other key is its own name.
        xlabel, ylabel: axis labels; say the unit, e.g. ``"cross-entropy (nats/char)"``.
        title: the axes title; ``None`` gives ``"training curves"``, ``""`` none.
        ax: a matplotlib axes to draw on; a new 6.5 x 4 in figure when ``None``.

    Returns:
        The axes.
    """
    curves = getattr(history, "history", history)
    if not isinstance(curves, Mapping):
        raise TypeError(
            "plot_history expects a keras History or a mapping from names to lists of values, "
            f"got {type(history).__name__}"
        )
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        raise ValueError(f"plot_history: keys is empty; available: {sorted(curves)}")
    missing = [k for k in keys if k not in curves]
    if missing:
        raise KeyError(f"plot_history: no curve named {missing}; available: {sorted(curves)}")
    labels = {} if labels is None else labels
    if not isinstance(labels, Mapping):
        raise TypeError(
            "plot_history: labels must map keys to legend names, e.g. "
            f"{{'loss': 'training'}}, got {type(labels).__name__}"
        )
    unknown = [k for k in labels if k not in keys]
    if unknown:
        raise KeyError(f"plot_history: labels names {unknown}, which are not among keys {keys}")
    names = {k: str(labels.get(k, HISTORY_LABELS.get(k, k))) for k in keys}
    values = {k: _curve(curves[k], k) for k in keys}

    with style():
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 4.0), layout="constrained")
        for i, key in enumerate(keys):
            y = values[key]
            ax.plot(
                np.arange(1, len(y) + 1),
                y,
                color=OKABE_ITO[i % len(OKABE_ITO)],
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                marker=_MARKERS[i % len(_MARKERS)] if len(y) < 30 else None,
                label=names[key],
            )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=COURSE_STYLE["xtick.labelsize"])
        ax.set_xlabel(xlabel, fontsize=COURSE_STYLE["axes.labelsize"])
        ax.set_ylabel(ylabel, fontsize=COURSE_STYLE["axes.labelsize"])
        title = "training curves" if title is None else title
        if title:
            ax.set_title(title, fontsize=COURSE_STYLE["axes.titlesize"])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=COURSE_STYLE["legend.fontsize"])
    return ax


def _curve(values, key: str) -> np.ndarray:
    try:
        y = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"plot_history: curve {key!r} must be a list of numbers, got {values!r:.80}"
        ) from err
    if y.ndim != 1:
        raise ValueError(
            f"plot_history: curve {key!r} must be one value per epoch (1-D), got shape {y.shape}"
        )
    if y.size == 0:
        raise ValueError(f"plot_history: curve {key!r} is empty (no epoch recorded)")
    return y


# --------------------------------------------------------------------------------------------
# Hidden states along a sequence
# --------------------------------------------------------------------------------------------


def plot_hidden_states(
    states,
    tokens: Sequence[str],
    *,
    units: Sequence[int] | None = None,
    title: str | None = None,
    highlight=None,
    max_columns: int = 40,
    ax=None,
) -> Figure:
    """Draw hidden states ``h_t`` as a heat map: one row per unit, one column per token.

    A sequence longer than ``max_columns`` tokens is wrapped into several panels, one under the
    other, that share one colour scale and one colorbar, so that the figure stays at most 10 in
    wide with every token's label readable. Whitespace tokens are drawn visibly: a space as
    ``␣``, a newline as ``↵``, a tab as ``⇥`` (other whitespace as its escape, e.g. ``\\r``).
    The colour scale is -1 to 1 (``tanh`` states), or symmetric around 0 out to the largest
    ``|h_t|`` when that is larger; NaN states show as a grey hatch.

    Args:
        states: array of shape ``(time, units)``: the hidden state after each token.
        tokens: the ``time`` tokens (characters or words) that label the columns; a string is
            taken as its characters.
        units: which units (rows) to show, in that order; all when ``None``. When a row cannot
            get a label of readable size, every second (third, ...) row is labelled.
        title: figure title; ``None`` gives ``"hidden state h_t along the sequence"``.
        highlight: spans of tokens to outline, for what the text asks readers to compare:
            a list of ``(start, stop)`` pairs, or a dict ``{label: (start, stop)}`` whose labels
            are written above the spans. ``start`` and ``stop`` are Python slice bounds (``stop``
            excluded, ``0 <= start < stop <= time``); ``slice`` objects work too. A span that
            crosses a panel break is outlined in both panels, its label repeated as
            ``"label (cont.)"``.
        max_columns: the most tokens in one panel. At the default 40 the figure is 10 in wide.
        ax: a matplotlib axes to draw on, only when the sequence fits one panel
            (``time <= max_columns``); a new figure when ``None``.

    Returns:
        The figure. Its axes are the panels, top to bottom, then the colorbar; the highlight
        outlines are the panels' ``Rectangle`` patches with gid ``"highlight"``.

    Raises:
        ValueError, TypeError: for input of the wrong shape or type, naming what was expected.
    """
    values, tokens, units, spans, max_columns = _check_heatmap_input(
        states, tokens, units, highlight, max_columns
    )
    n_time, n_units = values.shape
    n_rows = math.ceil(n_time / max_columns)
    n_cols = min(n_time, max_columns)
    if ax is not None and n_rows > 1:
        raise ValueError(
            f"plot_hidden_states: {n_time} tokens do not fit one panel of max_columns="
            f"{max_columns}, and an axes given as ax holds only one; pass ax=None to get a "
            f"figure of {n_rows} panels, or max_columns >= {n_time}"
        )
    finite = np.abs(values[np.isfinite(values)])
    limit = max(1.0, float(finite.max()))
    title = "hidden state $h_t$ along the sequence" if title is None else title
    labelled = any(label is not None for label, _, _ in spans)

    with style():
        if ax is None:
            panel_height = min(max(0.1 * n_units, 0.9), 3.6)
            width = min(_MAX_FIG_WIDTH, max(4.5, _SIDE_MARGIN + _CELL_WIDTH * n_cols))
            height = n_rows * (panel_height + (1.1 if labelled else 0.85)) + 0.45
            fig, grid = plt.subplots(
                n_rows, 1, figsize=(width, height), layout="constrained", squeeze=False
            )
            axes = list(grid[:, 0])
        else:
            fig = ax.get_figure(root=True)
            axes = [ax]
            panel_height = ax.get_position().height * fig.get_size_inches()[1]
        row_step = max(1, math.ceil(_TICK_SPACING / (panel_height / n_units)))

        image = None
        for row, panel in enumerate(axes):
            lo, hi = row * n_cols, min(n_time, (row + 1) * n_cols)
            image = panel.imshow(
                values[lo:hi].T,
                aspect="auto",
                cmap=plt.get_cmap(_HEATMAP_CMAP).with_extremes(bad=(0, 0, 0, 0)),
                vmin=-limit,
                vmax=limit,
                interpolation="nearest",
            )
            panel.set_xlim(-0.5, n_cols - 0.5)  # a short last panel keeps the columns' width
            if hi - lo < n_cols:  # frame only the columns drawn: white would read as h_t = 0
                for side in ("top", "bottom"):
                    panel.spines[side].set_bounds(-0.5, hi - lo - 0.5)
                panel.spines["right"].set_position(("data", hi - lo - 0.5))
            if np.isnan(values[lo:hi]).any():  # NaN cells are transparent over a hatch
                panel.add_patch(
                    Rectangle(
                        (-0.5, -0.5),
                        hi - lo,
                        n_units,
                        facecolor=_NAN_COLOR,
                        edgecolor="#666666",
                        hatch="///",
                        linewidth=0,
                        zorder=-1,  # under the image
                        gid="nan",
                    )
                )
            glyphs = [_glyph(t) for t in tokens[lo:hi]]
            panel.set_xticks(range(hi - lo))
            panel.set_xticklabels(
                glyphs,
                fontsize=_TOKEN_FONTSIZE,
                fontfamily=_TOKEN_FONT,
                rotation=90 if any(len(g) > 1 for g in glyphs) else 0,
            )
            panel.tick_params(axis="x", length=2, pad=2)
            panel.set_yticks(range(0, n_units, row_step))
            panel.set_yticklabels([str(u) for u in units[::row_step]])
            panel.set_yticks(range(n_units), minor=True)
            panel.tick_params(axis="y", labelsize=COURSE_STYLE["ytick.labelsize"])
            panel.tick_params(axis="y", which="minor", length=2)
            panel.set_xlabel(
                f"tokens {lo}–{hi - 1} of {n_time} (position, from 0)",
                fontsize=COURSE_STYLE["axes.labelsize"],
            )
            panel.set_ylabel("hidden unit", fontsize=COURSE_STYLE["axes.labelsize"])
            for label, start, stop in spans:
                _outline_span(panel, label, start, stop, lo, hi, n_units)

        if ax is None:
            colorbar = fig.colorbar(image, ax=axes, fraction=0.04, pad=0.02, aspect=30)
            if title:
                fig.suptitle(title, fontsize=COURSE_STYLE["axes.titlesize"])
        else:
            colorbar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
            if title:  # leave room for the span labels above the panel
                ax.set_title(title, pad=22 if labelled else 6)
        colorbar.set_label("hidden state $h_t$", fontsize=COURSE_STYLE["axes.labelsize"])
        colorbar.ax.tick_params(labelsize=COURSE_STYLE["ytick.labelsize"])
    return fig


def _glyph(token: str) -> str:
    """A tick label for a token: whitespace made visible, ``$`` kept out of mathtext."""
    out = []
    for char in token:
        if char in _WHITESPACE_GLYPHS:
            out.append(_WHITESPACE_GLYPHS[char])
        elif char.isspace() or not char.isprintable():
            out.append(repr(char)[1:-1])
        else:
            out.append(char)
    return "".join(out).replace("$", r"\$")


def _outline_span(panel, label, start, stop, lo, hi, n_units) -> None:
    """Outline the part of token span [start, stop) that falls in the panel of tokens [lo, hi)."""
    first, last = max(start, lo), min(stop, hi)
    if first >= last:
        return
    x = first - lo - 0.5
    rect = Rectangle(
        (x, -0.5),
        last - first,
        n_units,
        fill=False,
        edgecolor=_HIGHLIGHT_COLOR,
        linewidth=2.0,
        zorder=3,
        clip_on=False,
        gid=_HIGHLIGHT_GID,
        path_effects=[mpe.withStroke(linewidth=4.0, foreground="white")],
    )
    panel.add_patch(rect)
    if label is not None:
        text = label if first == start else f"{label} (cont.)"
        panel.annotate(
            text,
            xy=(x, -0.5),
            xytext=(0, 3),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=COURSE_STYLE["legend.fontsize"],
            color=_HIGHLIGHT_COLOR,
            annotation_clip=False,
            gid=_HIGHLIGHT_GID,
        )


def _check_heatmap_input(states, tokens, units, highlight, max_columns):
    """Check plot_hidden_states' arguments; return the (time, shown units) values and the rest."""
    where = "plot_hidden_states"
    try:
        array = np.asarray(states)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{where}: states must be a (time, units) array, got {err}") from err
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{where}: states must be numeric, got an array of dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{where}: states must be real numbers, got dtype {array.dtype}")
    if array.ndim != 2:
        hint = ""
        if array.ndim == 3 and array.shape[0] == 1:
            hint = "; for a batch of one, pass states[0]"
        raise ValueError(
            f"{where}: states must have shape (time, units), got shape {array.shape}{hint}"
        )
    n_time, n_all_units = array.shape
    if n_time == 0 or n_all_units == 0:
        raise ValueError(f"{where}: states is empty, shape {array.shape}")
    array = array.astype(float)

    if isinstance(tokens, str):
        tokens = list(tokens)
    else:
        try:
            tokens = list(tokens)
        except TypeError as err:
            raise TypeError(
                f"{where}: tokens must be a sequence of strings, got {type(tokens).__name__}"
            ) from err
    bad = [(i, t) for i, t in enumerate(tokens) if not isinstance(t, str)]
    if bad:
        i, t = bad[0]
        raise TypeError(
            f"{where}: tokens must be strings, got {type(t).__name__} {t!r} at position {i}"
        )
    if len(tokens) != n_time:
        raise ValueError(
            f"{where}: got {len(tokens)} tokens for {n_time} time steps "
            f"(states has shape {array.shape}); pass one token per row of states"
        )

    if units is None:
        units = list(range(n_all_units))
    else:
        unit_array = np.asarray(units)
        if unit_array.ndim != 1 or not (
            unit_array.size == 0 or np.issubdtype(unit_array.dtype, np.integer)
        ):
            raise TypeError(
                f"{where}: units must be a list of integer unit indices, got {units!r:.80}"
            )
        units = [int(u) for u in unit_array]
        if not units:
            raise ValueError(f"{where}: units is empty; pass None to show all units")
        out = [u for u in units if not 0 <= u < n_all_units]
        if out:
            raise ValueError(
                f"{where}: units {out} out of range; states has {n_all_units} units "
                f"(0 to {n_all_units - 1})"
            )
    values = array[:, units]
    if np.isinf(values).any():
        raise ValueError(f"{where}: states contains infinite values; only finite or NaN plot")
    if np.isnan(values).all():
        raise ValueError(f"{where}: every state shown is NaN; there is nothing to plot")

    if isinstance(max_columns, bool) or not isinstance(max_columns, int | np.integer):
        raise TypeError(f"{where}: max_columns must be an int, got {max_columns!r}")
    if max_columns < 1:
        raise ValueError(f"{where}: max_columns must be at least 1, got {max_columns}")

    return values, tokens, units, _check_spans(highlight, n_time), int(max_columns)


def _check_spans(highlight, n_time: int) -> list[tuple[str | None, int, int]]:
    where = "plot_hidden_states: highlight"
    if highlight is None:
        return []
    if isinstance(highlight, Mapping):
        items = [(str(label), span) for label, span in highlight.items()]
    elif isinstance(highlight, str) or not isinstance(highlight, Sequence | np.ndarray):
        raise TypeError(
            f"{where} must be a list of (start, stop) spans or a dict {{label: (start, stop)}}, "
            f"got {type(highlight).__name__}"
        )
    else:
        # One bare pair, (3, 9), is a common slip for [(3, 9)].
        if len(highlight) == 2 and all(_is_int(v) for v in highlight):
            raise TypeError(
                f"{where} must be a list of spans; for one span write [{tuple(highlight)}], "
                f"got {tuple(highlight)}"
            )
        items = [(None, span) for span in highlight]
    spans = []
    for label, span in items:
        name = f"span {span!r}" if label is None else f"span {label!r}: {span!r}"
        if isinstance(span, slice):
            if span.step not in (None, 1):
                raise ValueError(f"{where} {name} must have no step")
            span = (span.start, span.stop)
        try:
            start, stop = span
        except (TypeError, ValueError) as err:
            raise TypeError(f"{where} {name} must be a (start, stop) pair") from err
        if not (_is_int(start) and _is_int(stop)):
            raise TypeError(f"{where} {name} must be a pair of integer token positions")
        start, stop = int(start), int(stop)
        if not 0 <= start < stop <= n_time:
            raise ValueError(
                f"{where} {name} must satisfy 0 <= start < stop <= {n_time} (the number of "
                "tokens; stop is excluded, as in a slice)"
                + ("; it is empty" if start >= stop else "")
            )
        spans.append((label, start, stop))
    return spans


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# Classifiers: confusion matrix and per-token saliency
# --------------------------------------------------------------------------------------------

_SALIENCY_CMAP = "PuOr_r"  # diverging, colour-blind safe: orange = towards the class, purple away
_SALIENCY_CELL = (0.82, 0.34)  # inches per token cell (width, height): ~10 characters at 10 pt
_SALIENCY_CHARS = 9  # longer tokens are shortened with an ellipsis


def plot_confusion_matrix(
    y_true,
    y_pred,
    class_names: Sequence[str],
    *,
    title: str = "confusion matrix",
    ax=None,
):
    """Draw a confusion matrix: counts, with each row's share of its true class.

    Args:
        y_true, y_pred: 1-D arrays of integer class ids ``0 ... len(class_names) - 1``, the
            same length.
        class_names: one name per class, in id order.
        title: the axes title.
        ax: an axes to draw on; a new figure (at most 5.5 in wide) when ``None``.

    Returns:
        ``(ax, matrix)``: the axes and the ``(classes, classes)`` integer matrix, rows = true
        class, columns = predicted class.
    """
    where = "plot_confusion_matrix"
    names = [class_names] if isinstance(class_names, str) else list(class_names)
    if len(names) < 2 or not all(isinstance(n, str) and n for n in names):
        raise ValueError(
            f"{where}: class_names must be at least two non-empty strings, got {names}"
        )
    k = len(names)
    true, pred = (
        _class_ids(where, arg, v, k) for arg, v in (("y_true", y_true), ("y_pred", y_pred))
    )
    if true.shape != pred.shape:
        raise ValueError(
            f"{where}: y_true and y_pred must have the same length, got {true.size} and {pred.size}"
        )
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (true, pred), 1)
    share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)

    with style():
        if ax is None:
            size = min(5.5, 2.2 + 1.1 * k)
            _, ax = plt.subplots(figsize=(size, size - 0.6), layout="constrained")
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for i in range(k):
            for j in range(k):
                ax.text(
                    j,
                    i,
                    f"{matrix[i, j]:,}\n({share[i, j]:.1%})",
                    ha="center",
                    va="center",
                    fontsize=COURSE_STYLE["legend.fontsize"],
                    color="white" if share[i, j] > 0.6 else "black",
                )
        ax.set_xticks(range(k), names)
        ax.set_yticks(range(k), names)
        ax.set_xlabel("predicted class", fontsize=COURSE_STYLE["axes.labelsize"])
        ax.set_ylabel("true class", fontsize=COURSE_STYLE["axes.labelsize"])
        ax.set_title(title, fontsize=COURSE_STYLE["axes.titlesize"])
        colorbar = ax.get_figure(root=True).colorbar(image, ax=ax, fraction=0.05, pad=0.03)
        colorbar.set_label("share of the true class", fontsize=COURSE_STYLE["axes.labelsize"])
        colorbar.ax.tick_params(labelsize=COURSE_STYLE["ytick.labelsize"])
    return ax, matrix


def _class_ids(where: str, arg: str, values, k: int) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{where}: {arg} must be a non-empty 1-D array, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"{where}: {arg} must hold integer class ids, got dtype {array.dtype} (for "
            "probabilities or logits, take the argmax or threshold them first)"
        )
    bad = array[(array < 0) | (array >= k)]
    if bad.size:
        raise ValueError(
            f"{where}: {arg} holds class id {int(bad[0])}, outside 0 ... {k - 1} ({k} class names)"
        )
    return array.astype(np.int64)


def plot_token_saliency(
    tokens: Sequence[str],
    scores,
    *,
    title: str = "what each token does to the prediction",
    label: str = "change of the logit",
    max_columns: int = 11,
    ax=None,
):
    """Draw a text as a grid of tokens, each coloured by its score (a saliency strip).

    Tokens read left to right, top to bottom, ``max_columns`` to a row; the colour scale is
    symmetric around 0 (orange: the token pushes the score up; purple: down). Tokens longer than
    9 characters are shortened with an ellipsis.

    Args:
        tokens: the tokens, strings.
        scores: one finite number per token, e.g. the change of the positive class's logit
            when the token is occluded.
        title: the axes title.
        label: the colorbar's label: what the scores measure, with their unit.
        max_columns: tokens per row (at most 11 fit 10 inches).
        ax: an axes to draw on (the grid must then fit it); a new figure when ``None``.

    Returns:
        The axes.
    """
    where = "plot_token_saliency"
    if isinstance(tokens, str):
        raise TypeError(f"{where}: tokens must be a list of strings, got one string {tokens!r:.40}")
    tokens = list(tokens)
    if not tokens or not all(isinstance(t, str) for t in tokens):
        raise TypeError(f"{where}: tokens must be a non-empty list of strings")
    values = np.asarray(scores)
    if values.dtype == object or not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"{where}: scores must be numbers, got dtype {values.dtype}")
    if np.iscomplexobj(values):
        raise TypeError(f"{where}: scores must be real numbers, got dtype {values.dtype}")
    values = values.astype(float)
    if values.shape != (len(tokens),):
        raise ValueError(
            f"{where}: need one score per token: {len(tokens)} tokens, scores of shape "
            f"{values.shape}"
        )
    if not np.isfinite(values).all():
        raise ValueError(f"{where}: scores must be finite")
    if isinstance(max_columns, bool) or not isinstance(max_columns, int | np.integer):
        raise TypeError(f"{where}: max_columns must be an int, got {max_columns!r}")
    if not 1 <= max_columns <= 11:
        raise ValueError(f"{where}: max_columns must be 1 ... 11 (10 in wide), got {max_columns}")

    n_cols = min(len(tokens), int(max_columns))
    n_rows = math.ceil(len(tokens) / n_cols)
    grid = np.full((n_rows, n_cols), np.nan)
    grid.flat[: len(tokens)] = values
    limit = max(float(np.abs(values).max()), 1e-12)
    cmap = plt.get_cmap(_SALIENCY_CMAP).with_extremes(bad="white")
    with style():
        if ax is None:
            width = min(_MAX_FIG_WIDTH, 1.6 + _SALIENCY_CELL[0] * n_cols)
            height = 0.9 + _SALIENCY_CELL[1] * n_rows
            _, ax = plt.subplots(figsize=(max(width, 4.0), height), layout="constrained")
        image = ax.imshow(grid, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto")
        for index, (token, value) in enumerate(zip(tokens, values, strict=True)):
            row, col = divmod(index, n_cols)
            text = token if len(token) <= _SALIENCY_CHARS else token[: _SALIENCY_CHARS - 1] + "…"
            ax.text(
                col,
                row,
                _glyph(text),
                ha="center",
                va="center",
                fontsize=_TOKEN_FONTSIZE,
                color="white" if abs(value) > 0.6 * limit else "black",
            )
        ax.set_xticks([])
        ax.set_xlabel("tokens in reading order", fontsize=COURSE_STYLE["axes.labelsize"])
        ax.set_yticks(range(n_rows), [str(r * n_cols) for r in range(n_rows)])
        ax.set_ylabel("first token's position", fontsize=COURSE_STYLE["axes.labelsize"])
        ax.set_title(title, fontsize=COURSE_STYLE["axes.titlesize"])
        colorbar = ax.get_figure(root=True).colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        colorbar.set_label(label, fontsize=COURSE_STYLE["axes.labelsize"])
        colorbar.ax.tick_params(labelsize=COURSE_STYLE["ytick.labelsize"])
    return ax


def plot_runs(
    runs: Mapping[str, Mapping],
    *,
    title: str,
    ylabel: str = "validation loss (nats/char)",
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Compare time-budgeted training runs: validation loss by training time and by step.

    Two panels side by side (9.5 x 3.6 in), sharing the y axis: the left one against seconds of
    training, the right one against training steps. A model whose steps are cheap can lead on
    the left and trail on the right; both views are needed to say what a change buys.

    Args:
        runs: ``{legend name: run}``, each run a mapping with equal-length lists ``"seconds"``,
            ``"steps"`` and ``"val_loss"``, as :func:`rnn_course.training.train_for_time`
            returns. At most 8 runs (the Okabe–Ito colours).
        title: the figure title (required: say what is compared).
        ylabel: the y-axis label, with its unit.
        ylim: optional y limits, e.g. to keep a diverged run from flattening the others.

    Returns:
        The figure.

    Raises:
        TypeError: ``runs`` is not a non-empty mapping of mappings, or ``title`` is not a string.
        ValueError: more than 8 runs, an empty title, or a run whose lists are missing, empty
            or of different lengths.
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError(
            f"plot_runs: runs must be a non-empty mapping {{name: run}}; got {type(runs).__name__}."
        )
    if len(runs) > len(OKABE_ITO):
        raise ValueError(f"plot_runs: at most {len(OKABE_ITO)} runs; got {len(runs)}.")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("plot_runs: give a title that says what is compared.")
    curves = {}
    for name, run in runs.items():
        if not isinstance(run, Mapping):
            raise TypeError(f"plot_runs: run {name!r} must be a mapping; got {type(run).__name__}.")
        missing = [k for k in ("seconds", "steps", "val_loss") if k not in run]
        if missing:
            raise ValueError(f"plot_runs: run {name!r} has no {missing}.")
        values = [np.asarray(run[k], dtype=float) for k in ("seconds", "steps", "val_loss")]
        if len({len(v) for v in values}) != 1 or len(values[0]) == 0:
            raise ValueError(
                f"plot_runs: run {name!r} needs equal, non-empty lists of seconds, steps and "
                f"val_loss; got lengths {[len(v) for v in values]}."
            )
        curves[str(name)] = values
    with style():
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), sharey=True, layout="constrained")
        for i, (name, (seconds, steps, loss)) in enumerate(curves.items()):
            kwargs = dict(
                color=OKABE_ITO[i],
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                marker=_MARKERS[i] if len(loss) < 30 else None,
                markersize=4,
                label=name,
            )
            axes[0].plot(seconds, loss, **kwargs)
            axes[1].plot(steps, loss, **kwargs)
        axes[0].set(xlabel="training time (s)", ylabel=ylabel, title="by training time")
        axes[1].set(xlabel="training step", title="by training step")
        for ax in axes:
            ax.grid(alpha=0.3)
            if ylim is not None:
                ax.set_ylim(*ylim)
        axes[1].legend(fontsize=COURSE_STYLE["legend.fontsize"])
        fig.suptitle(title, fontsize=COURSE_STYLE["axes.titlesize"])
    return fig


_SPAN_ROW_CHARS = 86  # characters of text per row of plot_entity_spans (monospace, 10 pt)
_SPAN_CHAR_WIDTH = 0.098  # inches per character of that text (a glyph is about 0.085)


def plot_entity_spans(
    sentences: Sequence[tuple[Sequence[str], Sequence, Sequence]],
    *,
    title: str = "gold (above the words) and predicted (below) entities",
    types: Sequence[str] | None = None,
):
    """Draw sentences with their gold entities above the words and predicted ones below.

    Each entity is a coloured bar under (or over) its words, labelled with its type; a
    predicted entity that matches a gold one exactly (same words, same type) is drawn solid,
    a wrong one hatched. Long sentences wrap onto several rows.

    Args:
        sentences: ``(tokens, gold, predicted)`` triples; ``gold`` and ``predicted`` are lists
            of ``(type, start, stop)`` spans over token positions, ``stop`` exclusive (as
            :func:`rnn_course.ner.entity_spans` returns them).
        title: the figure's title.
        types: the entity types in legend order (default: those present, sorted).

    Returns:
        The figure.
    """
    where = "plot_entity_spans"
    if isinstance(sentences, str) or not isinstance(sentences, Sequence) or not sentences:
        raise TypeError(f"{where}: sentences must be a non-empty list of (tokens, gold, predicted)")
    rows_per_sentence, layouts = [], []
    for index, item in enumerate(sentences):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 3:
            raise TypeError(f"{where}: sentence {index} must be a (tokens, gold, predicted) triple")
        tokens, gold, predicted = item
        if isinstance(tokens, str) or not tokens or not all(isinstance(t, str) for t in tokens):
            raise TypeError(
                f"{where}: sentence {index}'s tokens must be a non-empty list of strings"
            )
        for spans in (gold, predicted):
            for span in spans:
                if (
                    len(span) != 3
                    or not isinstance(span[0], str)
                    or not 0 <= span[1] < span[2] <= len(tokens)
                ):
                    raise ValueError(
                        f"{where}: sentence {index} has a span {span!r}; spans are (type, start, "
                        f"stop) with 0 <= start < stop <= {len(tokens)} (the number of tokens)"
                    )
        # x position (in characters) and row of each token
        positions, row, x = [], 0, 0
        for token in tokens:
            if x and x + len(token) > _SPAN_ROW_CHARS:
                row, x = row + 1, 0
            positions.append((row, x, len(token)))
            x += len(token) + 1
        layouts.append(positions)
        rows_per_sentence.append(row + 1)
    found = sorted({s[0] for _, g, p in sentences for s in [*g, *p]})
    types = list(types) if types is not None else found
    missing = set(found) - set(types)
    if missing:
        raise ValueError(f"{where}: types lacks {sorted(missing)}, which the spans use")
    colors = {kind: OKABE_ITO[i % 7] for i, kind in enumerate(types)}

    with style():
        total_rows = sum(rows_per_sentence)
        fig, axes = plt.subplots(
            len(sentences),
            1,
            figsize=(
                min(_MAX_FIG_WIDTH, 0.4 + _SPAN_CHAR_WIDTH * _SPAN_ROW_CHARS),
                0.5 + 1.15 * total_rows + 0.35 * len(sentences),
            ),
            layout="constrained",
            height_ratios=rows_per_sentence,
            squeeze=False,
        )
        for ax, (tokens, gold, predicted), positions, n_rows in zip(
            axes[:, 0], sentences, layouts, rows_per_sentence, strict=True
        ):
            gold_set = {tuple(s) for s in gold}
            for (row, x, _), token in zip(positions, tokens, strict=True):
                ax.text(
                    x,
                    -row,
                    token,
                    ha="left",
                    va="center",
                    fontsize=_TOKEN_FONTSIZE,
                    family=_TOKEN_FONT,
                )
            for spans, offset, is_gold in ((gold, 0.3, True), (predicted, -0.3, False)):
                for kind, start, stop in spans:
                    right = tuple((kind, start, stop)) in gold_set
                    # one bar per row the entity covers
                    cells = positions[start:stop]
                    for r in sorted({c[0] for c in cells}):
                        on_row = [c for c in cells if c[0] == r]
                        left, end = on_row[0][1], on_row[-1][1] + on_row[-1][2]
                        ax.add_patch(
                            Rectangle(
                                (left - 0.2, -r + offset - 0.07),
                                end - left + 0.4,
                                0.14,
                                facecolor=colors[kind] if (is_gold or right) else "white",
                                edgecolor=colors[kind],
                                hatch=None if (is_gold or right) else "///",
                                lw=1.5,
                            )
                        )
                    label_row = cells[0][0]
                    ax.text(
                        cells[0][1] - 0.2,
                        -label_row + offset + (0.2 if is_gold else -0.2),
                        kind,
                        ha="left",
                        va="center",
                        fontsize=9,
                        color=colors[kind],
                        fontweight="bold",
                    )
            ax.set_xlim(-1, _SPAN_ROW_CHARS + 1)
            ax.set_ylim(-(n_rows - 1) - 0.6, 0.6)
            ax.axis("off")
        axes[0, 0].set_title(title, fontsize=COURSE_STYLE["axes.titlesize"])
        handles = [Rectangle((0, 0), 1, 1, facecolor=colors[k], edgecolor=colors[k]) for k in types]
        labels = list(types)
        handles.append(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch="///"))
        labels.append("predicted, wrong")
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
    return fig
