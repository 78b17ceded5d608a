"""Sharing memory with other libraries (DLPack, the buffer protocol), ``typename``,
``is_inference_mode_enabled`` and ``Tensor.dim_order``."""

from __future__ import annotations

import array
import threading

import numpy as np
import pytest

import npgrad

NUMPY2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


# ---- DLPack ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int8", "int64", "uint8", "bool"]
)
def test_from_dlpack_shares_the_memory_of_a_numpy_array(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    t = npgrad.from_dlpack(a)
    assert t.dtype == a.dtype and t.shape == (2, 3)
    assert not t.requires_grad and t.is_leaf
    np.testing.assert_array_equal(t.numpy(), a)
    assert np.shares_memory(t.numpy(), a)


def test_from_dlpack_of_a_strided_view_keeps_its_strides():
    a = np.arange(12.0).reshape(3, 4)[:, ::2].T
    t = npgrad.from_dlpack(a)
    np.testing.assert_array_equal(t.numpy(), a)
    assert t.stride() == tuple(s // a.itemsize for s in a.strides)


@pytest.mark.skipif(not NUMPY2, reason="NumPy 1.x imports DLPack memory read-only")
def test_writes_through_a_dlpack_import_reach_the_exporter():
    a = np.zeros(3, np.float32)
    t = npgrad.from_dlpack(a)
    t[1] = 5.0
    t.add_(1.0)
    np.testing.assert_array_equal(a, [1.0, 6.0, 1.0])


@pytest.mark.skipif(NUMPY2, reason="NumPy 2 imports DLPack memory writable")
def test_numpy1_dlpack_imports_are_read_only_and_say_so():
    t = npgrad.from_dlpack(np.zeros(3, np.float32))
    with pytest.raises(RuntimeError, match="add_: .*read-only.*clone"):
        t.add_(1.0)
    c = t.clone()
    c.add_(1.0)
    np.testing.assert_array_equal(c.numpy(), [1.0, 1.0, 1.0])


def test_ops_that_do_not_write_memory_work_on_read_only_tensors():
    x = npgrad.ones(1, 3).expand(2, 3)
    assert x.resize_(2, 3).shape == (2, 3)  # same shape: nothing written
    assert npgrad.ones(1, 3).expand(2, 3).unsqueeze_(0).shape == (1, 2, 3)
    with pytest.raises(RuntimeError, match="uniform_: .*read-only"):
        npgrad.ones(1, 3).expand(2, 3).uniform_()


@pytest.mark.skipif(not NUMPY2, reason="NumPy 1.x's __dlpack__ takes only stream")
def test_dlpack_keywords_reach_numpy():
    x = npgrad.arange(3.0)
    a = np.from_dlpack(x, copy=True)
    assert not np.shares_memory(a, x.numpy()) and a.tolist() == [0.0, 1.0, 2.0]


def test_copy_true_copies():
    a = np.arange(3.0)
    t = npgrad.from_dlpack(a, copy=True)
    np.testing.assert_array_equal(t.numpy(), a)
    assert not np.shares_memory(t.numpy(), a)


def test_npgrad_to_npgrad_and_through_a_capsule():
    x = npgrad.arange(4.0)
    y = npgrad.from_dlpack(x)
    assert np.shares_memory(x.numpy(), y.numpy())
    z = npgrad.from_dlpack(npgrad.to_dlpack(x))
    assert np.shares_memory(x.numpy(), z.numpy())
    assert npgrad.utils.dlpack.from_dlpack is npgrad.from_dlpack
    assert npgrad.utils.dlpack.to_dlpack is npgrad.to_dlpack


def test_numpy_imports_an_npgrad_tensor():
    x = npgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = np.from_dlpack(x)
    np.testing.assert_array_equal(a, x.numpy())
    assert np.shares_memory(a, x.numpy())
    assert x.__dlpack_device__() == (1, 0)


def test_a_tensor_that_requires_grad_is_not_exported():
    x = npgrad.ones(2, requires_grad=True)
    with pytest.raises(BufferError, match="require gradient.*detach"):
        x.__dlpack__()
    with pytest.raises(BufferError, match="require gradient"):
        npgrad.to_dlpack(x)
    np.testing.assert_array_equal(np.from_dlpack(x.detach()), [1.0, 1.0])


def test_bad_inputs_name_the_function():
    with pytest.raises(TypeError, match="from_dlpack: expected an object with __dlpack__"):
        npgrad.from_dlpack([1.0, 2.0])
    with pytest.raises(TypeError, match="from_dlpack: .*complex"):
        npgrad.from_dlpack(np.ones(2, np.complex64))
    with pytest.raises(TypeError, match="from_dlpack: copy must be a bool"):
        npgrad.from_dlpack(np.ones(2), copy="yes")
    with pytest.raises(RuntimeError, match="from_dlpack"):
        npgrad.from_dlpack(np.ones(2), device="cuda")
    assert npgrad.from_dlpack(np.ones(2), device="cpu").shape == (2,)
    with pytest.raises(TypeError, match="to_dlpack: expected a Tensor"):
        npgrad.to_dlpack(np.ones(2))


@pytest.mark.torch
def test_torch_and_npgrad_share_memory_both_ways():
    torch = pytest.importorskip("torch")
    t = torch.arange(6.0).reshape(2, 3)
    x = npgrad.from_dlpack(t)
    assert x.dtype == npgrad.float32 and x.shape == (2, 3)
    if NUMPY2:
        x[0, 0] = 100.0
        assert t[0, 0].item() == 100.0
    back = torch.from_dlpack(npgrad.ones(3, dtype=npgrad.float64))
    assert back.dtype == torch.float64 and back.tolist() == [1.0, 1.0, 1.0]
    y = npgrad.zeros(2)
    ty = torch.from_dlpack(y)
    ty += 3
    np.testing.assert_array_equal(y.numpy(), [3.0, 3.0])
    assert npgrad.from_dlpack(torch.utils.dlpack.to_dlpack(torch.ones(2))).tolist() == [1.0, 1.0]
    assert torch.from_dlpack(npgrad.to_dlpack(npgrad.zeros(2))).tolist() == [0.0, 0.0]
    # both refuse a tensor that requires grad with the same error type
    with pytest.raises(BufferError):
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError):
        torch.from_dlpack(npgrad.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="from_dlpack"):
        npgrad.from_dlpack(torch.ones(2, dtype=torch.bfloat16))


# ---- frombuffer ----------------------------------------------------------------------------------
def test_frombuffer_shares_memory_with_the_buffer():
    a = array.array("i", [1, 2, 3])
    t = npgrad.frombuffer(a, dtype=npgrad.int32)
    assert t.dtype == npgrad.int32 and t.tolist() == [1, 2, 3]
    t[0] = -1
    assert a.tolist() == [-1, 2, 3]
    b = bytearray(np.arange(4, dtype=np.float32).tobytes())
    u = npgrad.frombuffer(b, dtype=npgrad.float32, count=2, offset=4)
    assert u.tolist() == [1.0, 2.0]
    u.mul_(10)
    assert np.frombuffer(b, np.float32).tolist() == [0.0, 10.0, 20.0, 3.0]


def test_frombuffer_reinterprets_bytes():
    b = bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")
    assert npgrad.frombuffer(b, dtype=npgrad.int32).tolist() == [1, 2]
    assert npgrad.frombuffer(b, dtype=npgrad.uint8).tolist() == [1, 0, 0, 0, 2, 0, 0, 0]
    assert npgrad.frombuffer(memoryview(b), dtype=npgrad.int16, offset=4).tolist() == [2, 0]


def test_frombuffer_requires_grad():
    t = npgrad.frombuffer(bytearray(8), dtype=npgrad.float32, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    (t * 2).sum().backward()
    assert t.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError):
        npgrad.frombuffer(bytearray(8), dtype=npgrad.int32, requires_grad=True)


def test_frombuffer_of_read_only_bytes_warns_and_refuses_writes():
    with pytest.warns(UserWarning, match="frombuffer: the given buffer is not writable"):
        t = npgrad.frombuffer(bytes(8), dtype=npgrad.float32)
    assert t.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="fill_: .*read-only"):
        t.fill_(1.0)


