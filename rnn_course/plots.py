"""Plots that the notebooks share: training curves and hidden-state heat maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_history(
    history: Mapping[str, Sequence[float]],
    keys: Sequence[str] = ("loss", "val_loss"),
    *,
    xlabel: str = "epoch",
    ylabel: str = "loss",
    title: str | None = None,
    ax=None,
):
    """Plot training curves from a ``keras.callbacks.History`` or a dict of lists.

    Args:
        history: ``model.fit(...)``'s return value, its ``.history`` dict, or any mapping from
            a name to a list of values.
        keys: which curves to draw; missing keys are an error, so a typo does not pass silently.
        xlabel, ylabel, title: axis labels and title.
        ax: a matplotlib axes to draw on; a new figure when ``None``.

    Returns:
        The axes.
    """
    history = getattr(history, "history", history)
    missing = [k for k in keys if k not in history]
    if missing:
        raise KeyError(f"plot_history: no curve named {missing}; available: {sorted(history)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for key in keys:
        values = list(history[key])
        ax.plot(
            range(1, len(values) + 1), values, marker="o" if len(values) < 30 else None, label=key
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    return ax


def plot_hidden_states(
    states: np.ndarray,
    tokens: Sequence[str],
    *,
    units: Sequence[int] | None = None,
    title: str | None = None,
    ax=None,
):
    """Draw hidden states ``h_t`` as a heat map: one row per unit, one column per token.

    Args:
        states: array of shape ``(time, units)``: the hidden state after each token.
        tokens: the ``time`` tokens (characters or words) that label the columns.
        units: which units (rows) to show; all when ``None``.
        title: figure title.
        ax: a matplotlib axes to draw on; a new figure when ``None``.

    Returns:
        The axes.
    """
    states = np.asarray(states)
    if states.ndim != 2:
        raise ValueError(f"states must have shape (time, units), got shape {states.shape}")
    if len(tokens) != states.shape[0]:
        raise ValueError(f"got {len(tokens)} tokens for {states.shape[0]} time steps")
    units = list(range(states.shape[1])) if units is None else list(units)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.22 * len(tokens)), max(2.5, 0.22 * len(units))))
    image = ax.imshow(
        states[:, units].T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest"
    )
    ax.set_xticks(range(len(tokens)))
    ax.set_xticklabels([repr(t)[1:-1] if t.isspace() else t for t in tokens], fontsize=8)
    ax.set_yticks(range(len(units)))
    ax.set_yticklabels(units, fontsize=7)
    ax.set_ylabel("hidden unit")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.02, pad=0.01, label="$h_t$")
    return ax
