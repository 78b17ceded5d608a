"""What the profiler records, and how it is summed up and printed.

A :class:`FunctionEvent` is one timed range: an op's forward (named after its Function, e.g.
``Mul``), a backward node run by the engine (``MulBackward``) or a
:class:`~npgrad.profiler.record_function` range. Ranges nest: an event's *self* time is its
time minus that of the events directly inside it. :class:`EventList` holds the events of a run
and prints them; :meth:`EventList.key_averages` sums them per name into
:class:`FunctionEventAvg` rows. Times are in microseconds, as in PyTorch.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from typing import Any

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "Interval"]


def _format_time(us: float) -> str:
    """``1.235s``, ``12.500ms`` or ``3.000us``: PyTorch's table format."""
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _format_memory(nbytes: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


class Interval:
    """The time range ``[start, end]`` of an event, in microseconds since the profiler began."""

    __slots__ = ("start", "end")

    def __init__(self, start: float, end: float) -> None:
        self.start, self.end = start, end

    def elapsed_us(self) -> float:
        """``end - start``."""
        return self.end - self.start

    def __repr__(self) -> str:
        return f"Interval(start={self.start:.3f}, end={self.end:.3f})"


class _TimeStrings:
    """The ``*_str`` forms of an event's times, formatted like the table."""

    @property
    def cpu_time_str(self: Any) -> str:
        """:attr:`cpu_time` formatted like the table."""
        return _format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self: Any) -> str:
        """:attr:`cpu_time_total` formatted like the table."""
        return _format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self: Any) -> str:
        """:attr:`self_cpu_time_total` formatted like the table."""
        return _format_time(self.self_cpu_time_total)


