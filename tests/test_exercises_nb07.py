"""The self-checks of notebook 07: right answers pass, the usual wrong ones fail with a hint."""

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb07

# --- Exercise 1: pad and truncate -------------------------------------------------------------


def _pad(sequences, maxlen, padding="post", *, keep="last", flip=False, dtype="int32"):
    side = {"post": "pre", "pre": "post"}[padding] if flip else padding
    out = np.zeros((len(sequences), maxlen), dtype=dtype)
    for i, s in enumerate(sequences):
        s = s[-maxlen:] if keep == "last" else s[:maxlen]
        if side == "post":
            out[i, : len(s)] = s
        else:
            out[i, maxlen - len(s) :] = s
    return out


def test_padding_check_passes_a_right_answer(capsys):
    nb07.check_pad_and_truncate(_pad)
    assert capsys.readouterr().out == "PASS  Exercise 1 (pad and truncate): correct\n"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda s, m, padding="post": _pad(s, m, padding, flip=True), "wrong side"),
        (lambda s, m, padding="post": _pad(s, m, padding, keep="first"), "*last* maxlen"),
        (
            lambda s, m, padding="post": _pad(s, m, padding, keep="first", flip=True),
            "Both are reversed",
        ),
        (lambda s, m, padding="post": _pad(s, m, padding, dtype="float32"), "integers"),
        (lambda s, m, padding="post": _pad(s, m, padding)[:, :-1], "shape"),
        (lambda s, m, padding="post": None, "forget `return`"),
        (lambda s, m, padding="post": _pad(s, m, padding) * 2, "Each row should hold"),
    ],
)
def test_padding_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match="not right yet") as info:
        nb07.check_pad_and_truncate(wrong)
    assert hint in str(info.value)


def test_padding_check_explains_a_crash():
    def crashes(sequences, maxlen, padding="post"):
        return np.array(sequences)  # ragged: NumPy refuses

    with pytest.raises(SelfCheckFailed, match="your function raised ValueError"):
        nb07.check_pad_and_truncate(crashes)


# --- Exercise 2: the classifier's parameter count ---------------------------------------------


def _count(vocab, embed, hidden, out, layers, bidirectional, *, biases=1, wide=True):
    d = 2 if bidirectional else 1
    total = vocab * embed
    for i in range(layers):
        inputs = embed if i == 0 else hidden * (d if wide else 1)
        total += d * 4 * hidden * (inputs + hidden + biases)
    return total + (d * hidden + 1) * out


def test_count_check_passes_a_right_answer(capsys):
    nb07.check_parameter_count(_count)
    assert "PASS  Exercise 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda *a: _count(*a, biases=2), "PyTorch's count"),
        (lambda *a: _count(*a, wide=False), "2 * hidden_dim features"),
        (
            lambda *a: _count(*a) - a[3] * (a[2] * (2 if a[5] else 1)) + a[3] * a[2],
            "[h_fwd, h_bwd]",
        ),
        (lambda *a: _count(*a) - a[0] * a[1], "embedding table"),
        (lambda *a: _count(*a) - a[3], "has a bias"),
        (lambda *a: float(_count(*a)), "whole number"),
        (lambda *a: _count(*a) + 1, "Add up"),
    ],
)
def test_count_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match="not right yet") as info:
        nb07.check_parameter_count(wrong)
    assert hint in str(info.value)


def test_count_check_names_a_missing_direction():
    def one_direction(vocab, embed, hidden, out, layers, bidirectional):
        return _count(vocab, embed, hidden, out, layers, False)

    with pytest.raises(SelfCheckFailed, match="there twice"):
        nb07.check_parameter_count(one_direction)


# --- Exercise 3: occlusion ----------------------------------------------------------------------


def _occlusion(predict, ids):
    variants = np.repeat(ids[None], len(ids), axis=0)
    np.fill_diagonal(variants, 0)
    return predict(ids[None])[0] - predict(variants)


def _occlusion_loop(predict, ids):
    base = predict(ids[None])[0]
    scores = []
    for t in range(len(ids)):
        occluded = ids.copy()
        occluded[t] = 0
        scores.append(base - predict(occluded[None])[0])
    return scores


@pytest.mark.parametrize("right", [_occlusion, _occlusion_loop])
def test_occlusion_check_passes_right_answers(right, capsys):
    nb07.check_occlusion_scores(right)
    assert capsys.readouterr().out == "PASS  Exercise 3 (occlusion): correct\n"


def _in_place(predict, ids):
    base = predict(ids[None])[0]
    scores = []
    for t in range(len(ids)):
        saved, ids[t] = ids[t], 0
        scores.append(base - predict(ids[None])[0])
        ids[t] = saved + 1  # restores it wrongly
    return scores


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda p, ids: -_occlusion(p, ids), "sign is reversed"),
        (lambda p, ids: p(ids[None])[0] - _occlusion(p, ids), "occluded predictions themselves"),
        (
            lambda p, ids: (
                [p(ids[None])[0] - p(np.delete(ids, t)[None])[0] for t in range(len(ids))]
                if len(ids) > 1
                else [0.0]
            ),
            "removed the token",
        ),
        (lambda p, ids: _occlusion(p, ids)[:-1], "shape"),
        (lambda p, ids: None, "forget `return`"),
        (_in_place, "changed the ids"),
        (lambda p, ids: 2 * _occlusion(p, ids), "Score t is"),
    ],
)
def test_occlusion_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match="not right yet") as info:
        nb07.check_occlusion_scores(wrong)
    assert hint in str(info.value)


def test_occlusion_check_explains_a_single_sequence_call():
    def unbatched(predict, ids):
        return predict(ids) - ids  # predict needs a batch (n, T)

    with pytest.raises(SelfCheckFailed, match=r"ids\[None\]"):
        nb07.check_occlusion_scores(unbatched)


# --- not attempted ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "check, title",
    [
        (nb07.check_pad_and_truncate, "Exercise 1"),
        (nb07.check_parameter_count, "Exercise 2"),
        (nb07.check_occlusion_scores, "Exercise 3"),
    ],
)
def test_unattempted_exercises_report_todo_or_fail_when_autograding(
    check, title, capsys, monkeypatch
):
    def not_written(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    check(not_written)
    assert capsys.readouterr().out.startswith(f"TODO  {title}")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(SelfCheckFailed, match="not attempted"):
        check(not_written)
