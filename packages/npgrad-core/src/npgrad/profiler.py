"""PyTorch's ``torch.profiler`` API on npgrad's recorder: where does a step spend its time?

Inside ``profile``, every op's forward (an event named after its Function: ``Mul``,
``Matmul``, ``ConvNd``), every backward node (``MulBackward``) and every
:class:`record_function` block is timed; :meth:`profile.key_averages` sums them per name and
prints PyTorch's table::

    from npgrad.profiler import profile, record_function

    with profile(record_shapes=True) as prof:
        with record_function("train step"):
            loss = loss_fn(model(x), y)
            loss.backward()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))

A ``schedule`` profiles chosen steps of a long loop (call :meth:`profile.step` once per
step): skip some, warm up, record a few, hand the trace to ``on_trace_ready`` (for example
:func:`tensorboard_trace_handler`, which writes Chrome-trace JSON), repeat. The recorder
itself is described in :mod:`npgrad.autograd.profiler`; it costs nothing while no profiler
runs.
"""

from __future__ import annotations

import enum
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from npgrad.autograd.profiler import _Recorder, _start, _stop, record_function
from npgrad.autograd.profiler_util import EventList, write_trace

__all__ = [
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
]


class ProfilerActivity(enum.Enum):
    """What a profiler may record; npgrad has the ``CPU`` only (see
    :func:`supported_activities`)."""

    CPU = 0
    XPU = 1
    CUDA = 2
    HPU = 3
    MTIA = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does during a step, as a :func:`schedule` decides it."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set[ProfilerActivity]:
    """The activities this build can profile: ``{ProfilerActivity.CPU}``.

    Examples
    --------
    >>> from npgrad.profiler import supported_activities
    >>> supported_activities()
    {<ProfilerActivity.CPU: 0>}
    """
    return {ProfilerActivity.CPU}