class FunctionEvent(_TimeStrings):
    """One profiled range: an op, a backward node or a ``record_function`` block.

    Attributes
    ----------
    id : int
        Its number, in the order the ranges were opened.
    name : str
        ``Mul`` (an op's forward), ``MulBackward`` (its backward node) or the label given to
        ``record_function``.
    thread : int
        The thread that ran it (``threading.get_ident()``).
    time_range : Interval
        When it ran, in microseconds since the profiler started.
    input_shapes : list
        With ``record_shapes``, one list of ints per argument (``[]`` for a non-tensor).
    stack : list of str
        With ``with_stack``, the user code's frames at the call, innermost first, as
        ``"file.py(12): function"``.
    cpu_parent : FunctionEvent or None
        The event it ran inside; ``cpu_children`` are the events directly inside it.
    cpu_memory_usage, self_cpu_memory_usage : int
        With ``profile_memory``: bytes of the new arrays it returned, with and without those
        of the events inside it.
    is_user_annotation : bool
        True for a ``record_function`` range.
    """

    def __init__(
        self,
        id: int,  # noqa: A002
        name: str,
        thread: int,
        start_us: float,
        end_us: float,
        input_shapes: list[Any] | None = None,
        stack: list[str] | None = None,
        cpu_memory_usage: int = 0,
        is_user_annotation: bool = False,
        sequence_nr: int = -1,
    ) -> None:
        self.id, self.name, self.thread = id, name, thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.self_cpu_memory_usage = cpu_memory_usage
        self.is_user_annotation = is_user_annotation
        self.sequence_nr = sequence_nr
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.count = 1

    @property
    def key(self) -> str:
        """The name it is grouped under by :meth:`EventList.key_averages`."""
        return self.name

    @property
    def cpu_time_total(self) -> float:
        """Its time, in microseconds, including the events inside it."""
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self) -> float:
        """Its time minus that of the events directly inside it."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_time(self) -> float:
        """Time per call: for a single event, its total."""
        return self.cpu_time_total / self.count

    @property
    def cpu_memory_usage(self) -> int:
        """Bytes returned by it and by the events inside it (``profile_memory``)."""
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent id={self.id} name={self.name} thread={self.thread} "
            f"cpu_time={self.cpu_time_str} start_us={self.time_range.start:.3f} "
            f"end_us={self.time_range.end:.3f} input_shapes={self.input_shapes} "
            f"cpu_memory_usage={self.cpu_memory_usage}>"
        )


class FunctionEventAvg(_TimeStrings):
    """The events of one key summed: ``count`` calls, their total and self times (their
    average per call is ``cpu_time``), memory, and (when grouped by them) input shapes and
    stack."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.input_shapes: list[Any] | None = None
        self.stack: list[str] = []
        self.is_user_annotation = False

    def add(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        """Add an event (or another average) into this one; returns ``self``."""
        if self.count == 0:
            self.input_shapes, self.stack = other.input_shapes, other.stack
            self.is_user_annotation = other.is_user_annotation
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        return self

    def __iadd__(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        return self.add(other)

    @property
    def cpu_time(self) -> float:
        """The average time per call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
            f"cpu_time={self.cpu_time_str} count={self.count} "
            f"input_shapes={self.input_shapes or ''} cpu_memory_usage={self.cpu_memory_usage}>"
        )


_SORT_KEYS = (
    "cpu_time",
    "cpu_time_total",
    "self_cpu_time_total",
    "cpu_memory_usage",
    "self_cpu_memory_usage",
    "count",
)


class EventList(list):  # type: ignore[type-arg]
    """A list of :class:`FunctionEvent` (or, from :meth:`key_averages`,
    :class:`FunctionEventAvg`) that prints as a table.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.profiler import profile
    >>> x = npgrad.ones(3, requires_grad=True)
    >>> with profile() as prof:
    ...     (x * x).exp().backward(npgrad.ones(3))
    >>> sorted(e.key for e in prof.key_averages())
    ['Exp', 'ExpBackward', 'Mul', 'MulBackward']
    """

    def __init__(self, events: Iterable[Any] = (), *, profile_memory: bool = False) -> None:
        super().__init__(events)
        self._profile_memory = profile_memory

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of the events' self times: the time spent in profiled code, once."""
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(
        self, group_by_input_shapes: bool = False, group_by_stack_n: int = 0
    ) -> EventList:
        """One :class:`FunctionEventAvg` per event name (and, if asked, per input shapes and
        per innermost ``group_by_stack_n`` stack frames), in order of first appearance."""
        groups: dict[tuple[Any, ...], FunctionEventAvg] = {}
        for e in self:
            key: tuple[Any, ...] = (e.key,)
            if group_by_input_shapes:
                key += (str(e.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(e.stack[:group_by_stack_n])
            avg = groups.get(key)
            if avg is None:
                avg = groups[key] = FunctionEventAvg(e.key)
            avg.add(e)
        out = EventList(groups.values(), profile_memory=self._profile_memory)
        for avg in out:
            if not group_by_input_shapes:
                avg.input_shapes = None
            if group_by_stack_n <= 0:
                avg.stack = []
        return out

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one row keyed ``Total``."""
        total = FunctionEventAvg("Total")
        for e in self:
            total.add(e)
        total.input_shapes, total.stack = None, []
        return total

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
    ) -> str:
        """The events as PyTorch's profiler table: self and total times (with their share of
        the total self time), average time per call, calls, and, when recorded, memory,
        input shapes and source locations. ``sort_by`` names an attribute (``cpu_time_total``,
        ``self_cpu_time_total``, ``cpu_time``, ``count``, ``cpu_memory_usage``, ...), largest
        first; ``row_limit`` rows at most (negative: all)."""
        events = [e for e in self if not top_level_events_only or _is_top_level(e)]
        if sort_by is not None:
            events.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit >= 0:
            events = events[:row_limit]
        total_self = self.self_cpu_time_total
        shapes = any(e.input_shapes for e in events)
        stacks = any(e.stack for e in events)
        names = [e.key for e in events] or ["Name"]
        name_w = min(max(len(n) for n in names) + 4, max_name_column_width)
        cols: list[tuple[str, int]] = [("Name", name_w)]
        cols += [(h, 12) for h in ("Self CPU %", "Self CPU", "CPU total %", "CPU total")]
        cols.append(("CPU time avg", 12))
        if self._profile_memory:
            cols += [("CPU Mem", 12), ("Self CPU Mem", 12)]
        cols.append(("# of Calls", 12))
        if shapes:
            cols.append(("Input Shapes", max_shapes_column_width))
        if stacks:
            cols.append(("Source Location", max_src_column_width))
        rule = "  ".join("-" * w for _, w in cols) + "  "

        def row(cells: list[str]) -> str:
            return "".join(f"{c:>{w}}  " for c, (_, w) in zip(cells, cols))

        def cut(s: str, w: int) -> str:
            return s if len(s) <= w else s[: w - 3] + "..."

        def share(t: float) -> str:
            return f"{100 * t / total_self:.2f}%" if total_self > 0 else "0.00%"

        lines = [header] if header else []
        lines += [rule, row([c for c, _ in cols]), rule]
        for e in events:
            cells = [cut(e.key, name_w)]
            cells += [share(e.self_cpu_time_total), _format_time(e.self_cpu_time_total)]
            cells += [share(e.cpu_time_total), _format_time(e.cpu_time_total)]
            cells.append(_format_time(e.cpu_time))
            if self._profile_memory:
                cells += [_format_memory(e.cpu_memory_usage)]
                cells += [_format_memory(e.self_cpu_memory_usage)]
            cells.append(str(e.count))
            if shapes:
                cells.append(cut(str(e.input_shapes or []), max_shapes_column_width))
            if stacks:
                cells.append(cut(e.stack[0] if e.stack else "", max_src_column_width))
            lines.append(row(cells))
        lines += [rule, f"Self CPU time total: {_format_time(total_self)}", ""]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto); gzipped
        when ``path`` ends with ``.gz``."""
        write_trace(path, self, {})

    def export_stacks(
        self, path: str | os.PathLike[str], metric: str = "self_cpu_time_total"
    ) -> None:
        """Write one line per event that has a stack (``with_stack=True``): its frames from
        the outermost, ``;``-separated, then its ``metric`` in whole microseconds — the input
        format of flame-graph tools."""
        with open(path, "w") as f:
            for e in self:
                if e.stack:
                    f.write(";".join(reversed(e.stack)) + f" {int(getattr(e, metric))}\n")


def _is_top_level(e: Any) -> bool:
    return getattr(e, "cpu_parent", None) is None


def write_trace(
    path: str | os.PathLike[str], events: Iterable[Any], metadata: dict[str, Any]
) -> None:
    """The Chrome-trace JSON of ``events`` (FunctionEvents), with ``metadata`` added."""
    pid = os.getpid()
    trace = []
    for e in events:
        item: dict[str, Any] = {
            "ph": "X",
            "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
            "name": e.name,
            "pid": pid,
            "tid": e.thread,
            "ts": e.time_range.start,
            "dur": e.cpu_time_total,
            "args": {"External id": e.id},
        }
        if e.input_shapes:
            item["args"]["Input Dims"] = e.input_shapes
        trace.append(item)
    doc = {"schemaVersion": 1, "displayTimeUnit": "ms", **metadata, "traceEvents": trace}
    data = json.dumps(doc).encode()
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)
