"""Fault injection per partner: latency, outages, hangs, and how asynchronous answers misbehave.

Knobs live in memory: a restarted simulator behaves well until told otherwise, which is what a demo
or a test that crashed halfway wants.
"""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass

from simulators.errors import SimulatorError
from simulators.models import FaultKnobs


@dataclass(frozen=True)
class CallPlan:
    """What happens to one partner call, decided up front so the dice are thrown once per call."""

    latency_seconds: float = 0.0
    fail: bool = False  # 503 before any effect
    hang: bool = False  # the call hangs hang_seconds, then answers (the caller has usually given up)
    hang_seconds: float = 0.0
    hang_after_effect: bool = False  # the hang comes after the effect is committed


_CALM = CallPlan()


class FaultState:
    def __init__(self, seed: str | None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._knobs = FaultKnobs()
        self._failures_left = 0
        self._hangs_left = 0

    def set(self, knobs: FaultKnobs) -> None:
        with self._lock:
            self._knobs = knobs
            self._failures_left = knobs.fail_next_n
            self._hangs_left = knobs.hang_next_n

    def current(self) -> FaultKnobs:
        """The knobs in force; the ``*_next_n`` counters say how many are still to come."""
        with self._lock:
            return self._knobs.model_copy(update={"fail_next_n": self._failures_left, "hang_next_n": self._hangs_left})

    @property
    def knobs(self) -> FaultKnobs:
        return self._knobs

    def plan(self) -> CallPlan:
        with self._lock:
            k = self._knobs
            if self._failures_left > 0:
                self._failures_left -= 1
                return CallPlan(fail=True)
            if self._hangs_left > 0:
                self._hangs_left -= 1
                return CallPlan(hang=True, hang_seconds=k.timeout_seconds, hang_after_effect=k.timeout_after_effect)
            if not (k.latency_ms_max or k.error_rate or k.timeout_rate):
                return _CALM
            latency = self._rng.uniform(k.latency_ms_min, k.latency_ms_max) / 1000 if k.latency_ms_max else 0.0
            if k.error_rate and self._rng.random() < k.error_rate:
                return CallPlan(latency_seconds=latency, fail=True)
            if k.timeout_rate and self._rng.random() < k.timeout_rate:
                return CallPlan(
                    latency_seconds=latency,
                    hang=True,
                    hang_seconds=k.timeout_seconds,
                    hang_after_effect=k.timeout_after_effect,
                )
            return CallPlan(latency_seconds=latency)

    def duplicate_callback(self) -> bool:
        with self._lock:
            rate = self._knobs.duplicate_callback_rate
            return rate > 0 and self._rng.random() < rate


async def before_effect(plan: CallPlan) -> None:
    """What happens before a call's effect: latency, an injected outage, or a hang that ends in 504."""
    if plan.latency_seconds:
        await asyncio.sleep(plan.latency_seconds)
    if plan.fail:
        raise SimulatorError(503, "UNAVAILABLE", "the partner system is unavailable (injected fault)")
    if plan.hang and not plan.hang_after_effect:
        await asyncio.sleep(plan.hang_seconds)
        raise SimulatorError(504, "TIMEOUT", "the partner system did not answer in time (injected fault)")


async def after_effect(plan: CallPlan) -> None:
    """A hang after the effect: it and its stored answer are committed, the caller sees a timeout."""
    if plan.hang and plan.hang_after_effect:
        await asyncio.sleep(plan.hang_seconds)
