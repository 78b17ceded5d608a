"""npgrad.profiler and npgrad.autograd.profiler: what is recorded, how it is summed, printed and
exported, schedules, and that nothing stays patched after a run."""

from __future__ import annotations

import gzip
import json
import threading
import warnings

import numpy as np
import pytest

import npgrad
import npgrad.autograd.profiler as autograd_profiler
from npgrad.autograd._views import ViewFunction
from npgrad.autograd.function import Function
from npgrad.autograd.node import BackwardNode
from npgrad.autograd.profiler_util import EventList, FunctionEventAvg, _format_time
from npgrad.profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    supported_activities,
    tensorboard_trace_handler,
)


def _hot_paths() -> list[object]:
    return [
        Function.__dict__["apply"],
        ViewFunction.__dict__["apply"],
        BackwardNode.__dict__["_call"],
        BackwardNode.__dict__["_call_arrays"],
    ]


def _graph() -> npgrad.Tensor:
    # (a non-scalar backward: with NumPy 1 a 0-d gradient makes SumBackward run Tensor ops,
    # which are events of their own)
    x = npgrad.ones(4, requires_grad=True)
    (x * x).exp().backward(npgrad.ones(4))
    return x


def test_ops_and_backward_nodes_are_events_in_the_order_they_began():
    with profile() as prof:
        _graph()
    assert [e.name for e in prof.events()] == ["Mul", "Exp", "ExpBackward", "MulBackward"]
    assert [e.id for e in prof.events()] == sorted(e.id for e in prof.events())
    for e in prof.events():
        assert e.thread == threading.get_ident()
        assert 0 <= e.time_range.start <= e.time_range.end
        assert e.cpu_time_total == pytest.approx(e.time_range.end - e.time_range.start)


def test_view_ops_are_events_too():
    x = npgrad.ones(2, 3, requires_grad=True)
    with profile() as prof:
        x.reshape(3, 2).t().exp().backward(npgrad.ones(2, 3))
    names = [e.name for e in prof.events()]
    assert names[:3] == ["Reshape", "Transpose", "Exp"]
    # (a backward node may run ops of its own: events too, inside the node's)
    top_level = [e.name for e in prof.events() if e.cpu_parent is None]
    assert top_level[3:] == ["ExpBackward", "TransposeBackward", "ReshapeBackward"]


def test_nothing_stays_patched_after_a_run_even_after_an_error():
    before = _hot_paths()
    with pytest.raises(ValueError, match="shapes"), profile():
        npgrad.ones(2, 3) @ npgrad.ones(2, 3)
    assert _hot_paths() == before
    assert autograd_profiler._active is None
    with profile() as prof:
        pass
    assert _hot_paths() == before
    assert list(prof.events()) == []


def test_a_failing_op_still_closes_its_event():
    with profile() as prof, record_function("outer"):
        with pytest.raises(ValueError, match="add"):
            npgrad.ones(2, 3) + npgrad.ones(4)  # raised inside Add.apply
        npgrad.ones(2) * 2
    outer = next(e for e in prof.events() if e.name == "outer")
    assert [c.name for c in outer.cpu_children] == ["Add", "MulScalar"]
    assert all(c.cpu_parent is outer for c in outer.cpu_children)


def test_record_function_nests_and_self_time_excludes_children():
    with profile() as prof, record_function("outer") as rf:
        assert isinstance(rf, record_function)
        with record_function("inner"):
            npgrad.ones(3) * 2
        npgrad.ones(3) + 1
    events = {e.name: e for e in prof.events()}
    outer, inner = events["outer"], events["inner"]
    assert outer.cpu_parent is None and inner.cpu_parent is outer
    assert [c.name for c in outer.cpu_children] == ["inner", "AddScalar"]
    assert [c.name for c in inner.cpu_children] == ["MulScalar"]
    assert outer.is_user_annotation and not events["MulScalar"].is_user_annotation
    assert outer.self_cpu_time_total == pytest.approx(
        outer.cpu_time_total - inner.cpu_time_total - events["AddScalar"].cpu_time_total
    )
    assert outer.cpu_time_total >= inner.cpu_time_total >= events["MulScalar"].cpu_time_total
    # each unit of time is counted once in the self times
    assert prof.events().self_cpu_time_total == pytest.approx(outer.cpu_time_total)


