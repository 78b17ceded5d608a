"""Grad modes: whether ops record the graph.

The flag lives in a :class:`contextvars.ContextVar`, so every thread and every asyncio task
has its own: ``no_grad`` in one thread never switches recording off in another.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "is_inference",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
    "set_multithreading_enabled",
    "is_multithreading_enabled",
]

_grad_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "npgrad_grad_enabled", default=True
)
is_grad_enabled_fast = _grad_enabled.get  # the hot path calls this directly
_inference_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "npgrad_inference_enabled", default=False
)

# The version counter (``Tensor._vc``) of every inference tensor: a tensor made inside
# ``inference_mode()``, or a view or ``detach()`` of one (they share their base's counter).
# PyTorch's inference tensors track no version: they can't be saved for backward nor written
# in place outside inference mode, so npgrad needs no counter per tensor -- only the mark.
INFERENCE_VERSION = [0]

# inference_mode(True) blocks open now, in every thread: while there is one, Tensor's
# constructors check the mode and mark what they make (see _switch_tensor_constructors);
# else they don't even look, so that the check costs nothing outside inference mode.
_inference_blocks = 0
_inference_blocks_lock = threading.Lock()


def _count_inference_block(delta: int) -> None:
    global _inference_blocks
    with _inference_blocks_lock:
        was_open = _inference_blocks > 0
        _inference_blocks += delta
        if was_open != (_inference_blocks > 0):
            _switch_tensor_constructors(mark=_inference_blocks > 0)


# (Tensor, its plain _make and _init, their marking versions): made on first use
_constructors: tuple[Any, Any, Any, Any, Any] | None = None


def _switch_tensor_constructors(mark: bool) -> None:
    """Replace Tensor's two constructors (``_make``, which every op uses, and ``_init``) by
    versions that mark the tensors made in inference mode, or put the plain ones back."""
    global _constructors
    if _constructors is None:
        # (the module: the attribute ``npgrad.tensor`` is the function that makes tensors)
        tensor_cls: Any = importlib.import_module("npgrad.tensor").Tensor
        make, init = tensor_cls.__dict__["_make"], tensor_cls._init
        plain_make = make.__func__

        def marking_make(data: Any, requires_grad: bool, grad_fn: Any, output_nr: int = 0) -> Any:
            t = plain_make(data, requires_grad, grad_fn, output_nr)
            if _inference_enabled.get():
                t._vc = INFERENCE_VERSION
            return t

        def marking_init(
            self: Any, data: Any, requires_grad: bool, grad_fn: Any, output_nr: int = 0
        ) -> None:
            init(self, data, requires_grad, grad_fn, output_nr)
            if _inference_enabled.get():
                self._vc = INFERENCE_VERSION

        _constructors = (tensor_cls, make, init, staticmethod(marking_make), marking_init)
    tensor_cls, make, init, marking_make_sm, marking_init = _constructors
    if mark:
        tensor_cls._make, tensor_cls._init = marking_make_sm, marking_init
    else:
        tensor_cls._make, tensor_cls._init = make, init


F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True when new ops record the graph (the default).

    Examples
    --------
    >>> import npgrad
    >>> with npgrad.no_grad():
    ...     npgrad.is_grad_enabled()
    False
    """
    return _grad_enabled.get()


def is_inference_mode_enabled() -> bool:
    """True inside an ``inference_mode()`` block (and not inside an inner
    ``inference_mode(False)``).

    Examples
    --------
    >>> import npgrad
    >>> with npgrad.inference_mode():
    ...     npgrad.is_inference_mode_enabled()
    True
    >>> npgrad.is_inference_mode_enabled()
    False
    """
    return _inference_enabled.get()


