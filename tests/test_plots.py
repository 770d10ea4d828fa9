"""Tests of rnn_course.plots: the helpers' figures are legible, and the legibility check works."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from rnn_course import plots  # noqa: E402

PHRASE = "Good morrow, neighbour"
# 80 characters with the phrase twice, a newline, a tab and spaces, as in notebook 01.
LINE = f"{PHRASE}. How now?\n{PHRASE}; what\tnews abroad, sir?".ljust(80, ".")
FIRST = LINE.index(PHRASE)
SECOND = LINE.index(PHRASE, FIRST + 1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def states():
    rng = np.random.default_rng(0)
    return np.tanh(1.5 * rng.normal(size=(80, 64)))


@pytest.fixture
def busiest(states):
    return np.argsort(states.std(axis=0))[::-1][:24]


def history_dict(epochs=12):
    t = np.arange(epochs)
    return {
        "loss": list(1.4 + 2.5 * np.exp(-t / 4)),
        "val_loss": list(1.55 + 2.4 * np.exp(-t / 4)),
        "accuracy": list(0.6 - 0.4 * np.exp(-t / 4)),
        "val_accuracy": list(0.55 - 0.4 * np.exp(-t / 4)),
    }


class FakeHistory:
    """What ``model.fit`` returns, as far as plot_history cares."""

    def __init__(self, history):
        self.history = history


def legend_names(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def panels(fig):
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def highlights(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "highlight"]


def span_labels(fig):
    return [t.get_text() for ax in panels(fig) for t in ax.texts if t.get_gid() == "highlight"]


def tick_texts(ax, axis="x"):
    return [t.get_text() for t in getattr(ax, f"get_{axis}ticklabels")()]


# --------------------------------------------------------------------------------------------
# Style and import
# --------------------------------------------------------------------------------------------


def test_import_leaves_rcparams_alone_and_needs_no_keras():
    """plots.py, loaded alone in a fresh interpreter, imports no deep-learning framework."""
    code = textwrap.dedent(
        f"""
        import importlib.util, sys
        import matplotlib
        matplotlib.use("Agg")
        before = dict(matplotlib.rcParams)
        spec = importlib.util.spec_from_file_location("plots_alone", {plots.__file__!r})
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
        assert dict(matplotlib.rcParams) == before, "importing plots changed rcParams"
        print(sorted(m for m in ("keras", "tensorflow", "torch", "jax") if m in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_style_is_a_context_and_restores_rcparams():
    before = dict(matplotlib.rcParams)
    with plots.style():
        assert matplotlib.rcParams["xtick.labelsize"] >= 9
        assert matplotlib.rcParams["legend.fontsize"] >= 9
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.upper() for c in colors] == list(plots.OKABE_ITO)
    assert dict(matplotlib.rcParams) == before


def test_style_sizes_are_all_legible():
    sizes = {k: v for k, v in plots.COURSE_STYLE.items() if k.endswith("size") and "fig" not in k}
    assert sizes and all(v >= 9 for v in sizes.values()), sizes


# --------------------------------------------------------------------------------------------
# legibility_problems: a legible figure passes, and each rule catches its problem
# --------------------------------------------------------------------------------------------


def good_figure(figsize=(6, 4)):
    with plots.style():
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        ax.plot([1, 2, 3], [3.0, 2.0, 1.5], label="training")
        ax.set(xlabel="epoch", ylabel="loss (nats)", title="a legible figure")
        ax.legend()
    return fig, ax


def test_good_figure_passes():
    fig, ax = good_figure()
    assert plots.legibility_problems(fig) == []
    assert plots.legibility_problems(ax) == []  # an axes stands for its figure


def test_rejects_what_is_not_a_figure():
    with pytest.raises(TypeError, match="Figure or Axes"):
        plots.legibility_problems("figure.png")


def test_too_wide():
    fig, _ = good_figure(figsize=(12, 4))
    problems = plots.legibility_problems(fig)
    assert len(problems) == 1 and "12 in wide" in problems[0], problems
    assert plots.legibility_problems(fig, max_width=12) == []


def _small_tick_labels(fig, ax):
    ax.tick_params(labelsize=6)


def _small_xlabel(fig, ax):
    ax.xaxis.label.set_fontsize(7)


def _small_title(fig, ax):
    ax.title.set_fontsize(8)


def _small_legend(fig, ax):
    ax.legend(fontsize=7)


def _small_annotation(fig, ax):
    ax.annotate("minimum", xy=(3, 1.5), xytext=(2, 2.5), fontsize=6, arrowprops={})


def _small_suptitle(fig, ax):
    fig.suptitle("all of it", fontsize=8)


def _small_colorbar_label(fig, ax):
    image = ax.imshow([[0, 1], [1, 0]], extent=(1, 3, 1.5, 3))
    fig.colorbar(image, ax=ax).set_label("value (a.u.)", fontsize=7)


def _small_colorbar_ticks(fig, ax):
    image = ax.imshow([[0, 1], [1, 0]], extent=(1, 3, 1.5, 3))
    colorbar = fig.colorbar(image, ax=ax, label="value (a.u.)")
    colorbar.ax.tick_params(labelsize=6)


@pytest.mark.parametrize(
    "shrink, where",
    [
        (_small_tick_labels, "tick labels of axes 1"),
        (_small_xlabel, "x-axis label of axes 1"),
        (_small_title, "title of axes 1"),
        (_small_legend, "legend of axes 1"),
        (_small_annotation, "text of axes 1"),
        (_small_suptitle, "of the figure"),
        (_small_colorbar_label, "label of colorbar 1"),
        (_small_colorbar_ticks, "tick labels of colorbar 1"),
    ],
)
def test_small_text(shrink, where):
    fig, ax = good_figure()
    shrink(fig, ax)
    problems = plots.legibility_problems(fig)
    assert problems, "small text not reported"
    assert all("smaller than 9 pt" in p for p in problems), problems
    assert any(where in p for p in problems), problems
    assert plots.legibility_problems(fig, min_fontsize=5) == []


def test_small_text_that_is_not_drawn_is_ignored():
    fig, ax = good_figure()
    ax.text(1, 2, "hidden", fontsize=4, visible=False)
    ax.text(1, 2, "   ", fontsize=4)
    ax.set_xlim(0.9, 3.1)
    assert plots.legibility_problems(fig) == []


def test_axis_off_needs_no_labels_and_its_ticks_are_not_checked():
    fig, ax = good_figure()
    with plots.style():
        inset = fig.add_axes((0.6, 0.6, 0.2, 0.2))
    inset.imshow(np.eye(3))
    inset.tick_params(labelsize=5)
    inset.axis("off")
    assert plots.legibility_problems(fig) == []


@pytest.mark.parametrize("letter", ["x", "y"])
def test_missing_axis_label(letter):
    fig, ax = good_figure()
    getattr(ax, f"set_{letter}label")("")
    assert plots.legibility_problems(fig) == [
        f"axes 1 ('a legible figure') has data but no {letter}-axis label"
    ]


def test_axes_without_data_needs_no_label():
    fig, ax = good_figure()
    with plots.style():
        fig.add_subplot(2, 2, 4)  # an empty axes: nothing to label
    assert plots.legibility_problems(fig) == []


def test_shared_axis_label_and_suplabels_count():
    with plots.style():
        fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 5), layout="constrained")
        top.plot([1, 2], [1, 2])
        bottom.plot([1, 2], [2, 1])
        top.set(ylabel="loss (nats)", title="two panels")
        bottom.set(ylabel="accuracy (fraction)")
    assert plots.legibility_problems(fig) == [
        "axes 1 ('two panels') has data but no x-axis label",
        "axes 2 has data but no x-axis label",
    ]
    bottom.set_xlabel("epoch")  # shared x: one label under the bottom panel is enough
    assert plots.legibility_problems(fig) == []
    bottom.set_xlabel("")
    fig.supxlabel("epoch")
    assert plots.legibility_problems(fig) == []