def test_record_function_as_decorator_and_outside_a_profiler():
    @record_function("helper")
    def helper(n: int) -> npgrad.Tensor:
        return npgrad.ones(2) * n if n == 0 else helper(n - 1) + 1

    assert helper(1).tolist() == [1.0, 1.0]  # no profiler: a plain call
    with profile() as prof:
        helper(1)
    helpers = [e for e in prof.events() if e.name == "helper"]
    assert len(helpers) == 2
    assert helpers[1].cpu_parent is helpers[0]  # the recursive call, inside the first


def test_key_averages_counts_and_groups_by_input_shape():
    a, b = npgrad.ones(3), npgrad.ones(2, 2)
    with profile(record_shapes=True) as prof:
        for _ in range(3):
            a * a
        b * b
    averages = {x.key: x for x in prof.key_averages()}
    assert averages["Mul"].count == 4
    assert averages["Mul"].input_shapes is None
    total = sum(e.cpu_time_total for e in prof.events() if e.name == "Mul")
    assert len(prof.events()) == 4
    assert averages["Mul"].cpu_time_total == pytest.approx(total)
    assert averages["Mul"].cpu_time == pytest.approx(total / 4)
    by_shape = prof.key_averages(group_by_input_shape=True)
    assert sorted((x.count, str(x.input_shapes)) for x in by_shape) == [
        (1, "[[2, 2], [2, 2]]"),
        (3, "[[3], [3]]"),
    ]
    assert all(isinstance(x, FunctionEventAvg) for x in by_shape)


def test_shapes_are_recorded_only_when_asked():
    with profile() as prof:
        npgrad.ones(3) * 2
    assert prof.events()[0].input_shapes == []
    with profile(record_shapes=True) as prof:
        npgrad.ones(3, 1) + npgrad.ones(1, 4)
    assert prof.events()[0].input_shapes == [[3, 1], [1, 4]]


def test_profile_memory_counts_new_arrays_not_views():
    x = npgrad.ones(100)
    with profile(profile_memory=True) as prof, record_function("block"):
        y = x * x  # a new float32 array of 100
        y.reshape(10, 10)  # a view
    events = {e.name: e for e in prof.events()}
    assert events["Mul"].self_cpu_memory_usage == 400
    assert events["Reshape"].self_cpu_memory_usage == 0
    assert events["block"].self_cpu_memory_usage == 0
    assert events["block"].cpu_memory_usage == 400
    table = prof.key_averages().table()
    assert "CPU Mem" in table and "400 B" in table


def test_with_stack_keeps_the_user_frames():
    def user_function() -> None:
        npgrad.ones(2) * 2

    with profile(with_stack=True) as prof:
        user_function()
    stack = prof.events()[0].stack
    assert stack[0].endswith(": user_function") and "test_profiler.py(" in stack[0]
    assert not any("npgrad" + "/ops" in frame for frame in stack)


def test_table_layout_sorting_and_limits():
    x = npgrad.ones(200, 200)
    with profile() as prof:
        for _ in range(2):
            x @ x
        x + x
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=1)
    lines = table.splitlines()
    assert lines[0].startswith("-") and lines[2].startswith("-")
    for header in ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "# of Calls"):
        assert header in lines[1]
    assert "Input Shapes" not in lines[1]
    assert len(lines) == 6  # rule, header, rule, one row, rule, total
    assert lines[3].split()[0] == "Matmul" and lines[3].split()[-1] == "2"
    assert lines[5].startswith("Self CPU time total: ")
    by_count = prof.key_averages().table(sort_by="count", row_limit=-1)
    assert by_count.index("Matmul") < by_count.index("Add")
    with pytest.raises(AttributeError):
        prof.key_averages().table(sort_by="no_such_column")
    assert str(prof.events()) == prof.events().table()


def test_time_format():
    assert _format_time(12.0) == "12.000us"
    assert _format_time(1234.0) == "1.234ms"
    assert _format_time(2.5e6) == "2.500s"


def test_total_average():
    with profile() as prof:
        _graph()
    total = prof.events().total_average()
    assert total.key == "Total" and total.count == 4
    assert total.self_cpu_time_total == pytest.approx(prof.events().self_cpu_time_total)


