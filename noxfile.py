"""Every entry point of the npgrad monorepo.

    nox                  the CI gate: each package on the matrix edges, integration, lint,
                         versions, typecheck, layout, parity
    nox -t full          the whole Python x NumPy matrix (and everything in the gate)
    nox -t fast          one venv, every package editable, all but `slow` tests: the edit loop
    nox -s demo          train a CNN on the bundled digits (examples/digits_cnn.py)
    nox -s docs / bench  build the site / run benchmarks/run.py
    nox -s distributed   mpiexec tests on 2 and 3 ranks (MPICH + mpi4py wheels)
    nox -l               list the sessions (`*` marks the default ones)

Each package is tested in its own venv holding only itself and the npgrad packages its
pyproject declares, installed from local paths in one install command, so no `npgrad-*` name is
ever looked up in a registry. Every pytest run writes JUnit XML into reports/ (read by .ci/run).
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import nox

nox.needs_version = ">=2025.10.14"  # nox.options.download_python
nox.options.default_venv_backend = "uv|virtualenv"
# A missing interpreter is a failure, never a silently skipped session; and nox must not
# download a Python of its own (it cannot here, and CI should test the machine's Pythons).
nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"
nox.options.tags = ["default"]  # `nox` with no arguments

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
REPORTS = ROOT / "reports"

PACKAGES = ("core", "nn", "optim", "data", "vision")
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
NUMPYS = {"1.26": "numpy>=1.26,<1.27", "2": "numpy>=2,<3"}
EDGES = (("3.10", "1.26"), ("3.13", "2"))
# The one PyTorch the parity and bench sessions use. Only pip is allowed to install it: on this
# machine pip finds a local CPU wheel through PIP_FIND_LINKS; uv, Poetry or any other version
# would download gigabytes of CUDA.
TORCH = "torch==2.13.0"
LINT_PATHS = (
    "packages",
    "tests_integration",
    "examples",
    "benchmarks",
    "noxfile.py",
    "conftest.py",
)


def group(name: str) -> tuple[str, ...]:
    """A dependency group of the root pyproject."""
    return nox.project.dependency_groups(PYPROJECT, name)


def closure(package: str) -> list[str]:
    """`package` and every npgrad package it declares, transitively, dependencies first."""
    order: list[str] = []

    def visit(pkg: str) -> None:
        meta = nox.project.load_toml(ROOT / "packages" / f"npgrad-{pkg}" / "pyproject.toml")
        for requirement in meta["project"]["dependencies"]:
            match = re.match(r"npgrad-(\w+)\s*==", requirement)
            if match and match[1] not in order:
                visit(match[1])
        if pkg not in order:
            order.append(pkg)

    visit(package)
    return order


def local(packages: list[str] | tuple[str, ...], editable: bool = False) -> list[str]:
    args: list[str] = []
    for pkg in packages:
        args += ["-e"] * editable + [f"./packages/npgrad-{pkg}"]
    return args


def tests_dirs(packages: list[str] | tuple[str, ...]) -> list[str]:
    return [f"packages/npgrad-{pkg}/tests" for pkg in packages]


def check_distributions(session: nox.Session, packages: list[str] | tuple[str, ...]) -> None:
    """Fail unless exactly these npgrad distributions are installed in the session's venv."""
    listing = (
        "import importlib.metadata as m; print(*(d.metadata['Name'] for d in m.distributions()))"
    )
    names = str(session.run("python", "-c", listing, silent=True)).split()
    found = sorted(
        {re.sub(r"[-_.]+", "-", n).lower() for n in names if n.lower().startswith("npgrad")}
    )
    expected = sorted(f"npgrad-{pkg}" for pkg in packages)
    if found != expected:
        session.error(f"npgrad distributions in this venv: {found}; expected exactly {expected}")
    session.log(f"npgrad distributions in this venv: {', '.join(found)} (as declared)")


def run_pytest(session: nox.Session, *args: str, allow_empty: bool = False) -> int | None:
    """Run pytest writing reports/<session>.xml; return how many tests ran (None: not run)."""
    REPORTS.mkdir(exist_ok=True)
    report = REPORTS / (re.sub(r"[^\w.]+", "-", session.name).strip("-") + ".xml")
    report.unlink(missing_ok=True)
    session.run(
        "pytest",
        f"--junitxml={report}",
        *args,
        success_codes=[0, 5] if allow_empty else [0],
    )
    if not report.exists():  # e.g. `nox --install-only`
        return None
    return sum(int(suite.get("tests", 0)) for suite in ET.parse(report).getroot().iter("testsuite"))


def matrix(edges_only: bool = False) -> list[nox.param]:
    params = []
    for python in PYTHONS:
        for numpy in NUMPYS:
            if (python, numpy) == ("3.13", "1.26"):
                continue  # NumPy 1.26 has no wheels for Python 3.13
            edge = (python, numpy) in EDGES
            if edge or not edges_only:
                tags = ["default", "full"] if edge else ["full"]
                params.append(nox.param(python, numpy, id=f"{python}-numpy{numpy}", tags=tags))
    return params


@nox.session
@nox.parametrize("python,numpy", matrix())
@nox.parametrize("package", PACKAGES, ids=PACKAGES)
def tests(session: nox.Session, package: str, numpy: str) -> None:
    """One package's tests, in a venv holding only it and the npgrad packages it declares."""
    packages = closure(package)
    session.install(*local(packages), NUMPYS[numpy], *group("test"))
    check_distributions(session, packages)
    session.run("python", "-c", "import numpy; print('numpy', numpy.__version__)")
    run_pytest(session, *tests_dirs([package]), *session.posargs)


