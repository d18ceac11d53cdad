"""Lend each task a workspace's app: one store connection and one set of clients per task running at a time."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from heard.app import App
from heard.settings import Settings
from listener.platforms import Platform
from responders.alerts import Announcer, LogAnnouncer
from responders.escalate import Notifier


@dataclass(frozen=True)
class Workspace:
    """What one served workspace's tasks need beyond an app: its sources by key, its notifier and announcer."""

    settings: Settings
    sources: Mapping[str, tuple[Platform, str]]
    notifier: Notifier
    announcer: Announcer


class Pool:
    """Apps per workspace, made as tasks need them, at most ``size`` each (a store is one thread's at a time)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.workspaces: dict[str, Workspace] = {}
        self._idle: dict[str, queue.Queue[App]] = {}
        self._made: dict[str, list[App]] = {}
        self._making = threading.Lock()

    def add(self, app: App, notifier: Notifier) -> Workspace:
        """Serve ``app``'s workspace: its first app (whose clients name the sources) is lent first."""
        name = app.settings.workspace
        sources = app.sources()
        announcer = notifier if isinstance(notifier, Announcer) else LogAnnouncer()
        self.workspaces[name] = Workspace(app.settings, sources, notifier, announcer)
        self._idle[name] = queue.Queue()
        self._idle[name].put(app)
        self._made[name] = [app]
        return self.workspaces[name]

    @contextmanager
    def use(self, workspace: str) -> Iterator[App]:
        """Lend an idle app of ``workspace``, or make one while fewer than ``size`` exist, else wait for one."""
        idle = self._idle[workspace]
        try:
            app = idle.get_nowait()
        except queue.Empty:
            with self._making:
                more = len(self._made[workspace]) < self.size
                if more:
                    app = App(self.workspaces[workspace].settings)
                    self._made[workspace].append(app)
            if not more:
                app = idle.get()
        try:
            yield app
        finally:
            idle.put(app)

    def names(self) -> Sequence[str]:
        """The workspaces served."""
        return list(self.workspaces)

    def close(self) -> None:
        """Close every app's store."""
        for apps in self._made.values():
            for app in apps:
                app.store.close()