def test_colorbar_needs_a_label_but_no_title():
    fig, ax = good_figure()
    image = ax.imshow([[0, 1], [1, 0]], extent=(1, 3, 1.5, 3))
    colorbar = fig.colorbar(image, ax=ax)
    problems = plots.legibility_problems(fig)
    assert len(problems) == 1 and "colorbar 1 has no label" in problems[0], problems
    colorbar.set_label("value (a.u.)")
    assert plots.legibility_problems(fig) == []


def test_no_title():
    fig, ax = good_figure()
    ax.set_title("")
    assert plots.legibility_problems(fig) == [
        "figure has no title: give an axes a title or the figure a suptitle"
    ]
    ax.set_title("on the left", loc="left")
    assert plots.legibility_problems(fig) == []
    ax.set_title("", loc="left")
    fig.suptitle("a suptitle")
    assert plots.legibility_problems(fig) == []


@pytest.mark.parametrize("key", ["loss", "val_loss", "accuracy", "val_accuracy", "val_mae"])
def test_raw_keras_keys_in_legend(key):
    fig, ax = good_figure()
    ax.plot([1, 2, 3], [3.2, 2.4, 2.0], label=key)
    ax.legend()
    problems = plots.legibility_problems(fig)
    assert len(problems) == 1 and "raw Keras history keys" in problems[0], problems
    assert repr(key) in problems[0]


