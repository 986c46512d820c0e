"""What each process costs while the load runs: peak resident memory and CPU time
(psutil, by process id).

A process's figures include its children (a process that forks workers is measured whole).
Memory is sampled every half second, so a peak shorter than that can be missed; CPU time is
the kernel's count, exact, and less disturbed than latency by other work on the machine,
which is why the tables show it per message next to the latency.
"""
from __future__ import annotations

import threading
from typing import Dict, List, Optional

import psutil

SAMPLE_SECONDS = 0.5


def _tree(pid: int) -> List[psutil.Process]:
    try:
        process = psutil.Process(pid)
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return []


def rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes (0 once it is gone)."""
    total = 0
    for process in _tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) used so far by a process and its children."""
    total = 0.0
    for process in _tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


class ProcessMonitor:
    """Samples the given processes in a thread. `take()` returns, per process, the peak
    memory (MB) and the CPU seconds used since the previous `take()`, and starts over."""

    def __init__(self, pids: Dict[str, int]) -> None:
        self.pids = pids
        self._peaks: Dict[str, int] = {name: 0 for name in pids}
        self._cpu = self.cpu()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "ProcessMonitor":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        sizes = {name: rss(pid) for name, pid in self.pids.items()}
        with self._lock:
            for name, size in sizes.items():
                self._peaks[name] = max(self._peaks[name], size)

    def cpu(self) -> Dict[str, float]:
        return {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def take(self) -> Dict[str, Dict[str, float]]:
        self.sample()
        now = self.cpu()
        with self._lock:
            taken = {name: {"rss_mb": self._peaks[name] / 2**20,
                            "cpu_seconds": now[name] - self._cpu[name]} for name in self.pids}
            self._peaks = {name: 0 for name in self.pids}
            self._cpu = now
        return taken
