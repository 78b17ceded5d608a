"""The profiler's recorder, ``record_function`` and the autograd-style ``profile``.

How it records, at no cost while off: starting a profiler swaps in timed versions of the
three places every op and every backward node goes through — ``Function.apply`` (and
``ViewFunction.apply``, the view ops' override), and ``BackwardNode._call`` /
``_call_arrays``, which the engine calls to run a node — and stopping swaps the originals
back. Each timed call opens a :class:`~npgrad.autograd.profiler_util.FunctionEvent` on its
thread's stack of open events (so nested ops become children) and closes it when the call
returns. Results made without a Function (comparisons, creation ops, integer-only results)
are not events; their time counts as the self time of the event around them.

:mod:`npgrad.profiler` builds PyTorch's newer ``profile`` (activities, schedules, traces) on
the same recorder.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading
import time
import warnings
from typing import Any

import numpy as np

from npgrad.autograd.profiler_util import EventList, FunctionEvent, write_trace

__all__ = ["EventList", "FunctionEvent", "profile", "record_function"]

_active: _Recorder | None = None  # the running recorder (at most one per process)
_originals: dict[tuple[type, str], Any] = {}  # what the timed versions replaced


class _Recorder:
    """Collects the events of one profiling run, from every thread."""

    def __init__(self, record_shapes: bool, with_stack: bool, profile_memory: bool) -> None:
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.profile_memory = profile_memory
        self.events: list[FunctionEvent] = []
        self._ids = itertools.count()
        self._open = threading.local()  # .stack: this thread's open events, innermost last
        self._t0 = time.perf_counter_ns()

    def now(self) -> float:
        return (time.perf_counter_ns() - self._t0) / 1e3

    def open(self, name: str, inputs: Any, user: bool = False) -> FunctionEvent:
        stack = getattr(self._open, "stack", None)
        if stack is None:
            stack = self._open.stack = []
        shapes = [_shape(v) for v in inputs] if self.record_shapes else None
        frames = _user_frames() if self.with_stack else None
        ev = FunctionEvent(
            next(self._ids), name, threading.get_ident(), 0.0, 0.0, shapes, frames,
            is_user_annotation=user,
        )  # fmt: skip
        if stack:
            ev.cpu_parent = stack[-1]
            stack[-1].cpu_children.append(ev)
        stack.append(ev)
        ev.time_range.start = ev.time_range.end = self.now()
        return ev

    def close(self, ev: FunctionEvent, result: Any = None) -> None:
        ev.time_range.end = self.now()
        if self.profile_memory:
            ev.self_cpu_memory_usage = _new_bytes(result)
        stack = self._open.stack
        while stack and stack.pop() is not ev:  # an inner range left open by an exception
            pass
        self.events.append(ev)

    def event_list(self) -> EventList:
        return EventList(
            sorted(self.events, key=lambda e: e.id), profile_memory=self.profile_memory
        )


def _shape(v: Any) -> list[int]:
    shape = getattr(v, "shape", None)
    return list(shape) if shape is not None else []


def _new_bytes(result: Any) -> int:
    """Bytes of the arrays in ``result`` that own their memory (views cost nothing)."""
    items = result if isinstance(result, (tuple, list)) else (result,)
    total = 0
    for r in items:
        a = getattr(r, "_data", r)
        if isinstance(a, np.ndarray) and a.flags.owndata:
            total += a.nbytes
    return total


def _user_frames() -> list[str]:
    """The calling frames outside npgrad, innermost first, as ``"file.py(12): function"``."""
    frames = []
    f: Any = sys._getframe(2)
    cwd = os.getcwd() + os.sep
    while f is not None:
        module = f.f_globals.get("__name__", "")
        if module != "npgrad" and not module.startswith("npgrad."):
            path = f.f_code.co_filename
            path = path[len(cwd) :] if path.startswith(cwd) else path
            frames.append(f"{path}({f.f_lineno}): {f.f_code.co_name}")
        f = f.f_back
    return frames


# ---- the timed versions swapped in while a recorder runs ------------------------------------
def _timed_apply(original: Any) -> Any:
    def apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
        rec = _active
        if rec is None:  # stopped by another thread meanwhile
            return original(cls, *args, **kwargs)
        ev = rec.open(cls.__name__, args)
        out = None
        try:
            out = original(cls, *args, **kwargs)
        finally:
            rec.close(ev, out)
        return out

    return classmethod(apply)


def _timed_call(original: Any) -> Any:
    def call(node: Any, grads: list[Any]) -> Any:
        rec = _active
        if rec is None:
            return original(node, grads)
        ev = rec.open(node.name(), grads)
        out = None
        try:
            out = original(node, grads)
        finally:
            rec.close(ev, out)
        return out

    return call


def _start(rec: _Recorder) -> None:
    global _active
    if _active is not None:
        raise RuntimeError("profiler: a profiler is already running in this process")
    from npgrad.autograd._views import ViewFunction
    from npgrad.autograd.function import Function
    from npgrad.autograd.node import BackwardNode

    for cls, name, timed in (
        (Function, "apply", _timed_apply),
        (ViewFunction, "apply", _timed_apply),
        (BackwardNode, "_call", _timed_call),
        (BackwardNode, "_call_arrays", _timed_call),
    ):
        original = cls.__dict__[name]
        _originals[(cls, name)] = original
        plain = original.__func__ if isinstance(original, classmethod) else original
        setattr(cls, name, timed(plain))
    _active = rec


def _stop(rec: _Recorder) -> None:
    global _active
    if _active is not rec:
        return
    _active = None
    for (cls, name), original in _originals.items():
        setattr(cls, name, original)
    _originals.clear()


# ---- user ranges ----------------------------------------------------------------------------
class record_function(contextlib.ContextDecorator):
    """Label a block of code (or every call of a decorated function) in the profile: its time
    becomes an event named ``name``, with the ops run inside it as its children. Outside a
    profiler it does nothing.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.profiler import profile, record_function
    >>> with profile() as prof:
    ...     with record_function("forward pass"):
    ...         y = npgrad.ones(3) * 2
    >>> [e.name for e in prof.events()]
    ['forward pass', 'MulScalar']
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._open: list[tuple[_Recorder, FunctionEvent] | None] = []

    def __enter__(self) -> record_function:
        rec = _active
        self._open.append(None if rec is None else (rec, rec.open(self.name, (), user=True)))
        return self

    def __exit__(self, *exc: object) -> None:
        entry = self._open.pop() if self._open else None
        if entry is not None:
            entry[0].close(entry[1])