def test_schedule_actions():
    s = schedule(skip_first=1, wait=1, warmup=1, active=2, repeat=2)
    names = [s(i).name for i in range(12)]
    assert names == ["NONE", "NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE"] * 1 + [
        "NONE",
        "WARMUP",
        "RECORD",
        "RECORD_AND_SAVE",
        "NONE",
        "NONE",
        "NONE",
    ]
    s = schedule(wait=2, warmup=1, active=1, skip_first_wait=1)
    assert [s(i) for i in range(4)] == [
        ProfilerAction.WARMUP,
        ProfilerAction.RECORD_AND_SAVE,
        ProfilerAction.NONE,
        ProfilerAction.NONE,
    ]
    with pytest.raises(ValueError, match="active=0"):
        schedule(wait=0, warmup=1, active=0)
    with pytest.warns(UserWarning, match="warmup"):
        schedule(wait=0, warmup=0, active=1)


def test_scheduled_profile_records_only_active_steps():
    x = npgrad.ones(3, requires_grad=True)
    seen: list[tuple[int, int]] = []

    def ready(p: profile) -> None:
        seen.append((p.step_num, sum(e.name == "MulScalar" for e in p.events())))

    with profile(schedule=schedule(wait=1, warmup=1, active=2), on_trace_ready=ready) as prof:
        for _ in range(9):
            x * 2
            prof.step()
    assert seen == [(4, 2), (8, 2)]  # step 8 recorded nothing yet when the profiler stops
    steps = [e.name for e in prof.events() if e.name.startswith("ProfilerStep#")]
    assert steps == ["ProfilerStep#6", "ProfilerStep#7"]
    keys = [a.key for a in prof.key_averages()]
    assert keys.count("ProfilerStep*") == 1 and keys[0] == "ProfilerStep*"
    assert next(a for a in prof.key_averages() if a.key == "ProfilerStep*").count == 2


def test_acc_events_keeps_every_cycle():
    with profile(schedule=schedule(wait=0, warmup=1, active=1), acc_events=True) as prof:
        for _ in range(6):
            npgrad.ones(2) * 2
            prof.step()
    assert sum(e.name == "MulScalar" for e in prof.events()) == 3


def test_profile_without_schedule_is_ready_when_it_stops():
    calls = []
    with profile(on_trace_ready=lambda p: calls.append(len(p.events()))) as prof:
        npgrad.ones(2) * 2
        prof.step()  # no schedule: every step records, and no ProfilerStep events
        npgrad.ones(2) * 2
    assert calls == [2]
    assert [e.name for e in prof.events()] == ["MulScalar", "MulScalar"]


def test_activities():
    assert supported_activities() == {ProfilerActivity.CPU}
    both = [ProfilerActivity.CPU, ProfilerActivity.CUDA]
    with pytest.warns(UserWarning, match="CUDA is not available"), profile(activities=both) as prof:
        npgrad.ones(2) * 2
    assert len(prof.events()) == 1
    with pytest.warns(UserWarning, match="CUDA"), pytest.raises(ValueError, match="CPU only"):
        profile(activities=[ProfilerActivity.CUDA])


def test_one_profiler_at_a_time():
    with profile() as prof:
        with pytest.raises(RuntimeError, match="already running"):
            profile().start()
        npgrad.ones(2) * 2
    assert [e.name for e in prof.events()] == ["MulScalar"]
    assert autograd_profiler._active is None


def test_threads_have_their_own_nesting():
    results = []

    def work() -> None:
        with record_function("in thread"):
            npgrad.ones(2) * 3
        results.append(threading.get_ident())

    with profile() as prof, record_function("main"):
        t = threading.Thread(target=work)
        t.start()
        t.join()
    events = {e.name: e for e in prof.events()}
    assert events["in thread"].cpu_parent is None  # not inside "main": another thread
    assert events["in thread"].thread == results[0] != events["main"].thread
    assert events["MulScalar"].cpu_parent is events["in thread"]