@pytest.mark.parametrize(
    ("nbytes", "kwargs", "message"),
    [
        (7, {}, ".* must be a multiple of element size"),
        (8, {"offset": 8}, "offset .* must be non-negative and no greater than"),
        (8, {"offset": -1}, "offset .* must be non-negative"),
        (8, {"count": 3}, r"requested buffer length \(3 \* 4 bytes\)"),
        (0, {}, "both buffer length .* and count .* must not be 0"),
    ],
)
def test_frombuffer_bad_sizes_raise_like_pytorch(nbytes, kwargs, message):
    with pytest.raises(ValueError, match="frombuffer: " + message):
        npgrad.frombuffer(bytearray(nbytes), dtype=npgrad.float32, **kwargs)


def test_frombuffer_of_a_non_contiguous_buffer_names_the_function():
    with pytest.raises(BufferError, match="frombuffer: .*not C-contiguous"):
        npgrad.frombuffer(memoryview(bytearray(16))[::2], dtype=npgrad.uint8)


def test_frombuffer_bad_arguments():
    with pytest.raises(TypeError, match="frombuffer: expected an object with the buffer"):
        npgrad.frombuffer([1, 2], dtype=npgrad.int32)
    with pytest.raises(TypeError, match="frombuffer: dtype complex64 is not supported"):
        npgrad.frombuffer(bytearray(8), dtype=np.complex64)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("dtype", "count", "offset"),
    [("float32", -1, 0), ("float32", 2, 4), ("int16", -1, 2), ("uint8", 3, 1), ("int64", 1, 8)],
)
def test_frombuffer_matches_pytorch(dtype, count, offset):
    torch = pytest.importorskip("torch")
    raw = bytes(range(1, 25))
    ours = npgrad.frombuffer(
        bytearray(raw), dtype=getattr(npgrad, dtype), count=count, offset=offset
    )
    theirs = torch.frombuffer(
        bytearray(raw), dtype=getattr(torch, dtype), count=count, offset=offset
    )
    assert ours.tolist() == theirs.tolist()