def test_raw_keras_keys_in_figure_legend():
    fig, ax = good_figure()
    ax.get_legend().remove()
    fig.legend(["val_loss"])
    problems = plots.legibility_problems(fig)
    assert len(problems) == 1 and "legend of the figure" in problems[0], problems


def test_meaningful_legend_names_pass():
    fig, ax = good_figure()
    for name in ("validation", "validation loss", "training accuracy", "$h_t$", "loss of GRU"):
        ax.plot([1, 2, 3], [1, 2, 3], label=name)
    ax.legend()
    assert plots.legibility_problems(fig) == []


def test_overlapping_tick_labels():
    fig, ax = good_figure()
    ax.set_xticks([1, 1.05, 1.1], ["first label", "second label", "third label"])
    problems = plots.legibility_problems(fig)
    assert len(problems) == 1 and "x tick labels of axes 1" in problems[0], problems
    assert "overlap" in problems[0]


@pytest.mark.filterwarnings("ignore:Glyph 9:UserWarning")  # the old figure's raw tab
def test_old_hidden_state_figure_is_caught(states, busiest):
    """The figure notebook 01 drew before: 17.6 in wide, 7-8 pt ticks, blank spaces."""
    fig, ax = plt.subplots(figsize=(0.22 * 80, 0.22 * 24))
    ax.imshow(states[:, busiest].T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(80), list(LINE), fontsize=8)
    ax.set_yticks(range(24), [str(u) for u in busiest], fontsize=7)
    ax.set_ylabel("hidden unit")
    problems = plots.legibility_problems(fig)
    assert any("17.6 in wide" in p for p in problems), problems
    assert any("x tick labels" in p and "8 pt" in p for p in problems), problems
    assert any("y tick labels" in p and "7 pt" in p for p in problems), problems
    assert any("no x-axis label" in p for p in problems), problems
    assert any("no title" in p for p in problems), problems


# --------------------------------------------------------------------------------------------
# plot_history
# --------------------------------------------------------------------------------------------


def test_plot_history_notebook_call_is_legible():
    history = FakeHistory(history_dict())
    ax = plots.plot_history(
        history, ylabel="cross-entropy (nats/char)", title="char-RNN on tiny Shakespeare"
    )
    fig = ax.figure
    assert plots.legibility_problems(fig) == []
    assert fig.get_size_inches()[0] <= 10
    assert legend_names(ax) == ["training", "validation"]
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "cross-entropy (nats/char)"
    assert ax.get_title() == "char-RNN on tiny Shakespeare"
    lines = ax.get_lines()
    assert [line.get_color().upper() for line in lines] == list(plots.OKABE_ITO[:2])
    assert len({line.get_linestyle() for line in lines}) == 2  # not told apart by colour alone
    np.testing.assert_allclose(lines[0].get_xdata(), np.arange(1, 13))
    np.testing.assert_allclose(lines[1].get_ydata(), history.history["val_loss"])


