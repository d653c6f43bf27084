"""``write_atomically``: replace a file by a complete new one, or leave it as it was.

Temporary files are hidden, in the target's folder, and flock-ed by their writer until the
rename, so that the next save to that folder can tell a live writer's file from one left by
a killed save, and remove only the latter.
"""
from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from typing import BinaryIO, Callable, Union

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["write_atomically"]

# Temporary files of a save are hidden, in the target's folder, and named so that nothing
# else matches: ".autograd-core-save-<16 hex digits>.tmp". Their writer holds an exclusive
# flock on them until the rename, so a file of that name that can be locked is left over
# from a killed save and may be removed. Earlier versions wrote ".tmp-<8 chars>.save" and
# took no lock: those are removed only once an hour old (a live writer touches its file).
_TEMP_PREFIX = ".autograd-core-save-"
_TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"\.autograd-core-save-[0-9a-f]{16}\.tmp")
_OLD_TEMP_NAME = re.compile(r"\.tmp-[a-z0-9_]{8}\.save")
_OLD_TEMP_AGE = 3600.0  # seconds


def _stale(fd: int, name: str) -> bool:
    """Whether the temp file open as ``fd`` was left by a save that no longer runs."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return False
    if _OLD_TEMP_NAME.fullmatch(name) or fcntl is None:
        return time.time() - st.st_mtime > _OLD_TEMP_AGE
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when fd is closed
    except OSError:
        return False  # a live save holds it (or the folder cannot lock: keep it)
    return True


def _remove_stale_temp_files(directory: str) -> None:
    """Remove our temporary files left in ``directory`` by killed saves; never raises."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not (_TEMP_NAME.fullmatch(name) or _OLD_TEMP_NAME.fullmatch(name)):
            continue
        path = os.path.join(directory, name)
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
        except OSError:
            continue
        try:
            if _stale(fd, name):
                st = os.fstat(fd)
                now = os.stat(path, follow_symlinks=False)
                if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino):
                    os.unlink(path)
        except OSError:
            pass
        finally:
            os.close(fd)


def _new_temp_file(directory: str) -> tuple:
    """``(open binary file, path)`` of a new temporary file in ``directory``, flock-ed.

    Created with ``O_EXCL`` and mode 0o666, so it gets the umask's permissions like any
    new file. If a cleaner removed the name between creation and lock, start again."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0))
    while True:
        path = os.path.join(directory, f"{_TEMP_PREFIX}{secrets.token_hex(8)}{_TEMP_SUFFIX}")
        try:
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            continue
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # waits while a cleaner has it
                except OSError:
                    pass  # a file system without locks: its cleaners cannot lock it either
                st = os.fstat(fd)
                try:
                    now = os.stat(path, follow_symlinks=False)
                except FileNotFoundError:
                    now = None
                if now is None or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                    os.close(fd)  # a cleaner took the name before we locked it
                    continue
            return os.fdopen(fd, "wb"), path
        except BaseException:
            os.close(fd)
            try:
                os.unlink(path)
            except OSError:
                pass
            raise


def _fsync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable. Windows cannot open folders; some file
    systems cannot fsync them (EINVAL): there the rename is as durable as it gets."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def write_atomically(path: Union[str, "os.PathLike[str]"], write: Callable[[BinaryIO], None]
                     ) -> None:
    """Replace the file at ``path`` by what ``write(fh)`` writes, or leave it as it was.

    The rule: write a temporary file in the same folder, flush and fsync it, rename it over
    ``path``, fsync the folder. Whatever interrupts this (an exception, Ctrl-C, a kill, a
    power cut) leaves either the old file or the complete new one, never a mix. Stale
    temporary files of killed saves in that folder are removed first. ``save`` writes its
    files with it, and so does ``autograd_cli`` its metrics and pictures.

    >>> import os, tempfile
    >>> from autograd_core.serialization import write_atomically
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> write_atomically(path, lambda fh: fh.write(b"complete or absent"))
    >>> open(path, "rb").read()
    b'complete or absent'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    _remove_stale_temp_files(directory)
    fh, tmp = _new_temp_file(directory)
    renamed = False
    try:
        with fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
            if os.name == "nt":  # Windows cannot rename an open file
                fh.close()
            os.replace(tmp, path)  # POSIX: still open and locked, so no cleaner takes it
            renamed = True
        _fsync_directory(directory)
    except BaseException:
        if not renamed:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise
