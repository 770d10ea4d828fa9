"""Input checks shared by the course's recurrent cells and layers.

Each check raises at the layer's boundary with what was expected and what was given, so a
student meets a sentence about their input instead of a backend's stack trace.
"""

from __future__ import annotations

import keras

_EXPECTED = {
    2: "each step's input x_t of shape (batch, features)",
    3: "sequences of shape (batch, time, features)",
}


def _check_input(layer: str, x, rank: int, input_dim: int | None) -> None:
    """Raise a clear error for an input of the wrong rank, feature size or dtype."""
    shape = tuple(x.shape)
    if len(shape) != rank:
        raise ValueError(
            f"{layer} expects {_EXPECTED[rank]}, rank {rank}; got shape {shape} "
            f"(rank {len(shape)})."
        )
    if input_dim is not None and shape[-1] is not None and shape[-1] != input_dim:
        raise ValueError(
            f"{layer} was built for {input_dim} input features (W_xh has shape "
            f"(units, {input_dim})), but the input has {shape[-1]} features (shape {shape})."
        )
    dtype = keras.backend.standardize_dtype(x.dtype)
    if "float" not in dtype:
        raise TypeError(
            f"{layer} expects floating-point inputs, got dtype {dtype}. Convert token ids "
            "with keras.layers.Embedding or a one-hot encoding first."
        )
