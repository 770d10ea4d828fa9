"""Input checks shared by the course's recurrent cells and layers.

Each check raises at the layer's boundary with what was expected and what was given, so a
student meets a sentence about their input instead of a backend's stack trace. The checks read
only static shapes (``x.shape``, where a dimension may be ``None``) and dtypes, never values,
so they work on eager tensors and NumPy arrays, on symbolic ``keras.Input`` tensors, inside a
traced ``tf.function`` or ``jax.jit``, and on the TensorFlow, JAX and PyTorch backends alike;
a dimension that is not known yet is not checked.

How a recurrent layer uses them
-------------------------------

A layer over whole sequences subclasses :class:`rnn_course.layers.base.CheckedRNN` instead
of ``keras.layers.RNN``. Its ``build`` and ``call`` (and the symbolic call of a functional
model) then check, before ``keras.layers.RNN`` runs:

- the sequences: rank 3 ``(batch, time, features)``, at least one time step when the time axis
  is known, the feature size the layer was built for, a floating-point dtype;
- ``initial_state``: a list with one ``(batch, size)`` tensor per entry of the cell's
  ``state_size`` (``[units]`` for a vanilla RNN or GRU, ``[units, units]`` for an LSTM's
  ``h`` and ``c``), a single tensor being accepted for a single state, with the batch size of
  the sequences and a numeric dtype;
- ``mask``: ``(batch, time)`` matching the sequences, boolean or 0/1 numbers.

::

    from rnn_course.layers.base import CheckedRNN

    @keras.saving.register_keras_serializable(package="rnn_course")
    class LSTM(CheckedRNN):
        state_names = ("h_0", "c_0")  # optional: named in the error messages

        def __init__(self, units, ..., **kwargs):
            super().__init__(LSTMCell(units, ...), return_sequences=..., **kwargs)

A subclass that overrides ``build`` or ``call`` calls ``super()`` to keep the checks.

A cell checks its own arguments with :func:`check_units` in ``__init__`` and each step's input
with :func:`check_step_input` in ``call``; its ``build`` raises for a shape other than
``(batch, features)`` (see ``VanillaRNNCell.build``).

The functions, for a layer that needs them one by one (``layer`` is the name in messages):

- ``check_units(layer, units) -> int``
- ``check_step_input(layer, x_t, input_dim)``
- ``check_sequences(layer, sequences, input_dim=None)``
- ``check_sequences_shape(layer, shape, input_dim=None)``
- ``check_initial_state(layer, initial_state, state_size, sequences_shape=None, state_names=None)``
- ``check_mask(layer, mask, sequences_shape=None)``

Each raises ``ValueError`` for a wrong shape or value and ``TypeError`` for a wrong type or
dtype, and returns None.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

_EXPECTED = {
    2: "each step's input x_t of shape (batch, features)",
    3: "sequences of shape (batch, time, features)",
}
_RANK_HINTS = {
    (3, 2): " For one sequence, add the batch axis: x[None]. Token ids of shape (batch, time) "
    "go through keras.layers.Embedding or a one-hot encoding first.",
    (3, 4): " Image-like inputs need reshaping to (batch, time, features) first.",
    (2, 3): " For whole sequences, wrap the cell in keras.layers.RNN or use the layer.",
}


def _shape(x) -> tuple[int | None, ...] | None:
    """The static shape of a tensor, array, KerasTensor or nested list; None if unknown."""
    shape = getattr(x, "shape", None)
    if shape is None:
        if isinstance(x, (list, tuple)):
            return tuple(np.shape(x))
        return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):  # unknown rank (a traced tensor), or a symbolic size
        return None


def _dtype(x) -> str | None:
    dtype = getattr(x, "dtype", None)
    if dtype is None and isinstance(x, (list, tuple)):
        dtype = np.asarray(x).dtype
    if dtype is None:
        return None
    try:
        return keras.backend.standardize_dtype(dtype)
    except ValueError:
        return str(dtype)


def _fmt(shape) -> str:
    return str(tuple(shape))


def check_units(layer: str, units) -> int:
    """Check a cell's ``units`` (the size of its state): a positive integer. Returns it as int."""
    if (
        isinstance(units, (bool, np.bool_))
        or not isinstance(units, (int, np.integer))
        or units <= 0
    ):
        raise ValueError(
            f"units must be a positive integer (the size of {layer}'s state), got {units!r}"
        )
    return int(units)