def test_plot_history_default_names_and_title():
    ax = plots.plot_history(
        history_dict(), keys=("accuracy", "val_accuracy"), ylabel="accuracy (fraction)"
    )
    assert legend_names(ax) == ["training accuracy", "validation accuracy"]
    assert ax.get_title() == "training curves"
    assert plots.legibility_problems(ax) == []


def test_plot_history_labels_override_and_unknown_keys_keep_their_name():
    history = {**history_dict(), "perplexity": [9.0, 7.0, 6.0]}
    ax = plots.plot_history(history, ["loss"], labels={"loss": "training (dropout on)"})
    assert legend_names(ax) == ["training (dropout on)"]
    plt.close("all")
    ax = plots.plot_history(history, "perplexity", ylabel="perplexity (chars)")
    assert legend_names(ax) == ["perplexity"]


def test_plot_history_draws_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    returned = plots.plot_history(history_dict(), ax=right, title="loss")
    assert returned is right
    assert len(right.get_lines()) == 2 and not left.get_lines()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda h: plots.plot_history(h, ("loss", "val_los")), KeyError, "val_los.*available"),
        (lambda h: plots.plot_history(h, ()), ValueError, "keys is empty"),
        (lambda h: plots.plot_history(h, labels={"los": "x"}), KeyError, "not among keys"),
        (lambda h: plots.plot_history(h, labels=["a", "b"]), TypeError, "labels must map"),
        (lambda h: plots.plot_history([1, 2]), TypeError, "got list"),
        (lambda h: plots.plot_history({"loss": []}, ["loss"]), ValueError, "empty"),
        (lambda h: plots.plot_history({"loss": ["a"]}, ["loss"]), TypeError, "list of numbers"),
        (lambda h: plots.plot_history({"loss": [[1, 2]]}, ["loss"]), ValueError, "1-D"),
    ],
)
def test_plot_history_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(history_dict())


# --------------------------------------------------------------------------------------------
# plot_hidden_states
# --------------------------------------------------------------------------------------------


def notebook_call(states, busiest, **kwargs):
    kwargs.setdefault("title", "the 24 busiest hidden units along a validation line")
    return plots.plot_hidden_states(states, list(LINE), units=busiest, **kwargs)


def test_hidden_states_notebook_call_is_legible(states, busiest):
    n = len(PHRASE)
    fig = notebook_call(
        states,
        busiest,
        highlight={"1st": (FIRST, FIRST + n), "2nd": (SECOND, SECOND + n)},
    )
    assert plots.legibility_problems(fig) == []
    width, height = fig.get_size_inches()
    assert width <= 10 and height <= 9

    rows = panels(fig)
    assert len(rows) == 2 and len(fig.axes) == 3  # two panels of 40 characters, one colorbar
    assert fig.get_suptitle() == "the 24 busiest hidden units along a validation line"
    assert [tick_texts(ax) for ax in rows] == [
        [plots._glyph(c) for c in LINE[:40]],
        [plots._glyph(c) for c in LINE[40:]],
    ]
    assert [ax.get_xlabel() for ax in rows] == [
        "tokens 0–39 of 80 (position, from 0)",
        "tokens 40–79 of 80 (position, from 0)",
    ]
    assert all(ax.get_ylabel() == "hidden unit" for ax in rows)
    colorbar = fig.axes[-1]
    assert colorbar.get_ylabel() == "hidden state $h_t$"
    # one colour scale for both panels
    assert {ax.images[0].get_clim() for ax in rows} == {(-1.0, 1.0)}
    np.testing.assert_allclose(rows[1].images[0].get_array(), states[40:, busiest].T)

    # the first phrase sits in the first panel, the second crosses the break
    assert SECOND < 40 < SECOND + n
    assert [len(highlights(ax)) for ax in rows] == [2, 1]
    assert span_labels(fig) == ["1st", "2nd", "2nd (cont.)"]
    first, second = highlights(rows[0])
    assert first.get_x() == FIRST - 0.5 and first.get_width() == n
    assert second.get_x() == SECOND - 0.5 and second.get_width() == 40 - SECOND
    (rest,) = highlights(rows[1])
    assert rest.get_x() == -0.5 and rest.get_width() == SECOND + n - 40
    assert all(r.get_height() == 24 and not r.get_fill() for ax in rows for r in highlights(ax))


