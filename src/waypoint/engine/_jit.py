"""Typed wrappers around numba, so the rest of the engine stays strictly typed.

numba ships no type information; decorating a function with an untyped ``numba.njit`` would
make mypy treat it as untyped. ``njit`` here keeps the decorated function's signature.
Every kernel is compiled with ``cache=True`` (machine code is kept on disk next to the
source, or under ``NUMBA_CACHE_DIR``) and ``nogil=True`` (a kernel releases the GIL, so a
web worker's other threads keep serving while it runs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])

prange = numba.prange


def njit(*, parallel: bool = False) -> Callable[[F], F]:
    """``numba.njit(cache=True, nogil=True, ...)`` that keeps the function's type."""

    def decorate(func: F) -> F:
        return cast(
            F, numba.njit(cache=True, nogil=True, parallel=parallel, error_model="numpy")(func)
        )

    return decorate


def max_threads() -> int:
    """How many threads numba may use in this process (``NUMBA_NUM_THREADS``)."""
    return int(getattr(numba.config, "NUMBA_NUM_THREADS", 1))


def resolve_threads(threads: int | None) -> int:
    """``None`` means every thread numba has; otherwise at least 1 and at most that."""
    top = max_threads()
    if threads is None:
        return top
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    return min(int(threads), top)


@contextmanager
def using_threads(threads: int) -> Iterator[None]:
    """Run the enclosed kernels on ``threads`` threads (numba's setting is per thread)."""
    previous = int(numba.get_num_threads())
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)
