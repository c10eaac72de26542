"""Work in forked child processes that share what this one has loaded (copy-on-write): the
build's editions side by side, the stories' Markdown while the records load, half of the live
preview's first render. Plain Python: nothing here knows about MkDocs."""
from __future__ import annotations

import os
import pickle
import signal
import sys
import threading


class ChildError(Exception):
    """Work in a child process failed, or the child was stopped; the message is the child's."""


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _end_with(parent: int) -> None:
    """Have the kernel stop this process if its parent ends first, however it ends (killed, or
    stopped by a signal Python does not clean up after): the child would otherwise build on,
    into folders nobody will use. Linux only; elsewhere the parent's clean-up is all there is."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before it could be watched
        os._exit(1)


class _Child:
    """`work()` running in a forked process that shares what this one has loaded
    (copy-on-write), in its own process group so that it can be stopped with every process it
    starts. It reports what `work()` returned, or the exception it raised, through a pipe."""

    inside = False  # whether this process is itself such a child

    def __init__(self, work):
        read, write = os.pipe()
        sys.stdout.flush()  # or the child would print again what is still in the buffers
        sys.stderr.flush()
        # a child of the build leads a process group; the children it starts join it
        leader = not _Child.inside
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _Child.inside = True
            _end_with(parent)
            self._run(work, write, leader)
        os.close(write)
        if leader:
            try:
                os.setpgid(pid, pid)  # the child does the same: whichever runs first
            except OSError:
                pass  # the child has already done it (or has already ended)
        self.pid, self.pipe, self.ended, self.leader = pid, read, False, leader

    @staticmethod
    def _run(work, write: int, leader: bool) -> None:
        status, report = 1, pickle.dumps({"error": ChildError("stopped")})
        try:
            if leader:
                os.setpgid(0, 0)
            report = pickle.dumps({"result": work()})
            status = 0
        except BaseException as exc:  # reported to the parent, which stops the build
            try:
                report = pickle.dumps({"error": exc})
                pickle.loads(report)  # some exceptions cannot be made again from their pickle
            except Exception:
                report = pickle.dumps({"error": ChildError(str(exc) or type(exc).__name__)})
        finally:
            try:
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(report)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)  # never the parent's clean-up, atexit or test runner

    def join(self):
        """What `work()` returned; its exception is raised here."""
        try:
            with os.fdopen(self.pipe, "rb") as reader:
                data = reader.read()
            _, status = os.waitpid(self.pid, 0)
        except BaseException:
            self.kill()
            raise
        self.ended = True
        report = pickle.loads(data) if data else \
            {"error": ChildError(f"stopped with status {status}")}
        if "error" in report:
            raise report["error"]
        return report["result"]

    def kill(self) -> None:
        if self.ended:
            return
        self.ended = True
        try:
            if self.leader:
                os.killpg(self.pid, signal.SIGKILL)  # the child and every process it started
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        try:
            os.close(self.pipe)
        except OSError:
            pass  # closed by an interrupted join


def fork(work) -> _Child:
    return _Child(work)


def worth_forking() -> bool:
    """Whether a forked child would run beside this process: fork exists, and there is more
    than one processor."""
    return hasattr(os, "fork") and cpus() > 1


def can_fork() -> bool:
    """`worth_forking`, and no other thread in this process (a fork copies only the thread
    that makes it, and any lock another thread held stays held in the child)."""
    return worth_forking() and threading.active_count() == 1