def test_hidden_states_old_call_still_works(states, busiest):
    fig = notebook_call(states, busiest)
    assert plots.legibility_problems(fig) == []
    assert sum(len(highlights(ax)) for ax in panels(fig)) == 0


def test_whitespace_is_visible(states, busiest):
    fig = notebook_call(states, busiest)
    labels = [t for ax in panels(fig) for t in tick_texts(ax)]
    assert "␣" in labels and "↵" in labels and "⇥" in labels
    assert " " not in labels and "\n" not in labels and "\t" not in labels
    assert all(label.strip() for label in labels)
    assert plots._glyph("\r") == "\\r"
    assert plots._glyph("the ") == "the␣"
    assert plots._glyph("$") == r"\$"  # not the start of mathtext


def test_tick_labels_are_large_enough(states, busiest):
    fig = notebook_call(states, busiest)
    for ax in panels(fig):
        assert all(t.get_fontsize() >= 9 for t in ax.get_xticklabels() + ax.get_yticklabels())
        # 24 units at this height: every second unit labelled, every unit has a minor tick
        assert tick_texts(ax, "y") == [str(u) for u in busiest[::2]]
        rows = set(ax.get_yticks()) | set(ax.get_yticks(minor=True))
        assert rows == set(range(24))


def test_few_units_are_all_labelled(states):
    fig = plots.plot_hidden_states(states[:20], LINE[:20], units=[3, 1, 4], title="three units")
    (ax,) = panels(fig)
    assert tick_texts(ax, "y") == ["3", "1", "4"]
    assert plots.legibility_problems(fig) == []
    assert fig.get_size_inches()[0] < 10  # narrower when there are fewer columns


def test_wrapping_into_rows_with_a_short_last_row():
    rng = np.random.default_rng(1)
    fig = plots.plot_hidden_states(
        np.tanh(rng.normal(size=(95, 8))), "ab c" * 23 + "abc", title="95 tokens", max_columns=40
    )
    rows = panels(fig)
    assert [len(tick_texts(ax)) for ax in rows] == [40, 40, 15]
    assert {ax.get_xlim() for ax in rows} == {(-0.5, 39.5)}  # columns keep their width
    assert plots.legibility_problems(fig) == []


def test_list_of_spans_and_span_crossing_two_breaks():
    rng = np.random.default_rng(2)
    states = np.tanh(rng.normal(size=(50, 4)))
    fig = plots.plot_hidden_states(
        states, "x" * 50, title="spans", highlight=[(0, 3), (8, 42)], max_columns=20
    )
    rows = panels(fig)
    assert [len(highlights(ax)) for ax in rows] == [2, 1, 1]
    assert [(r.get_x(), r.get_width()) for ax in rows for r in highlights(ax)] == [
        (-0.5, 3),
        (7.5, 12),
        (-0.5, 20),
        (-0.5, 2),
    ]
    assert span_labels(fig) == []  # a list has no labels
    assert plots.legibility_problems(fig) == []


def test_word_tokens_are_rotated():
    rng = np.random.default_rng(3)
    words = [w + " " for w in "the quick brown fox jumps over the lazy dog".split()]
    fig = plots.plot_hidden_states(
        np.tanh(rng.normal(size=(9, 6))), words, title="words", highlight={"fox": (2, 4)}
    )
    (ax,) = panels(fig)
    assert tick_texts(ax)[0] == "the␣"
    assert all(t.get_rotation() == 90 for t in ax.get_xticklabels())
    assert plots.legibility_problems(fig) == []


