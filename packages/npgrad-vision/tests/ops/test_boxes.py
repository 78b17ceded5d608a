"""Box utilities, IoU variants and NMS: values against straightforward references, dtypes,
gradients (gradcheck / gradgradcheck), errors and torch parity of the formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.vision import ops

RNG = np.random.default_rng(1)


def random_boxes(n: int, rng=RNG, scale: float = 10.0) -> np.ndarray:
    xy = rng.uniform(0, scale, (n, 2))
    wh = rng.uniform(0.5, scale / 2, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


def pair_ref(b1: np.ndarray, b2: np.ndarray, kind: str, eps: float = 1e-7) -> np.ndarray:
    """Per pair, with Python floats."""
    out = np.zeros((len(b1), len(b2)))
    for i, (ax1, ay1, ax2, ay2) in enumerate(b1.tolist()):
        for j, (bx1, by1, bx2, by2) in enumerate(b2.tolist()):
            iw = max(0.0, min(ax2, bx2) - max(ax1, bx1))
            ih = max(0.0, min(ay2, by2) - max(ay1, by1))
            inter = iw * ih
            union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
            iou = inter / union
            cw, ch = max(ax2, bx2) - min(ax1, bx1), max(ay2, by2) - min(ay1, by1)
            if kind == "iou":
                out[i, j] = iou
            elif kind == "giou":
                out[i, j] = iou - (cw * ch - union) / (cw * ch)
            else:
                d2 = ((ax1 + ax2) / 2 - (bx1 + bx2) / 2) ** 2 + (
                    (ay1 + ay2) / 2 - (by1 + by2) / 2
                ) ** 2
                diou = iou - d2 / (cw**2 + ch**2 + eps)
                if kind == "diou":
                    out[i, j] = diou
                else:
                    v = (
                        4
                        / math.pi**2
                        * (
                            math.atan((bx2 - bx1) / (by2 - by1))
                            - math.atan((ax2 - ax1) / (ay2 - ay1))
                        )
                        ** 2
                    )
                    out[i, j] = diou - v / (1 - iou + v + eps) * v
    return out


FUNCS = {
    "iou": ops.box_iou,
    "giou": ops.generalized_box_iou,
    "diou": ops.distance_box_iou,
    "ciou": ops.complete_box_iou,
}
B1, B2 = random_boxes(5), random_boxes(4)
B2[0] = B1[0]  # identical pair
B2[1] = [50, 50, 51, 52]  # disjoint from everything


@pytest.mark.parametrize("kind", list(FUNCS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_iou_variants_match_reference(kind, dtype) -> None:
    got = FUNCS[kind](npgrad.tensor(B1.astype(dtype)), npgrad.tensor(B2.astype(dtype)))
    want = pair_ref(B1.astype(dtype).astype(np.float64), B2.astype(dtype).astype(np.float64), kind)
    assert got.shape == (5, 4) and got.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.numpy(), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("kind", list(FUNCS))
def test_iou_variants_gradients(kind) -> None:
    a = npgrad.tensor(random_boxes(3), requires_grad=True)
    b = npgrad.tensor(random_boxes(2) + 0.1, requires_grad=True)
    if kind != "ciou":
        assert gradcheck(FUNCS[kind], (a, b))
        assert gradgradcheck(FUNCS[kind], (a, b))
        return
    # ciou holds alpha constant: its gradient is the one of diou - alpha(a0, b0) * v
    iou = pair_ref(a.numpy(), b.numpy(), "iou")
    diou = pair_ref(a.numpy(), b.numpy(), "diou")
    ciou = pair_ref(a.numpy(), b.numpy(), "ciou")
    # ciou = diou - alpha v with alpha = v / (1 - iou + v + eps): solve for v, then alpha
    av = diou - ciou
    v = (av + np.sqrt(av**2 + 4 * av * (1 - iou + 1e-7))) / 2
    alpha = npgrad.tensor(v / (1 - iou + v + 1e-7))

    def frozen(t1, t2):
        w1, h1 = t1[:, None, 2] - t1[:, None, 0], t1[:, None, 3] - t1[:, None, 1]
        w2, h2 = t2[None, :, 2] - t2[None, :, 0], t2[None, :, 3] - t2[None, :, 1]
        vv = (4 / math.pi**2) * (npgrad.atan(w2 / h2) - npgrad.atan(w1 / h1)) ** 2
        return ops.distance_box_iou(t1, t2) - alpha * vv

    np.testing.assert_allclose(frozen(a, b).detach().numpy(), ciou, rtol=1e-9, atol=1e-12)
    assert gradcheck(frozen, (a, b))
    wts = npgrad.tensor(RNG.standard_normal((3, 2)))
    g_ours = npgrad.autograd.grad((ops.complete_box_iou(a, b) * wts).sum(), (a, b))
    g_frozen = npgrad.autograd.grad((frozen(a, b) * wts).sum(), (a, b))
    for x, y in zip(g_ours, g_frozen):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)


def test_box_area_and_integer_boxes() -> None:
    b = npgrad.tensor(B1.astype(np.float32))
    area = ops.box_area(b)
    assert area.dtype == np.float32
    np.testing.assert_allclose(
        area.numpy(), (B1[:, 2] - B1[:, 0]) * (B1[:, 3] - B1[:, 1]), rtol=1e-5
    )
    ints = npgrad.tensor([[0, 0, 2, 3]])
    assert ops.box_area(ints).dtype == np.int64 and ops.box_area(ints).tolist() == [6]
    np.testing.assert_allclose(ops.box_iou(ints, ints).numpy(), [[1.0]])


FORMATS = ["xyxy", "xywh", "cxcywh"]


@pytest.mark.parametrize("fin", FORMATS)
@pytest.mark.parametrize("fout", FORMATS)
def test_box_convert_round_trip(fin, fout) -> None:
    x1, y1, x2, y2 = B1.T
    reps = {
        "xyxy": B1,
        "xywh": np.stack([x1, y1, x2 - x1, y2 - y1], 1),
        "cxcywh": np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], 1),
    }
    out = ops.box_convert(npgrad.tensor(reps[fin].astype(np.float32)), fin, fout)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), reps[fout], rtol=1e-5, atol=1e-5)


def test_box_convert_gradient_and_errors() -> None:
    b = npgrad.tensor(B1, requires_grad=True)
    assert gradcheck(lambda t: ops.box_convert(t, "cxcywh", "xywh"), (b,))
    with pytest.raises(ValueError, match="unsupported in_fmt 'xy'"):
        ops.box_convert(b, "xy", "xyxy")
    with pytest.raises(ValueError, match=r"box_convert: boxes must have shape \(N, 4\)"):
        ops.box_convert(npgrad.zeros(3, 5), "xyxy", "xywh")


def test_clip_and_remove_small() -> None:
    b = npgrad.tensor([[-1.0, -2.0, 5.0, 30.0], [3.0, 4.0, 20.0, 5.0]])
    np.testing.assert_array_equal(
        ops.clip_boxes_to_image(b, (10, 8)).numpy(), [[0, 0, 5, 10], [3, 4, 8, 5]]
    )
    batched = npgrad.tensor(np.tile(b.numpy(), (2, 1, 1)))
    assert ops.clip_boxes_to_image(batched, (10, 8)).shape == (2, 2, 4)
    assert ops.remove_small_boxes(b, 1.0).tolist() == [0, 1]
    assert ops.remove_small_boxes(b, 2.0).tolist() == [0]
    assert ops.remove_small_boxes(b, 2.0).dtype == np.int64
    with pytest.raises(ValueError, match="size must be"):
        ops.clip_boxes_to_image(b, (1, 2, 3))


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"box_iou: boxes2 must have shape \(N, 4\), got \(3,\)"):
        ops.box_iou(npgrad.zeros(2, 4), npgrad.zeros(3))
    with pytest.raises(TypeError, match="box_area: boxes must be a Tensor"):
        ops.box_area(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"nms: scores must have shape \(N,\)"):
        ops.nms(npgrad.zeros(2, 4), npgrad.zeros(3), 0.5)
    with pytest.raises(ValueError, match="batched_nms: idxs must have shape"):
        ops.batched_nms(npgrad.zeros(2, 4), npgrad.zeros(2), npgrad.zeros(3), 0.5)


# ---- NMS ---------------------------------------------------------------------------------------
def nms_ref(boxes: np.ndarray, scores: np.ndarray, thr: float) -> list[int]:
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    keep: list[int] = []
    for i in order:
        ok = True
        for j in keep:
            iou = pair_ref(boxes[i : i + 1], boxes[j : j + 1], "iou")[0, 0]
            if iou > thr:
                ok = False
                break
        if ok:
            keep.append(i)
    return keep


def batched_ref(boxes, scores, idxs, thr) -> list[int]:
    keep = []
    for c in set(idxs.tolist()):
        members = [i for i in range(len(idxs)) if idxs[i] == c]
        keep += [members[k] for k in nms_ref(boxes[members], scores[members], thr)]
    return sorted(keep, key=lambda i: (-scores[i], i))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 25),
    thr=st.sampled_from([0.0, 0.3, 0.5, 0.7]),
    ties=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_nms_and_batched_nms_match_reference(n, thr, ties, seed) -> None:
    rng = np.random.default_rng(seed)
    boxes = random_boxes(n, rng, scale=6.0)
    if n > 3:
        boxes[1] = boxes[0]  # an exact duplicate
    scores = rng.integers(0, 3, n).astype(np.float64) if ties else rng.random(n)
    idxs = rng.integers(0, 3, n)
    got = ops.nms(npgrad.tensor(boxes), npgrad.tensor(scores), thr)
    assert got.dtype == np.int64
    assert got.tolist() == nms_ref(boxes, scores, thr)
    got_b = ops.batched_nms(npgrad.tensor(boxes), npgrad.tensor(scores), npgrad.tensor(idxs), thr)
    assert got_b.tolist() == batched_ref(boxes, scores, idxs, thr)


def test_nms_threshold_is_strict_and_ties_keep_lower_index() -> None:
    boxes = npgrad.tensor([[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 2.0, 2.0]])
    scores = npgrad.tensor([0.5, 0.9, 0.5])
    assert ops.nms(boxes, scores, 0.5).tolist() == [1, 0]  # IoU(1, 0) == 0.5 is kept
    assert ops.nms(boxes, scores, 0.49).tolist() == [1]


@pytest.mark.torch
def test_iou_and_gradients_match_torch_formulas() -> None:
    """torchvision's formulas written with torch ops: values and gradients of a weighted sum."""
    torch = pytest.importorskip("torch")
    a, b = random_boxes(4), random_boxes(3)
    w = RNG.standard_normal((4, 3))

    def torch_giou(t1, t2):
        area1 = (t1[:, 2] - t1[:, 0]) * (t1[:, 3] - t1[:, 1])
        area2 = (t2[:, 2] - t2[:, 0]) * (t2[:, 3] - t2[:, 1])
        lt = torch.max(t1[:, None, :2], t2[:, :2])
        rb = torch.min(t1[:, None, 2:], t2[:, 2:])
        wh = (rb - lt).clamp(min=0)
        inter = wh[..., 0] * wh[..., 1]
        union = area1[:, None] + area2 - inter
        whi = torch.max(t1[:, None, 2:], t2[:, 2:]) - torch.min(t1[:, None, :2], t2[:, :2])
        areai = whi.clamp(min=0).prod(-1)
        return inter / union - (areai - union) / areai

    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    want = torch_giou(ta, tb)
    (want * torch.tensor(w)).sum().backward()
    na = npgrad.tensor(a, requires_grad=True)
    nb = npgrad.tensor(b, requires_grad=True)
    got = ops.generalized_box_iou(na, nb)
    (got * npgrad.tensor(w)).sum().backward()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(na.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(nb.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_complete_box_iou_gradient_matches_torch_with_detached_alpha() -> None:
    torch = pytest.importorskip("torch")
    a, b = random_boxes(3), random_boxes(4)
    w = RNG.standard_normal((3, 4))
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    inter_wh = (
        torch.min(ta[:, None, 2:], tb[:, 2:]) - torch.max(ta[:, None, :2], tb[:, :2])
    ).clamp(min=0)
    inter = inter_wh.prod(-1)
    area_a = (ta[:, 2] - ta[:, 0]) * (ta[:, 3] - ta[:, 1])
    area_b = (tb[:, 2] - tb[:, 0]) * (tb[:, 3] - tb[:, 1])
    iou = inter / (area_a[:, None] + area_b - inter)
    whi = (torch.max(ta[:, None, 2:], tb[:, 2:]) - torch.min(ta[:, None, :2], tb[:, :2])).clamp(
        min=0
    )
    diag = (whi**2).sum(-1) + 1e-7
    ca, cb = (ta[:, :2] + ta[:, 2:]) / 2, (tb[:, :2] + tb[:, 2:]) / 2
    diou = iou - ((ca[:, None] - cb) ** 2).sum(-1) / diag
    wa, ha = (ta[:, 2] - ta[:, 0])[:, None], (ta[:, 3] - ta[:, 1])[:, None]
    wb, hb = tb[:, 2] - tb[:, 0], tb[:, 3] - tb[:, 1]
    v = (4 / math.pi**2) * (torch.atan(wb / hb) - torch.atan(wa / ha)) ** 2
    with torch.no_grad():
        alpha = v / (1 - iou + v + 1e-7)
    want = diou - alpha * v
    (want * torch.tensor(w)).sum().backward()
    na = npgrad.tensor(a, requires_grad=True)
    nb = npgrad.tensor(b, requires_grad=True)
    got = ops.complete_box_iou(na, nb)
    (got * npgrad.tensor(w)).sum().backward()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(na.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nb.grad.numpy(), tb.grad.numpy(), rtol=1e-9, atol=1e-12)