def schedule(
    *,
    wait: int,
    warmup: int,
    active: int,
    repeat: int = 0,
    skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:
    """The action of each step: after ``skip_first`` steps, cycles of ``wait`` idle steps,
    ``warmup`` steps and ``active`` recorded steps (the last one saves the trace), ``repeat``
    times (0: until the profiler stops). A nonzero ``skip_first_wait`` skips the first
    cycle's wait.

    Examples
    --------
    >>> from npgrad.profiler import schedule
    >>> s = schedule(wait=1, warmup=1, active=2, repeat=1)
    >>> [s(step).name for step in range(5)]
    ['NONE', 'WARMUP', 'RECORD', 'RECORD_AND_SAVE', 'NONE']
    """
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise ValueError(
            f"schedule: got wait={wait} (need >= 0), warmup={warmup} (need >= 0), "
            f"active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0)"
        )
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )
    cycle = wait + warmup + active

    def action(step: int) -> ProfilerAction:
        if step < 0:
            raise ValueError(f"schedule: a step must be non-negative, got {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:
            step += wait
        if repeat > 0 and step >= repeat * cycle:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if at < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def _always_record(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
_STEP = "ProfilerStep#"


class profile:
    """Profile the ops, backward nodes and :class:`record_function` blocks run inside it
    (PyTorch's ``torch.profiler.profile``).

    Parameters
    ----------
    activities : iterable of ProfilerActivity, optional
        What to record; default (and the only choice here) the CPU. Other devices warn and
        are dropped.
    schedule : callable, optional
        ``step -> ProfilerAction`` (see :func:`schedule`). Without one every step is
        recorded, and the trace is ready when the profiler stops. With one, every step is
        also an event ``ProfilerStep#<n>`` (``ProfilerStep*`` in :meth:`key_averages`).
    on_trace_ready : callable, optional
        Called with the profiler each time a trace is complete.
    record_shapes, profile_memory, with_stack :
        As for :class:`npgrad.autograd.profiler.profile`.
    acc_events : bool
        Keep the events of every recorded cycle, not just the last one.
    with_flops, with_modules, experimental_config, execution_trace_observer, use_cuda,
    custom_trace_id_callback :
        Accepted for PyTorch compatibility; they change nothing here.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.profiler import profile, schedule
    >>> x = npgrad.ones(3, requires_grad=True)
    >>> traces = []
    >>> with profile(
    ...     schedule=schedule(wait=1, warmup=1, active=2),
    ...     on_trace_ready=lambda p: traces.append(p.step_num),
    ... ) as prof:
    ...     for _ in range(8):
    ...         (x * x).exp().backward(npgrad.ones(3))
    ...         prof.step()
    >>> traces  # each cycle saved on its last recorded step
    [4, 8]
    >>> [a.key for a in prof.key_averages()]
    ['ProfilerStep*', 'Mul', 'Exp', 'ExpBackward', 'MulBackward']
    """

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[[profile], Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: Any = None,
        execution_trace_observer: Any = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        custom_trace_id_callback: Any = None,
    ) -> None:
        wanted = set(supported_activities() if activities is None else activities)
        if use_cuda:
            wanted.add(ProfilerActivity.CUDA)
        for a in sorted(wanted - supported_activities(), key=lambda a: a.value):
            warnings.warn(f"{a.name} is not available, disabling {a.name} profiling", stacklevel=2)
        if ProfilerActivity.CPU not in wanted:
            raise ValueError("profile: no activity to profile: npgrad profiles the CPU only")
        self.activities = {ProfilerActivity.CPU}
        self.schedule = schedule or _always_record
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory = record_shapes, profile_memory
        self.with_stack, self.acc_events = with_stack, acc_events
        self.step_num = 0
        self.current_action = self.schedule(0)
        self.metadata: dict[str, Any] = {}
        self._rec: _Recorder | None = None
        self._events: list[Any] = []  # of the last finished trace (all of them: acc_events)
        self._step_range: record_function | None = None

    # -- the run ------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin profiling (``with profile(...)`` calls it)."""
        self._enter(self.current_action)
        self._open_step()

    def stop(self) -> None:
        """End profiling; a trace being recorded is finished (``on_trace_ready`` runs)."""
        self._close_step()
        if self.current_action in _RECORDING:
            self._finish_trace()

    def step(self) -> None:
        """Mark the end of a step: the schedule decides what the next one does."""
        self._close_step()
        prev = self.current_action
        self.step_num += 1
        self.current_action = nxt = self.schedule(self.step_num)
        if prev in _RECORDING:
            if prev == ProfilerAction.RECORD and nxt not in _RECORDING:
                warnings.warn(f"Incorrect schedule: RECORD followed by {nxt.name}", stacklevel=2)
            if prev == ProfilerAction.RECORD_AND_SAVE or nxt not in _RECORDING:
                self._finish_trace()
                self._enter(nxt)
        else:
            if prev == ProfilerAction.WARMUP and nxt == ProfilerAction.NONE:
                warnings.warn("Incorrect schedule: WARMUP followed by NONE", stacklevel=2)
            self._enter(nxt)
        self._open_step()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _enter(self, action: ProfilerAction) -> None:
        if action in _RECORDING and self._rec is None:
            self._rec = _Recorder(self.record_shapes, self.with_stack, self.profile_memory)
            _start(self._rec)

    def _finish_trace(self) -> None:
        rec, self._rec = self._rec, None
        if rec is None:
            return
        _stop(rec)
        events = rec.event_list()
        self._events = self._events + list(events) if self.acc_events else list(events)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def _open_step(self) -> None:
        if self.record_steps:
            self._step_range = record_function(_STEP + str(self.step_num))
            self._step_range.__enter__()

    def _close_step(self) -> None:
        if self._step_range is not None:
            self._step_range.__exit__(None, None, None)
            self._step_range = None

    # -- the results ----------------------------------------------------------------------------
    def events(self) -> EventList:
        """The events of the last finished trace, in the order they began."""
        return EventList(self._events, profile_memory=self.profile_memory)

    def key_averages(
        self,
        group_by_input_shape: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        """The events summed per name (and, if asked, per input shapes and per innermost
        ``group_by_stack_n`` stack frames); the ``ProfilerStep#<n>`` steps as one
        ``ProfilerStep*`` row."""
        averages = self.events().key_averages(group_by_input_shape, group_by_stack_n)
        steps = [a for a in averages if a.key.startswith(_STEP)]
        if not steps:
            return averages
        merged = steps[0]
        for a in steps[1:]:
            merged.add(a)
        merged.key = "ProfilerStep*"
        return EventList(
            [a for a in averages if a is merged or not a.key.startswith(_STEP)],
            profile_memory=self.profile_memory,
        )

    def add_metadata(self, key: str, value: str) -> None:
        """Add ``key: value`` (a string) to the exported traces."""
        self.metadata[key] = value

    def add_metadata_json(self, key: str, value: str) -> None:
        """Add ``key`` with a JSON-encoded ``value`` to the exported traces."""
        import json

        self.metadata[key] = json.loads(value)

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write the last trace as Chrome-trace JSON (``chrome://tracing``, Perfetto);
        gzipped when ``path`` ends with ``.gz``."""
        write_trace(path, self._events, self.metadata)

    def export_stacks(
        self, path: str | os.PathLike[str], metric: str = "self_cpu_time_total"
    ) -> None:
        """Write the events' stacks for a flame graph (needs ``with_stack=True``)."""
        self.events().export_stacks(path, metric)


def tensorboard_trace_handler(
    dir_name: str | os.PathLike[str], worker_name: str | None = None, use_gzip: bool = False
) -> Callable[[profile], None]:
    """An ``on_trace_ready`` that writes each trace to ``dir_name`` as
    ``<worker_name>.<time in ns>.pt.trace.json`` (``.gz`` with ``use_gzip``); the worker
    name defaults to ``<host name>_<process id>``.

    Examples
    --------
    >>> import os, tempfile, npgrad
    >>> from npgrad.profiler import profile, tensorboard_trace_handler
    >>> folder = tempfile.mkdtemp()
    >>> with profile(on_trace_ready=tensorboard_trace_handler(folder, "w0")):
    ...     y = npgrad.ones(2) * 3
    >>> [name.startswith("w0.") and name.endswith(".pt.trace.json") for name in os.listdir(folder)]
    [True]
    """
    folder = os.fspath(dir_name)

    def handler(prof: profile) -> None:
        os.makedirs(folder, exist_ok=True)
        name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        suffix = ".pt.trace.json.gz" if use_gzip else ".pt.trace.json"
        prof.export_chrome_trace(os.path.join(folder, f"{name}.{time.time_ns()}{suffix}"))

    return handler