def test_given_axes_when_the_sequence_fits(states):
    fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
    returned = plots.plot_hidden_states(
        states[:30],
        LINE[:30],
        units=range(8),
        title="on my axes",
        highlight={"Good": (0, 4)},
        ax=ax,
    )
    assert returned is fig
    assert len(highlights(ax)) == 1 and ax.get_title() == "on my axes"
    assert len(fig.axes) == 2  # the axes and its colorbar
    assert plots.legibility_problems(fig) == []


def test_given_axes_when_the_sequence_needs_wrapping(states):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="80 tokens do not fit one panel of max_columns=40"):
        plots.plot_hidden_states(states, LINE, ax=ax)


def test_nan_states_are_drawn_and_larger_states_widen_the_scale(states):
    values = 3 * states[:, :6]
    values[5:8] = np.nan
    fig = plots.plot_hidden_states(values, LINE, title="with NaN")
    rows = panels(fig)
    assert [len([p for p in ax.patches if p.get_gid() == "nan"]) for ax in rows] == [1, 0]
    low, high = rows[0].images[0].get_clim()
    assert low == -high and high == pytest.approx(np.nanmax(np.abs(values)))
    assert plots.legibility_problems(fig) == []


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"states": np.zeros(80)}, ValueError, r"shape \(time, units\), got shape \(80,\)"),
        ({"states": np.zeros((1, 80, 4))}, ValueError, r"pass states\[0\]"),
        ({"states": np.zeros((0, 4)), "tokens": []}, ValueError, "empty"),
        ({"states": np.full((80, 4), "a")}, TypeError, "numeric.*<U1"),
        ({"states": [[1, 2], [3]]}, ValueError, r"\(time, units\) array"),
        ({"states": np.zeros((80, 4), complex)}, TypeError, "real"),
        ({"tokens": list(LINE[:79])}, ValueError, r"79 tokens for 80 time steps.*\(80, 4\)"),
        ({"tokens": [1] * 80}, TypeError, "tokens must be strings, got int 1 at position 0"),
        ({"units": [0, 4]}, ValueError, r"units \[4\] out of range.*4 units"),
        ({"units": []}, ValueError, "units is empty"),
        ({"units": [0.5]}, TypeError, "integer unit indices"),
        ({"states": np.full((80, 4), np.nan)}, ValueError, "every state shown is NaN"),
        ({"states": np.full((80, 4), np.inf)}, ValueError, "infinite"),
        ({"highlight": [(70, 81)]}, ValueError, r"0 <= start < stop <= 80"),
        ({"highlight": {"nothing": (5, 5)}}, ValueError, "'nothing'.*empty"),
        ({"highlight": [(9, 3)]}, ValueError, "empty"),
        ({"highlight": [(-1, 3)]}, ValueError, "0 <= start"),
        ({"highlight": [(0.5, 3)]}, TypeError, "integer token positions"),
        ({"highlight": [(1, 2, 3)]}, TypeError, r"\(start, stop\) pair"),
        ({"highlight": (3, 9)}, TypeError, r"for one span write \[\(3, 9\)\]"),
        ({"highlight": "3:9"}, TypeError, "got str"),
        ({"max_columns": 0}, ValueError, "max_columns must be at least 1"),
        ({"max_columns": 40.0}, TypeError, "max_columns must be an int"),
    ],
)
def test_hidden_states_errors(kwargs, error, match):
    arguments = {"states": np.zeros((80, 4)), "tokens": LINE, **kwargs}
    with pytest.raises(error, match=match):
        plots.plot_hidden_states(arguments.pop("states"), arguments.pop("tokens"), **arguments)
    assert plt.get_fignums() == []  # no half-drawn figure left behind


def test_hidden_states_accepts_slices_and_numpy_spans(states):
    fig = plots.plot_hidden_states(
        states,
        LINE,
        title="slices",
        highlight={"a": slice(0, 4), "b": (np.int64(50), np.int64(60))},
    )
    assert span_labels(fig) == ["a", "b"]