def check_step_input(layer: str, x_t, input_dim: int | None) -> None:
    """Check one step's input in a cell's ``call``: ``(batch, input_dim)``, floating point."""
    _check_input(layer, x_t, 2, input_dim)


def check_sequences_shape(layer: str, shape, input_dim: int | None = None) -> None:
    """Check the shape of a batch of sequences (in ``build``, or with a tensor's shape).

    Rank 3 ``(batch, time, features)``; at least one time step when ``time`` is known;
    ``input_dim`` features when both are known.
    """
    if shape is None:
        return
    shape = tuple(shape)
    if len(shape) != 3:
        hint = _RANK_HINTS.get((3, len(shape)), "")
        raise ValueError(
            f"{layer} expects {_EXPECTED[3]}, rank 3; got shape {_fmt(shape)} "
            f"(rank {len(shape)}).{hint}"
        )
    if shape[1] == 0:
        raise ValueError(
            f"{layer} expects sequences of at least one time step; got shape {_fmt(shape)}, "
            "with 0 steps, so there is no state to return. Drop empty sequences, or pad them "
            "and pass a mask."
        )
    if input_dim is not None and shape[2] is not None and shape[2] != input_dim:
        raise ValueError(
            f"{layer} was built for {input_dim} input features, but the input has {shape[2]} "
            f"features (shape {_fmt(shape)}). Give it sequences of {input_dim} features, or use "
            "a new layer."
        )


def check_sequences(layer: str, sequences, input_dim: int | None = None) -> None:
    """Check a batch of sequences in a layer's ``call``: shape as in
    :func:`check_sequences_shape`, and a floating-point dtype."""
    check_sequences_shape(layer, _shape(sequences), input_dim)
    _check_float(layer, sequences)


def check_initial_state(
    layer: str,
    initial_state,
    state_size,
    sequences_shape=None,
    state_names: Sequence[str] | None = None,
) -> None:
    """Check ``initial_state`` against the cell's ``state_size`` and the sequences' batch size.

    Args:
        layer: the layer's name, for messages.
        initial_state: None (nothing to check), a tensor, or a list/tuple of tensors.
        state_size: the cell's ``state_size``: an int, or a list with one size per state
            (nested lists are flattened, as for stacked cells).
        sequences_shape: the shape of the sequences, for the batch size (may hold None).
        state_names: optional names of the states for messages, e.g. ``("h_0", "c_0")``.
    """
    if initial_state is None:
        return
    sizes = [int(s) for s in keras.tree.flatten(state_size)]
    states = (
        keras.tree.flatten(list(initial_state))
        if isinstance(initial_state, (list, tuple))
        else [initial_state]
    )
    names = list(state_names) if state_names and len(state_names) == len(sizes) else None
    batch = sequences_shape[0] if sequences_shape is not None and len(sequences_shape) else None
    rows = "batch" if batch is None else str(batch)
    wanted = ", ".join(f"({rows}, {size})" for size in sizes)
    listed = f" ({', '.join(names)})" if names else ""
    if len(states) != len(sizes):
        raise ValueError(
            f"{layer} takes an initial_state of {len(sizes)} tensor(s){listed}, one per state "
            f"of its cell: a list of shapes [{wanted}]; got {len(states)} tensor(s)."
        )
    for i, (state, size) in enumerate(zip(states, sizes, strict=True)):
        label = f"initial_state[{i}]" + (f" ({names[i]})" if names else "")
        if state is None:
            raise TypeError(
                f"{layer}: {label} is None, expected a tensor of shape ({rows}, {size})."
            )
        shape = _shape(state)
        if shape is None and not hasattr(state, "shape"):
            raise TypeError(
                f"{layer}: {label} must be a tensor of shape ({rows}, {size}), got "
                f"{type(state).__name__}."
            )
        if shape is None:
            continue
        if len(shape) != 2:
            hint = (
                f" Add the batch axis: one row per sequence, e.g. np.tile(h0, ({rows}, 1))."
                if len(shape) == 1
                else ""
            )
            raise ValueError(
                f"{layer}: {label} must have shape ({rows}, {size}), one state per sequence; "
                f"got shape {_fmt(shape)} (rank {len(shape)}).{hint}"
            )
        if shape[1] is not None and shape[1] != size:
            raise ValueError(
                f"{layer}: {label} must have shape ({rows}, {size}), the cell's state size "
                f"{size}; got shape {_fmt(shape)}."
            )
        if batch is not None and shape[0] is not None and shape[0] != batch:
            raise ValueError(
                f"{layer}: {label} must have shape ({rows}, {size}), one row per sequence of the "
                f"batch of {batch}; got shape {_fmt(shape)}."
            )
        dtype = _dtype(state)
        if dtype is not None and not (dtype.startswith(("float", "bfloat", "int", "uint"))):
            raise TypeError(
                f"{layer}: {label} must hold numbers (floating point), got dtype {dtype}."
            )