# ---- the autograd profiler --------------------------------------------------------------------
def _devices_unavailable(use_cuda: bool, use_device: str | None) -> None:
    if use_cuda:
        warnings.warn(
            "The attribute `use_cuda` will be deprecated soon, please use "
            "``use_device = 'cuda'`` instead.",
            FutureWarning,
            stacklevel=3,
        )
        use_device = "cuda"
    if use_device is not None and use_device != "cpu":
        warnings.warn(
            f"{use_device.upper()} is not available, disabling {use_device.upper()} profiling",
            UserWarning,
            stacklevel=3,
        )


class profile:
    """Time every op's forward and every backward node run inside the block (PyTorch's
    ``torch.autograd.profiler.profile``).

    Parameters
    ----------
    enabled : bool
        False makes the block a no-op.
    use_cuda, use_device :
        npgrad runs on the CPU only: asking for a device warns and profiles the CPU.
    record_shapes : bool
        Keep each event's input shapes (``FunctionEvent.input_shapes``).
    profile_memory : bool
        Keep the bytes of the new arrays each event returned.
    with_stack : bool
        Keep the user code's stack at each event (``FunctionEvent.stack``).
    with_flops, with_modules, use_kineto, experimental_config, acc_events,
    custom_trace_id_callback :
        Accepted for PyTorch compatibility; they change nothing here.
    use_cpu : bool
        False records nothing (npgrad has no other device).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.ones(4, requires_grad=True)
    >>> with npgrad.autograd.profiler.profile() as prof:
    ...     (x * x).exp().backward(npgrad.ones(4))
    >>> [a.key for a in prof.key_averages()]
    ['Mul', 'Exp', 'ExpBackward', 'MulBackward']
    >>> prof.key_averages()[0].count
    1
    """

    def __init__(
        self,
        enabled: bool = True,
        *,
        use_cuda: bool = False,
        use_device: str | None = None,
        record_shapes: bool = False,
        with_flops: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_modules: bool = False,
        use_kineto: bool = False,
        use_cpu: bool = True,
        experimental_config: Any = None,
        acc_events: bool = False,
        custom_trace_id_callback: Any = None,
    ) -> None:
        _devices_unavailable(use_cuda, use_device)
        self.enabled = enabled and use_cpu
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.with_stack = with_stack
        self._rec: _Recorder | None = None
        self.function_events: EventList | None = None

    def __enter__(self) -> profile:
        if self.enabled:
            if self._rec is not None:
                raise RuntimeError("profile: this profiler has already been entered")
            self._rec = _Recorder(self.record_shapes, self.with_stack, self.profile_memory)
            _start(self._rec)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rec is not None:
            _stop(self._rec)
            self.function_events = self._rec.event_list()
            self._rec = None

    def _events(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("profile: the profiler has not finished running")
        return self.function_events

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0
    ) -> EventList:
        """The events summed per name (see :meth:`EventList.key_averages`)."""
        return self._events().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, *args: Any, **kwargs: Any) -> str:
        """The table of the individual events (see :meth:`EventList.table`)."""
        return self._events().table(*args, **kwargs)

    def total_average(self) -> Any:
        """All events summed into one row."""
        return self._events().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The time spent in profiled code, in microseconds."""
        return self._events().self_cpu_time_total

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write a Chrome trace of the events (gzipped if ``path`` ends with ``.gz``)."""
        write_trace(path, self._events(), {})

    def export_stacks(
        self, path: str | os.PathLike[str], metric: str = "self_cpu_time_total"
    ) -> None:
        """Write the events' stacks for a flame graph (needs ``with_stack=True``)."""
        self._events().export_stacks(path, metric)

    def __str__(self) -> str:
        return self.table()