def test_style_keeps_interactive_mode_switched_on_inside_it():
    """Jupyter's inline backend turns interactive mode on at a kernel's first figure."""
    was = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with plots.style():
            plt.ion()  # what matplotlib-inline does when the first figure is drawn
        assert matplotlib.is_interactive(), "style() switched interactive mode off again"
        with plots.style():
            plt.rcParams["font.size"] = 3
        assert plt.rcParams["font.size"] != 3, "style() must restore the other rcParams"
    finally:
        matplotlib.interactive(was)


# --------------------------------------------------------------------------------------------
# plot_confusion_matrix and plot_token_saliency (notebook 07)
# --------------------------------------------------------------------------------------------


def test_confusion_matrix_counts_and_is_legible():
    y_true = np.array([0, 0, 0, 1, 1, 1, 1])
    y_pred = np.array([0, 1, 0, 1, 1, 0, 1])
    ax, matrix = plots.plot_confusion_matrix(
        y_true, y_pred, ["negative", "positive"], title="IMDB test reviews"
    )
    np.testing.assert_array_equal(matrix, [[2, 1], [1, 3]])
    assert plots.legibility_problems(ax) == []
    assert ax.figure.get_size_inches()[0] <= 10
    texts = [t.get_text() for t in ax.texts]
    assert "2\n(66.7%)" in texts and "3\n(75.0%)" in texts
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_confusion_matrix_three_classes_and_an_empty_row():
    ax, matrix = plots.plot_confusion_matrix(
        [0, 0, 2], [0, 2, 2], ["negative", "neutral", "positive"]
    )
    assert matrix.shape == (3, 3) and matrix[1].sum() == 0
    assert plots.legibility_problems(ax) == []


@pytest.mark.parametrize(
    "args, error, match",
    [
        (([0, 1], [0, 1], ["only"]), ValueError, "at least two"),
        (([0, 1], [0, 1, 1], ["a", "b"]), ValueError, "same length"),
        (([0, 2], [0, 1], ["a", "b"]), ValueError, "class id 2"),
        (([0.2, 0.9], [0, 1], ["a", "b"]), TypeError, "argmax or threshold"),
        (([], [], ["a", "b"]), ValueError, "non-empty"),
        (([[0, 1]], [[0, 1]], ["a", "b"]), ValueError, "1-D"),
    ],
)
def test_confusion_matrix_errors(args, error, match):
    with pytest.raises(error, match=match):
        plots.plot_confusion_matrix(*args)


REVIEW = (
    "this movie was not good at all , the acting was wooden and the plot predictable "
    "but the extraordinarily beautiful music saved some scenes"
).split()


def test_token_saliency_grid_is_legible_and_symmetric():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=len(REVIEW))
    ax = plots.plot_token_saliency(
        REVIEW, scores, title="a review, occluded token by token", label="logit change (nats)"
    )
    fig = ax.figure
    assert plots.legibility_problems(fig) == []
    assert fig.get_size_inches()[0] <= 10
    image = ax.get_images()[0]
    low, high = image.get_clim()
    assert low == -high == -np.abs(scores).max()
    rows = -(-len(REVIEW) // 11)
    assert image.get_array().shape == (rows, 11)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(REVIEW)
    assert "extraord…" in texts  # long tokens are shortened
    assert fig.axes[-1].get_ylabel() == "logit change (nats)"


def test_token_saliency_short_text_and_given_axes():
    fig, ax = plt.subplots(figsize=(6, 1.6), layout="constrained")
    returned = plots.plot_token_saliency(["great", "film"], [1.0, 0.5], ax=ax, max_columns=4)
    assert returned is ax and ax.get_images()[0].get_array().shape == (1, 2)
    assert plots.legibility_problems(fig) == []


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("a b", [1.0]), {}, TypeError, "one string"),
        (([], []), {}, TypeError, "non-empty"),
        ((["a", 1], [1.0, 2.0]), {}, TypeError, "list of strings"),
        ((["a", "b"], [1.0]), {}, ValueError, "one score per token"),
        ((["a"], [np.nan]), {}, ValueError, "finite"),
        ((["a"], ["x"]), {}, TypeError, "numbers"),
        ((["a"], [1.0]), {"max_columns": 12}, ValueError, "1 ... 11"),
        ((["a"], [1.0]), {"max_columns": 2.0}, TypeError, "int"),
    ],
)
def test_token_saliency_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.plot_token_saliency(*args, **kwargs)