def check_mask(layer: str, mask, sequences_shape=None) -> None:
    """Check a mask: ``(batch, time)`` like the sequences, boolean (or 0/1 numbers).

    ``mask`` may be None (nothing to check), or a list/tuple of such masks (each is checked).
    """
    masks = keras.tree.flatten(mask) if isinstance(mask, (list, tuple)) else [mask]
    for m in masks:
        if m is None:
            continue
        expected = "(batch, time)"
        if sequences_shape is not None and len(sequences_shape) == 3:
            batch, time = (
                name if d is None else str(d)
                for d, name in zip(sequences_shape[:2], ("batch", "time"), strict=True)
            )
            expected = f"({batch}, {time})"
        shape = _shape(m)
        if shape is None:
            if not hasattr(m, "shape"):
                raise TypeError(
                    f"{layer}: mask must be a boolean tensor of shape {expected}, got "
                    f"{type(m).__name__}."
                )
            continue
        if len(shape) != 2:
            raise ValueError(
                f"{layer}: mask must have shape {expected}, one flag per sequence and time "
                f"step (True = use the step); got shape {_fmt(shape)} (rank {len(shape)})."
            )
        if sequences_shape is not None and len(sequences_shape) == 3:
            for axis, what in ((0, "sequences"), (1, "time steps")):
                ours, theirs = shape[axis], sequences_shape[axis]
                if ours is not None and theirs is not None and ours != theirs:
                    raise ValueError(
                        f"{layer}: mask must have shape {expected}, matching the sequences of "
                        f"shape {_fmt(sequences_shape)}; got shape {_fmt(shape)} ({ours} "
                        f"{what} instead of {theirs})."
                    )
        dtype = _dtype(m)
        if dtype is not None and not (
            dtype == "bool" or dtype.startswith(("int", "uint", "float"))
        ):
            raise TypeError(f"{layer}: mask must be boolean, got dtype {dtype}.")


def _check_float(layer: str, x) -> None:
    dtype = _dtype(x)
    if dtype is not None and "float" not in dtype:
        raise TypeError(
            f"{layer} expects floating-point inputs, got dtype {dtype}. Convert token ids "
            "with keras.layers.Embedding or a one-hot encoding first."
        )


def _check_input(layer: str, x, rank: int, input_dim: int | None) -> None:
    """Raise a clear error for an input of the wrong rank, feature size or dtype.

    Used by ``VanillaRNNCell.call`` (whose source notebook 01 prints); other code calls
    :func:`check_step_input` or :func:`check_sequences`.
    """
    shape = _shape(x)
    if shape is None:
        return
    if len(shape) != rank:
        hint = _RANK_HINTS.get((rank, len(shape)), "")
        raise ValueError(
            f"{layer} expects {_EXPECTED[rank]}, rank {rank}; got shape {_fmt(shape)} "
            f"(rank {len(shape)}).{hint}"
        )
    if input_dim is not None and shape[-1] is not None and shape[-1] != input_dim:
        raise ValueError(
            f"{layer} was built for {input_dim} input features, but the input has {shape[-1]} "
            f"features (shape {_fmt(shape)})."
        )
    _check_float(layer, x)
