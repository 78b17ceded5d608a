"""NumPy's floating-point warnings: silent inside npgrad (as PyTorch is), untouched elsewhere.

npgrad installs a warnings filter when it is imported. pytest imports the test modules inside
its own ``warnings.catch_warnings()`` blocks, which drop filters added meanwhile, so each case
runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import npgrad


def _run(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with Python's default warning filters."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(npgrad.__file__)), env.get("PYTHONPATH", "")]
    )
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_ops_and_backward_at_singular_points_are_silent_numpy_elsewhere_is_not():
    done = _run(
        """
        import numpy as np
        import npgrad

        assert npgrad.log(npgrad.tensor([0.0])).tolist() == [float("-inf")]
        assert (npgrad.tensor([1.0]) / 0).tolist() == [float("inf")]
        assert npgrad.exp(npgrad.tensor([100.0])).tolist() == [float("inf")]
        assert np.isnan(npgrad.sqrt(npgrad.tensor([-1.0])).numpy()).all()
        x = npgrad.tensor([0.0, 4.0], requires_grad=True)
        x.sqrt().sum().backward()
        assert x.grad.tolist() == [float("inf"), 0.25]
        (g,) = npgrad.autograd.grad(x.log().sum(), x, create_graph=True)
        assert g.tolist() == [float("inf"), 0.25]
        assert np.geterr()["divide"] == "warn"  # NumPy's own state is untouched
        np.log(np.zeros(1))  # warns: NumPy called from outside npgrad
        print("done")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    lines = [line for line in done.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(lines) == 1 and "<string>" in lines[0] and "divide by zero" in lines[0]


def test_a_users_filter_takes_precedence():
    done = _run("import npgrad; npgrad.log(npgrad.tensor([0.0]))", "-W", "error::RuntimeWarning")
    assert done.returncode != 0 and "divide by zero encountered in log" in done.stderr


def test_npgrads_own_runtime_warnings_are_kept():
    done = _run("import npgrad; npgrad.cov(npgrad.tensor([[1.0]]))")
    assert done.returncode == 0, done.stderr
    assert "degrees of freedom" in done.stderr