def _budget_run(losses):
    return {
        "seconds": list(np.linspace(1, 20, len(losses))),
        "steps": [1 + 50 * k for k in range(1, len(losses) + 1)],
        "val_loss": list(losses),
    }


def test_plot_runs_is_legible_and_draws_both_views():
    runs = {"LSTM": _budget_run([3.0, 2.5, 2.2]), "layer-normalised LSTM": _budget_run([3.1, 2.4])}
    fig = plots.plot_runs(runs, title="Layer normalisation, 20 s each")
    assert plots.legibility_problems(fig) == []
    left, right = fig.axes
    assert [line.get_label() for line in right.get_lines()] == list(runs)
    np.testing.assert_allclose(
        left.get_lines()[1].get_xdata(), runs["layer-normalised LSTM"]["seconds"]
    )
    np.testing.assert_allclose(right.get_lines()[0].get_xdata(), runs["LSTM"]["steps"])
    plt.close(fig)


@pytest.mark.parametrize(
    "runs, title, error, words",
    [
        ({}, "t", TypeError, "non-empty mapping"),
        ([1, 2], "t", TypeError, "non-empty mapping"),
        ({"a": _budget_run([1.0])}, " ", ValueError, "title"),
        ({str(i): _budget_run([1.0]) for i in range(9)}, "t", ValueError, "at most 8"),
        ({"a": {"seconds": [1], "steps": [1]}}, "t", ValueError, "val_loss"),
        ({"a": {"seconds": [1, 2], "steps": [1], "val_loss": [1]}}, "t", ValueError, "equal"),
        ({"a": 3}, "t", TypeError, "mapping"),
    ],
)
def test_plot_runs_bad_input(runs, title, error, words):
    with pytest.raises(error, match=words):
        plots.plot_runs(runs, title=title)


# --- plot_entity_spans --------------------------------------------------------------------------

_NER_TOKENS = (
    "Japan began the defence of their Asian Cup title with a lucky 2-1 win against Syria".split()
)


def test_entity_spans_figure_is_legible_and_marks_wrong_predictions():
    gold = [("LOC", 0, 1), ("MISC", 6, 8), ("LOC", 15, 16)]
    predicted = [("LOC", 0, 1), ("ORG", 6, 8), ("PER", 15, 16)]
    long = _NER_TOKENS * 2
    fig = plots.plot_entity_spans(
        [(_NER_TOKENS, gold, predicted), (long, [("LOC", 16, 17)], [])],
        title="gold and predicted entities",
    )
    assert plots.legibility_problems(fig) == []
    assert fig.get_size_inches()[0] <= 10
    first = fig.axes[0]
    hatched = [p for p in first.patches if p.get_hatch()]
    assert len(hatched) == 2  # ORG and PER are wrong; LOC is right
    assert len(first.patches) == 6
    assert fig.axes[1].get_ylim()[0] < -1  # the long sentence wraps onto a second row
    plt.close(fig)


@pytest.mark.parametrize(
    "sentences, kwargs, error, match",
    [
        ([], {}, TypeError, "non-empty"),
        ([("a b", [], [])], {}, TypeError, "tokens"),
        ([(["a"], [])], {}, TypeError, "triple"),
        ([(["a"], [("PER", 0, 2)], [])], {}, ValueError, "stop"),
        ([(["a"], [("PER", 0, 1)], [])], {"types": ["LOC"]}, ValueError, "lacks"),
    ],
)
def test_entity_spans_figure_errors(sentences, kwargs, error, match):
    with pytest.raises(error, match=match):
        plots.plot_entity_spans(sentences, **kwargs)