def is_inference(input: Any) -> bool:
    """True if ``input`` is an inference tensor: made inside ``inference_mode()``, or a view
    (or ``detach()``) of one. Same as ``input.is_inference()``.

    Examples
    --------
    >>> import npgrad
    >>> from npgrad.autograd.grad_mode import is_inference
    >>> with npgrad.inference_mode():
    ...     x = npgrad.ones(2)
    >>> is_inference(x), is_inference(npgrad.ones(2))
    (True, False)
    """
    from npgrad.tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(
            f"is_inference(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return input._vc is INFERENCE_VERSION


class _GradModeContext:
    """A context manager that is also a decorator; re-entrant and exception-safe."""

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token[bool]] = []

    def _mode(self) -> bool:
        raise NotImplementedError

    def __enter__(self) -> None:
        self._tokens.append(_grad_enabled.set(self._mode()))

    def __exit__(self, *exc: object) -> None:
        _grad_enabled.reset(self._tokens.pop())

    def clone(self) -> _GradModeContext:
        return type(self)()

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self.clone, func)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def _wrap_generator(
    ctx_factory: Callable[[], _GradModeContext], func: Callable[..., Generator[Any, Any, Any]]
) -> Callable[..., Generator[Any, Any, Any]]:
    """Run each step of the generator ``func`` returns inside a fresh ``ctx_factory()``, as
    PyTorch's decorators do: the mode holds while the generator runs and not between its
    ``yield``s."""

    @functools.wraps(func)
    def generator_context(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        gen = func(*args, **kwargs)
        try:
            with ctx_factory():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with ctx_factory():
                        gen.close()
                    raise
                except BaseException as exc:
                    with ctx_factory():
                        response = gen.throw(exc)
                else:
                    with ctx_factory():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value

    return generator_context


class _NoParamGradModeContext(_GradModeContext):
    """A grad-mode context that also decorates without parentheses (``@no_grad``)."""

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return object.__new__(cls)  # not super(): ``with no_grad()`` is a hot path
        return cls()(orig_func)

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self._tokens = []


class no_grad(_NoParamGradModeContext):
    """Disable graph recording inside a ``with`` block or a decorated function.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0], requires_grad=True)
    >>> with npgrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def _mode(self) -> bool:
        return False


class enable_grad(_NoParamGradModeContext):
    """Enable graph recording (inside a ``no_grad`` block, say).

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0], requires_grad=True)
    >>> with npgrad.no_grad():
    ...     with npgrad.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    def _mode(self) -> bool:
        return True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``; takes effect immediately, like PyTorch's.

    Used as a function call it switches the mode for the current context; as a context
    manager it restores the previous mode on exit.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0], requires_grad=True)
    >>> with npgrad.set_grad_enabled(False):
    ...     (x * 2).requires_grad
    False
    >>> (x * 2).requires_grad
    True
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._prev = _grad_enabled.get()
        _grad_enabled.set(self.mode)

    def _mode(self) -> bool:
        return self.mode

    def __enter__(self) -> None:
        # the constructor already switched; remember the state before it
        self._tokens.append(_grad_enabled.set(self.mode))

    def __exit__(self, *exc: object) -> None:
        _grad_enabled.reset(self._tokens.pop())
        _grad_enabled.set(self._prev)

    def __call__(self, func: F) -> F:
        _grad_enabled.set(self._prev)  # as a decorator, it must not switch the mode now
        return super().__call__(func)

    def clone(self) -> set_grad_enabled:
        new = set_grad_enabled.__new__(set_grad_enabled)
        _GradModeContext.__init__(new)
        new.mode, new._prev = self.mode, _grad_enabled.get()
        return new


class inference_mode(_GradModeContext):
    """Like ``no_grad``, and the tensors made inside are *inference tensors*
    (``Tensor.is_inference()``), as in PyTorch: outside inference mode they can't be saved
    for backward by an op that records the graph, nor be written in place, nor be made to
    require grad (each raises RuntimeError; ``clone()`` one to get a normal tensor). Views
    and ``detach()`` of an inference tensor are inference tensors; a view made inside of a
    normal tensor is normal.

    ``inference_mode(False)`` switches inference mode off and grad mode on, as PyTorch's does
    (even inside ``no_grad``); :func:`is_inference_mode_enabled` tells which one is active.

    Examples
    --------
    >>> import npgrad
    >>> x = npgrad.tensor([1.0], requires_grad=True)
    >>> with npgrad.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, y.is_inference()
    (False, True)
    """

    def __new__(cls, mode: bool | Callable[..., Any] = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used as ``@inference_mode`` without parentheses

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._inference_tokens: list[contextvars.Token[bool]] = []

    def _mode(self) -> bool:
        return not self.mode

    def __enter__(self) -> None:
        super().__enter__()
        self._inference_tokens.append(_inference_enabled.set(self.mode))
        if self.mode:
            _count_inference_block(1)

    def __exit__(self, *exc: object) -> None:
        if self.mode:
            _count_inference_block(-1)
        _inference_enabled.reset(self._inference_tokens.pop())
        super().__exit__(*exc)

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)


_multithreading: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "npgrad_multithreading", default=True
)


class set_multithreading_enabled(_GradModeContext):
    """Allow or forbid a multithreaded backward, as a context manager or a call: npgrad's
    backward always runs on the calling thread, so the flag (kept per thread, restored on
    exit, like PyTorch's) changes nothing. It exists so code written for PyTorch runs.

    Examples
    --------
    >>> import npgrad
    >>> with npgrad.autograd.set_multithreading_enabled(False):
    ...     pass
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_multithreading_enabled: mode must be a bool, got {type(mode).__name__}"
            )
        super().__init__()
        self.mode = mode
        self._flag_token = _multithreading.set(mode)

    def _mode(self) -> bool:
        return _grad_enabled.get()  # grad mode itself is left as it is

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        _multithreading.reset(self._flag_token)

    def __call__(self, func: F) -> F:
        _multithreading.reset(self._flag_token)  # as a decorator it must not switch now
        return super().__call__(func)

    def clone(self) -> set_multithreading_enabled:
        return set_multithreading_enabled(self.mode)


def is_multithreading_enabled() -> bool:
    """The flag :class:`set_multithreading_enabled` sets (True by default), as PyTorch reports
    it; npgrad's backward runs on the calling thread either way.

    Examples
    --------
    >>> import npgrad
    >>> with npgrad.autograd.set_multithreading_enabled(False):
    ...     print(npgrad.autograd.is_multithreading_enabled())
    False
    """
    return _multithreading.get()