# ---- typename ------------------------------------------------------------------------------------
def test_typename():
    assert npgrad.typename(npgrad.ones(1)) == "npgrad.float32"
    assert npgrad.typename(npgrad.ones(1, dtype=npgrad.int64)) == "npgrad.int64"
    assert npgrad.typename(3) == "int"
    assert npgrad.typename(np.ones(1)) == "numpy.ndarray"
    assert npgrad.typename(npgrad.Tensor) == "npgrad.tensor.Tensor"
    assert npgrad.typename(test_typename) == f"{__name__}.test_typename"


@pytest.mark.torch
def test_typename_matches_pytorch_for_other_objects():
    torch = pytest.importorskip("torch")
    for obj in (3, 2.5, "s", np.ones(1), np.float32(1), [1], int, np.ndarray, threading.Thread):
        assert npgrad.typename(obj) == torch.typename(obj)


# ---- inference mode ------------------------------------------------------------------------------
def test_is_inference_mode_enabled_nests_like_pytorch():
    seen = []

    def record():
        seen.append((npgrad.is_inference_mode_enabled(), npgrad.is_grad_enabled()))

    record()
    with npgrad.inference_mode():
        record()
        with npgrad.inference_mode(False):
            record()
        record()
    with npgrad.no_grad(), npgrad.inference_mode(False):
        record()
    record()

    @npgrad.inference_mode()
    def decorated():
        record()

    decorated()
    record()
    assert seen == [
        (False, True),
        (True, False),
        (False, True),
        (True, False),
        (False, True),
        (False, True),
        (True, False),
        (False, True),
    ]


def test_inference_mode_is_per_thread():
    inside, release, seen = threading.Event(), threading.Event(), []

    def worker():
        with npgrad.inference_mode():
            inside.set()
            release.wait(5)

    th = threading.Thread(target=worker)
    th.start()
    inside.wait(5)
    seen.append(npgrad.is_inference_mode_enabled())
    release.set()
    th.join()
    assert seen == [False]


def test_inference_mode_is_exception_safe():
    with pytest.raises(KeyError), npgrad.inference_mode():
        raise KeyError
    assert not npgrad.is_inference_mode_enabled() and npgrad.is_grad_enabled()


@pytest.mark.torch
def test_inference_mode_false_enables_grad_as_pytorch_does():
    torch = pytest.importorskip("torch")
    for lib in (npgrad, torch):
        with lib.no_grad(), lib.inference_mode(False):
            assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()


# ---- dim_order and the rest --------------------------------------------------------------------
@pytest.mark.parametrize("perm", [(0, 1, 2, 3), (0, 2, 3, 1), (3, 2, 1, 0), (1, 0, 3, 2)])
def test_dim_order_of_permuted_tensors(perm):
    x = npgrad.zeros(2, 3, 4, 5).permute(*perm)
    inverse = tuple(int(i) for i in np.argsort(perm))
    assert x.dim_order() == inverse
    assert x.dim_order(ambiguity_check=True) == inverse


def test_dim_order_ambiguity():
    x = npgrad.zeros(2, 1, 4)
    assert x.dim_order() == (0, 1, 2)
    with pytest.raises(RuntimeError, match="dim_order: .*unique"):
        x.dim_order(ambiguity_check=True)
    assert npgrad.tensor(1.0).dim_order() == ()


@pytest.mark.torch
@pytest.mark.parametrize("perm", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (2, 1, 0)])
def test_dim_order_matches_pytorch(perm):
    torch = pytest.importorskip("torch")
    ours = npgrad.zeros(2, 3, 4).permute(*perm).contiguous().permute(*np.argsort(perm).tolist())
    theirs = torch.zeros(2, 3, 4).permute(*perm).contiguous().permute(*np.argsort(perm).tolist())
    assert ours.dim_order() == theirs.dim_order()


def test_vmap_and_utils_are_top_level():
    assert npgrad.vmap is npgrad.func.vmap
    assert npgrad.utils.checkpoint.checkpoint is not None