@nox.session
@nox.parametrize("python,numpy", matrix(edges_only=True))
def integration(session: nox.Session, numpy: str) -> None:
    """tests_integration/ with all five packages installed."""
    session.install(*local(PACKAGES), NUMPYS[numpy], *group("test"))
    check_distributions(session, PACKAGES)
    run_pytest(session, "tests_integration", "-m", "not layout", *session.posargs)


@nox.session(tags=["default", "full"])
def lint(session: nox.Session) -> None:
    """ruff check + ruff format --check."""
    session.install(*group("lint"))
    paths = [path for path in LINT_PATHS if (ROOT / path).exists()]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(tags=["default", "full"])
def versions(session: nox.Session) -> None:
    """All versions and exact pins agree (tests_integration/test_workspace.py)."""
    session.install(*local(PACKAGES), *group("test"))
    run_pytest(session, "tests_integration/test_workspace.py", *session.posargs)


@nox.session(tags=["default", "full"])
def typecheck(session: nox.Session) -> None:
    """mypy over every package, each subpackage named (npgrad spans five distributions)."""
    session.install(*local(PACKAGES, editable=True), *group("typecheck"))
    modules = ["npgrad"] + [f"npgrad.{pkg}" for pkg in PACKAGES if pkg != "core"]
    session.run("mypy", *[arg for module in modules for arg in ("-p", module)])


@nox.session(tags=["default", "full"])
def layout(session: nox.Session) -> None:
    """Build the five wheels; install them (and editables) in fresh venvs; check imports."""
    session.install(*group("test"), "uv")  # the test builds wheels and venvs with uv
    run_pytest(session, "tests_integration/test_layout.py", "-m", "layout", *session.posargs)


@nox.session(python="3.11", venv_backend="virtualenv", tags=["default", "full"])
def parity(session: nox.Session) -> None:
    """Tests marked `torch`, against exactly torch==2.13.0 (pip only; Python 3.11 only)."""
    if session.venv_backend not in ("virtualenv", "venv"):
        session.error(f"parity installs {TORCH} with pip only, not with {session.venv_backend}")
    session.install(TORCH, *local(PACKAGES), *group("test"))
    session.run("python", "-c", "import torch; print('torch', torch.__version__)")
    ran = run_pytest(
        session,
        "-m",
        "torch",
        *tests_dirs(PACKAGES),
        "tests_integration",
        *session.posargs,
        allow_empty=True,
    )
    if ran == 0:
        session.log("parity: no test is marked `torch` yet, so nothing was compared to PyTorch")


@nox.session(python="3.11", venv_backend="virtualenv")
def bench(session: nox.Session) -> None:
    """benchmarks/run.py: npgrad vs hand-written NumPy and PyTorch, with OpenBLAS tuning unset.

    Speed (1 and 2 threads), memory and data loading; writes benchmarks/results/. Arguments go
    to run.py: `nox -s bench -- --docs` also updates docs/performance.md, `-- --help` lists
    the others.
    """
    if not (ROOT / "benchmarks" / "run.py").exists():
        session.skip("benchmarks/run.py does not exist yet: nothing to measure")
    if session.venv_backend not in ("virtualenv", "venv"):
        session.error(f"bench installs {TORCH} with pip only, not with {session.venv_backend}")
    session.install(TORCH, *local(PACKAGES))
    # These two slow a current NumPy on this hardware: unset them for this command only.
    unset = {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None}
    session.run("python", "benchmarks/run.py", *session.posargs, env=unset)


def first_python(preferred: str = "3.11") -> str:
    """``preferred`` when its interpreter is on PATH, else the first of PYTHONS that is."""
    for version in (preferred, *PYTHONS):
        if shutil.which(f"python{version}"):
            return version
    return preferred


@nox.session(python=first_python())
def distributed(session: nox.Session) -> None:
    """Multi-process tests (`-m mpi`): mpiexec jobs of 2 and 3 ranks on this machine.

    mpi4py (npgrad-core's `mpi` extra) and an MPI runtime (MPICH) come from PyPI wheels; the
    wheel's mpiexec is the one the tests launch. NPGRAD_REQUIRE_MPI makes a missing MPI fail
    the tests instead of skipping them.
    """
    packages = ["./packages/npgrad-core[mpi]", *local(PACKAGES[1:])]
    session.install(*packages, "mpich", *group("test"))
    session.run("mpiexec", "--version", silent=True)
    session.env["NPGRAD_REQUIRE_MPI"] = "1"
    run_pytest(session, "-m", "mpi", "tests_integration/distributed", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The demo: a CNN trained on the bundled UCI digits (examples/digits_cnn.py), offline.

    Extra arguments go to the script: `nox -s demo -- --epochs 5 --out /tmp/run`.
    """
    session.install(*local(PACKAGES), "tqdm")
    session.run("python", "examples/digits_cnn.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ (mkdocs --strict)."""
    session.install(*local(PACKAGES), *group("docs"))
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"}
    )
    session.log(f"documentation built into {ROOT / 'site'}")


@nox.session(tags=["fast"], reuse_venv=True)
def fast(session: nox.Session) -> None:
    """The edit loop: one venv, all packages editable, every test but `layout` and `slow` ones.

    Arguments after `--` replace the test paths: `nox -R -t fast -- packages/npgrad-nn/tests -x`.
    """
    session.install(*local(PACKAGES, editable=True), *group("test"))
    targets = session.posargs or [*tests_dirs(PACKAGES), "tests_integration"]
    run_pytest(session, "-m", "not layout and not slow", *targets)