def test_chrome_trace(tmp_path):
    with profile(record_shapes=True) as prof, record_function("block"):
        npgrad.ones(3) * npgrad.ones(1)
    prof.add_metadata("run", "test")
    for name, opener in (("t.json", open), ("t.json.gz", gzip.open)):
        prof.export_chrome_trace(tmp_path / name)
        with opener(tmp_path / name, "rt") as f:
            doc = json.load(f)
        assert doc["run"] == "test"
        items = {e["name"]: e for e in doc["traceEvents"]}
        assert set(items) == {"block", "Mul"}
        assert items["block"]["cat"] == "user_annotation" and items["Mul"]["cat"] == "cpu_op"
        assert items["Mul"]["ph"] == "X" and items["Mul"]["args"]["Input Dims"] == [[3], [1]]
        assert items["block"]["ts"] <= items["Mul"]["ts"]
        assert (
            items["Mul"]["ts"] + items["Mul"]["dur"]
            <= items["block"]["ts"] + items["block"]["dur"] + 1e-6
        )


def test_tensorboard_trace_handler_writes_one_file_per_trace(tmp_path):
    handler = tensorboard_trace_handler(tmp_path / "logs", worker_name="w", use_gzip=True)
    with profile(schedule=schedule(wait=0, warmup=1, active=1), on_trace_ready=handler) as p:
        for _ in range(4):
            npgrad.ones(2) * 2
            p.step()
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == 2
    for f in files:
        assert f.name.startswith("w.") and f.name.endswith(".pt.trace.json.gz")
        with gzip.open(f, "rt") as fh:
            assert any(e["name"] == "MulScalar" for e in json.load(fh)["traceEvents"])


def test_export_stacks(tmp_path):
    with profile(with_stack=True) as prof:
        npgrad.ones(2) * 2
    prof.export_stacks(tmp_path / "stacks.txt")
    (line,) = (tmp_path / "stacks.txt").read_text().splitlines()
    frames, value = line.rsplit(" ", 1)
    assert int(value) >= 0
    assert frames.split(";")[-1].endswith(": test_export_stacks")


def test_autograd_profiler_profile():
    x = npgrad.ones(4, requires_grad=True)
    with autograd_profiler.profile(record_shapes=True) as prof:
        (x * x).exp().backward(npgrad.ones(4))
    assert isinstance(prof.function_events, EventList)
    assert [a.key for a in prof.key_averages()] == ["Mul", "Exp", "ExpBackward", "MulBackward"]
    assert prof.self_cpu_time_total == pytest.approx(prof.function_events.self_cpu_time_total)
    assert "Input Shapes" in prof.table()  # the individual events, with their shapes
    assert prof.total_average().count == 4
    with autograd_profiler.profile(enabled=False) as off:
        x * 2
    assert off.function_events is None
    with pytest.raises(RuntimeError, match="not finished"):
        off.key_averages()
    assert npgrad.autograd.profiler.record_function is record_function


def test_autograd_profiler_use_cuda_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with autograd_profiler.profile(use_cuda=True) as prof:
            npgrad.ones(2) * 2
    kinds = {type(w.message) for w in caught}
    assert kinds == {FutureWarning, UserWarning}
    assert len(prof.function_events) == 1


def test_profiling_does_not_change_results():
    rng = np.random.default_rng(0)
    w = npgrad.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    x = npgrad.tensor(rng.standard_normal((4, 5)))
    (x @ w).tanh().sum().backward()
    expected = w.grad.numpy().copy()
    w.grad = None
    with profile(record_shapes=True, profile_memory=True, with_stack=True):
        (x @ w).tanh().sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), expected)


@pytest.mark.torch
def test_schedule_matches_torch():
    torch = pytest.importorskip("torch")
    for kw in (
        {"wait": 1, "warmup": 1, "active": 2},
        {"wait": 0, "warmup": 2, "active": 1, "repeat": 3},
        {"wait": 3, "warmup": 1, "active": 2, "repeat": 1, "skip_first": 2},
        {"wait": 2, "warmup": 1, "active": 1, "skip_first": 1, "skip_first_wait": 1},
    ):
        ours, theirs = schedule(**kw), torch.profiler.schedule(**kw)
        assert [ours(i).name for i in range(20)] == [theirs(i).name for i in range(20)], kw


@pytest.mark.torch
def test_time_format_matches_torch():
    pytest.importorskip("torch")
    from torch.autograd.profiler_util import _format_time as torch_format

    for us in (0.0, 0.5, 12.0, 999.9, 1000.0, 54431.095, 1234567.0):
        assert _format_time(us) == torch_format(us)
