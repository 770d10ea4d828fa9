"""Additive (Bahdanau) attention, as a Keras layer.

A decoder that must squeeze a whole source sentence into one fixed-size vector forgets the
beginning of long sentences. Bahdanau, Cho and Bengio (2015) let it look back at every encoder
output :math:`h_s` instead, weighting them by how well each matches the decoder's state.
:class:`BahdanauAttention` computes those weights and the weighted sum.
"""

from __future__ import annotations

import keras
from keras import ops

from rnn_course.layers._validate import check_units

__all__ = ["BahdanauAttention"]


@keras.saving.register_keras_serializable(package="rnn_course")
class BahdanauAttention(keras.layers.Layer):
    """Additive attention (Bahdanau et al. 2015): a context vector from the source states.

    For a decoder state ``s_t`` (the *query*) and encoder outputs ``h_1 ... h_S`` (the
    *values*), with ``W_a`` (query -> ``units``), ``U_a`` (values -> ``units``) and ``v_a``
    (``units``) learned:

    ```
    e_{t,s} = v_a^T tanh(W_a s_t + U_a h_s)              score of source position s
    alpha_{t,s} = exp(e_{t,s}) / sum_{s' unmasked} exp(e_{t,s'})   (0 where s is masked)
    c_t = sum_s alpha_{t,s} h_s                           the context vector
    ```

    Masked source positions (padding) get weight exactly 0, and the weights of each query sum
    to 1 over the unmasked positions. Bahdanau et al. score the state before the decoder's
    step, ``s_{t-1}``; Luong et al. (2015) the state after it, as
    :func:`rnn_course.seq2seq.translation_model` does: the layer takes either.
    ``keras.layers.AdditiveAttention`` has no ``W_a``/``U_a``
    projections (only a scale vector); this layer has them, as in the paper.

    Args:
        units: the width of the score's hidden layer (the rows of ``W_a`` and ``U_a``), >= 1.
        **kwargs: base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        query: the decoder state(s): ``(batch, query_dim)`` for one step, or
            ``(batch, T, query_dim)`` for ``T`` queries at once.
        values: the encoder outputs ``h_s``, ``(batch, S, value_dim)``.
        values_mask: optional boolean ``(batch, S)``, ``True`` for real tokens. In a functional
            model it is taken from ``values``' Keras mask when not given. Every row needs at
            least one ``True``.
        projected_values: optional ``U_a h_s`` from :meth:`project_values`, ``(batch, S,
            units)``; pass it when attending to the same values at many steps, to compute it
            once.

    Returns:
        ``(context, weights)``: ``context`` is ``(batch, value_dim)`` (or ``(batch, T,
        value_dim)``), ``weights`` the ``alpha`` of shape ``(batch, S)`` (or ``(batch, T, S)``).

    Example:

    ```python
    attention = BahdanauAttention(16)
    s = np.random.random((2, 8)).astype("float32")       # one decoder state per sentence
    h = np.random.random((2, 5, 6)).astype("float32")    # 5 source positions
    mask = np.array([[True] * 5, [True] * 3 + [False] * 2])
    context, weights = attention(s, h, values_mask=mask)
    context.shape, weights.shape  # (2, 6), (2, 5); weights[1, 3:] == 0
    ```
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = check_units("BahdanauAttention", units)
        self.supports_masking = True

    def build(self, query_shape, values_shape=None, *args, **kwargs):
        if values_shape is None:
            raise ValueError(
                "BahdanauAttention needs two inputs, the query (decoder state) and the values "
                "(encoder outputs); got only one shape."
            )
        query_dim, value_dim = query_shape[-1], values_shape[-1]
        if query_dim is None or value_dim is None:
            raise ValueError(
                "BahdanauAttention: the last axis of query and values must be known; got "
                f"query shape {tuple(query_shape)} and values shape {tuple(values_shape)}."
            )
        self.W_a = self.add_weight(
            shape=(query_dim, self.units), initializer="glorot_uniform", name="W_a"
        )
        self.U_a = self.add_weight(
            shape=(value_dim, self.units), initializer="glorot_uniform", name="U_a"
        )
        self.v_a = self.add_weight(shape=(self.units,), initializer="glorot_uniform", name="v_a")
        self.built = True

    def project_values(self, values):
        """``U_a h_s`` for every source position: ``(batch, S, units)``."""
        return ops.matmul(values, self.U_a)

    def call(self, query, values, values_mask=None, projected_values=None):
        self._check_ranks(query, values, values_mask)
        keys = self.project_values(values) if projected_values is None else projected_values
        single = len(query.shape) == 2
        q = ops.matmul(query, self.W_a)  # W_a s_t
        q = q[:, None, None, :] if single else q[:, :, None, :]  # (batch, T, 1, units)
        scores = ops.sum(ops.tanh(q + keys[:, None, :, :]) * self.v_a, axis=-1)  # (b, T, S)
        if values_mask is not None:
            mask = ops.cast(values_mask, "bool")[:, None, :]
            scores = ops.where(mask, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        if values_mask is not None:
            weights = ops.where(mask, weights, ops.zeros_like(weights))
        context = ops.matmul(weights, values)  # (batch, T, value_dim)
        if single:
            return context[:, 0], weights[:, 0]
        return context, weights

    def compute_mask(self, query, previous_mask=None):
        return None if len(query.shape) == 2 else previous_mask

    def compute_output_shape(self, query_shape, values_shape, *args, **kwargs):
        lead = tuple(query_shape[:-1])
        return lead + (values_shape[-1],), lead + (values_shape[1],)

    def _check_ranks(self, query, values, values_mask) -> None:
        if len(values.shape) != 3:
            raise ValueError(
                "BahdanauAttention: values (the encoder outputs) must have shape (batch, S, "
                f"value_dim); got shape {tuple(values.shape)}."
            )
        if len(query.shape) not in (2, 3):
            raise ValueError(
                "BahdanauAttention: query (the decoder state) must have shape (batch, "
                f"query_dim) or (batch, T, query_dim); got shape {tuple(query.shape)}."
            )
        if values_mask is not None and len(values_mask.shape) != 2:
            raise ValueError(
                "BahdanauAttention: values_mask must have shape (batch, S), one flag per "
                f"source position; got shape {tuple(values_mask.shape)}."
            )
        for name, tensor in (("query", query), ("values", values)):
            dtype = keras.backend.standardize_dtype(tensor.dtype)
            if "float" not in dtype:
                raise TypeError(
                    f"BahdanauAttention: {name} must be floating point (states, not token ids); "
                    f"got dtype {dtype}."
                )

    def get_config(self):
        return {**super().get_config(), "units": self.units}
