"""A computation run in a forked child while this process goes on.

The child shares this process's memory as it was at the fork, so nothing is copied over;
only the (small) result comes back, pickled through a pipe. Where there is no `fork`, or
the child fails, the computation runs in this process when its result is asked for, so
errors surface as they would without the child.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`compute()` started in a child now; `result()` waits for it.

    Fork only where this process runs no other thread (a forked thread's locks stay held).
    """

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._child: tuple[int, int] | None = None
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
            os.close(read)
            try:
                payload = pickle.dumps(compute())
            except BaseException:  # the parent computes it again and sees the error itself
                payload = b""
            with os.fdopen(write, "wb") as stream:
                stream.write(payload)
            os._exit(0)
        os.close(write)
        self._child = (pid, read)

    def result(self) -> T:
        if self._child is None:
            return self._compute()
        pid, read = self._child
        self._child = None
        with os.fdopen(read, "rb") as stream:
            payload = stream.read()
        os.waitpid(pid, 0)
        return pickle.loads(payload) if payload else self._compute()  # our own child's bytes
