"""Sync on an interval, in a background thread of `kawan serve` (I/O).

Each round syncs the partners that are due (a failing partner waits longer after each
failure: `sync_plan.retry_at`); a round's errors are recorded per partner and never stop
the loop. `stop()` ends it between rounds (a round in progress finishes its page).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from kawan.node import Node
from kawan.sharing.sync import Options, sync_all

log = logging.getLogger("kawan.sync")


@dataclass
class Syncer:
    node: Node
    key: bytes
    interval_s: float
    options: Options = field(default_factory=Options)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kawan-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.round()
            self._stop.wait(self.interval_s)

    def round(self) -> None:
        try:
            for outcome in sync_all(self.node, self.key, self.options, only_due=True):
                if outcome.error:
                    log.warning("sync with %s failed: %s", outcome.name, outcome.error)
                else:
                    log.info(
                        "sync with %s: %d in, %d out", outcome.name, outcome.pulled, outcome.pushed
                    )
        except Exception:  # the loop outlives a bad round (e.g. database down)
            log.exception("sync round failed")
