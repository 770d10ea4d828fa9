"""Stacks of recurrent layers, with optional residual connections (Wu et al. 2016, GNMT).

:class:`StackedRNN` runs recurrent layers one after the other, each on the whole output
sequence of the one before. With ``residual=True`` each layer's input is added to its output:

    x_0 = the input sequences                                        (batch, time, m)
    x_{l+1} = P x_0 + RNN_0(x_0)      for l = 0, if m != n            P: a Dense, (m -> n)
    x_{l+1} = x_l + RNN_l(x_l)        otherwise                       (batch, time, n)

where ``n`` is the layers' output width. Only the first layer may change the width: its input
is then projected by ``P`` (a ``keras.layers.Dense(n, use_bias=False)``, named
``projection``), or, with ``project_input=False``, the widths must already match.

:func:`stacked_rnn` builds a stack from a function that makes one layer.
"""

from __future__ import annotations

import keras

from rnn_course.layers._validate import check_units


def _describe(layer) -> str:
    return f"{type(layer).__name__}" if isinstance(layer, keras.layers.Layer) else repr(layer)


def _check_recurrent(owner: str, layer, index: int) -> None:
    if not isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)):
        raise TypeError(
            f"{owner}: layer {index} must be a recurrent layer (keras.layers.RNN, such as "
            f"rnn_course.LSTM or keras.layers.GRU, or keras.layers.Bidirectional); got "
            f"{_describe(layer)}."
        )
    if not getattr(layer, "return_sequences", False) or getattr(layer, "return_state", False):
        raise ValueError(
            f"{owner}: layer {index} ({layer.name}) must return its whole output sequence and "
            "nothing else, for the next layer to run on: create it with "
            "return_sequences=True and return_state=False."
        )


@keras.saving.register_keras_serializable(package="rnn_course")
class StackedRNN(keras.layers.Layer):
    """Recurrent layers stacked in depth, optionally with residual connections.

    ``x_{l+1} = RNN_l(x_l)``, or with ``residual=True`` ``x_{l+1} = x_l + RNN_l(x_l)`` (with
    the first skip through a ``Dense`` projection ``P`` when the input width differs from the
    layers'; see the module docstring). Every layer returns sequences; so does the stack.

    Args:
        layers: a non-empty list of recurrent layers (``keras.layers.RNN`` subclasses or
            ``keras.layers.Bidirectional``), each with ``return_sequences=True`` and
            ``return_state=False``.
        residual: add each layer's input to its output; default ``False``.
        project_input: with ``residual=True``, project the input with a ``Dense`` layer when
            its width differs from the first layer's output width; if ``False``, such an input
            is an error. Default ``True``.
        **kwargs: base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        sequences: ``(batch, time, features)``.
        mask: optional boolean ``(batch, time)``, passed to every layer and returned with the
            output (so a following layer or loss sees it).
        training: whether dropout applies.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    stack = StackedRNN([LSTM(16, return_sequences=True) for _ in range(3)], residual=True)
    stack(x).shape  # (32, 10, 16): the input went through a projection 8 -> 16 first
    ```
    """

    def __init__(self, layers, residual=False, project_input=True, **kwargs):
        super().__init__(**kwargs)
        if isinstance(layers, keras.layers.Layer) or not isinstance(layers, (list, tuple)):
            raise TypeError(
                f"StackedRNN takes a list of recurrent layers; got {_describe(layers)}."
            )
        if not layers:
            raise ValueError("StackedRNN takes at least one recurrent layer; got an empty list.")
        for index, layer in enumerate(layers):
            _check_recurrent("StackedRNN", layer, index)
        self.recurrent_layers = list(layers)
        self.residual = bool(residual)
        self.project_input = bool(project_input)
        self.projection = None
        self.supports_masking = True

    @property
    def depth(self):
        return len(self.recurrent_layers)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                "StackedRNN expects sequences of shape (batch, time, features) with a known "
                f"number of features; got shape {input_shape}."
            )
        shape = input_shape
        for index, layer in enumerate(self.recurrent_layers):
            if not layer.built:
                layer.build(shape)
            output_shape = tuple(layer.compute_output_shape(shape))
            if self.residual and output_shape[-1] != shape[-1]:
                if index == 0 and self.project_input:
                    self.projection = keras.layers.Dense(
                        output_shape[-1], use_bias=False, name="projection", dtype=self.dtype_policy
                    )
                    self.projection.build(shape)
                else:
                    fix = (
                        " Use project_input=True to project the input."
                        if index == 0
                        else " Give every layer the same output width."
                    )
                    raise ValueError(
                        f"StackedRNN(residual=True) adds layer {index}'s input to its output, so "
                        f"their widths must match; layer {index} ({layer.name}) maps "
                        f"{shape[-1]} features to {output_shape[-1]}.{fix}"
                    )
            shape = output_shape

    def call(self, sequences, mask=None, training=False):
        x = sequences
        for index, layer in enumerate(self.recurrent_layers):
            y = layer(x, mask=mask, training=training)
            if self.residual:
                skip = self.projection(x) if index == 0 and self.projection is not None else x
                y = skip + y
            x = y
        return x

    def compute_mask(self, sequences, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.recurrent_layers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "layers": [keras.saving.serialize_keras_object(x) for x in self.recurrent_layers],
                "residual": self.residual,
                "project_input": self.project_input,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layers"] = [keras.saving.deserialize_keras_object(x) for x in config["layers"]]
        return cls(**config)


def stacked_rnn(layer_fn, depth, units, *, residual=False, project_input=True, name=None):
    """A :class:`StackedRNN` of ``depth`` layers made by ``layer_fn(units, return_sequences=True)``.

    Args:
        layer_fn: a callable returning one recurrent layer, e.g. ``rnn_course.LSTM``,
            ``keras.layers.GRU``, or ``lambda n, **kw: keras.layers.Bidirectional(LSTM(n, **kw))``
            (whose output width is ``2 * units``). Called once per layer.
        depth: the number of layers, a positive integer.
        units: the ``units`` passed to each layer.
        residual, project_input: as in :class:`StackedRNN`.
        name: the stack's name.

    Example:

    ```python
    encoder = stacked_rnn(LSTM, depth=4, units=64, residual=True)
    ```
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"stacked_rnn: depth must be a positive integer, got {depth!r}.")
    units = check_units("stacked_rnn", units)
    if not callable(layer_fn):
        raise TypeError(
            f"stacked_rnn: layer_fn must be a callable that makes a recurrent layer, such as "
            f"rnn_course.LSTM; got {layer_fn!r}."
        )
    layers = []
    for index in range(depth):
        layer = layer_fn(units, return_sequences=True)
        try:
            _check_recurrent("stacked_rnn", layer, index)
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"{error} (layer_fn={getattr(layer_fn, '__name__', layer_fn)!r} is called as "
                "layer_fn(units, return_sequences=True).)"
            ) from None
        layers.append(layer)
    return StackedRNN(layers, residual=residual, project_input=project_input, name=name)
