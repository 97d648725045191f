"""`Forked`: a computation in a forked child gives what it gives in this process, errors included."""

from __future__ import annotations

import os

import pytest

from generator.forked import Forked


def test_the_child_computes_from_this_process_memory_and_sends_the_result_back():
    parent = os.getpid()
    assert Forked(lambda: (os.getpid() != parent, {"big": list(range(10_000))})).result() == (
        True, {"big": list(range(10_000))})


def test_a_failing_computation_raises_in_this_process_as_it_would_without_the_child():
    calls = []

    def compute() -> int:
        calls.append(os.getpid())
        raise ValueError("the spec cannot be read")

    with pytest.raises(ValueError, match="cannot be read"):
        Forked(compute).result()
    assert calls == [os.getpid()]  # the child's attempt is not in this process's memory: only the retry here
