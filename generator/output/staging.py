"""Writing the finished site: safe paths under output/, only changed files, committed at the end.

Pages are rendered before anything is written. Changed files are staged in a folder beside output/
and only then moved into place, each with an atomic rename; a build that fails at any point before
that leaves output/ exactly as it was. A first build renames the whole staged folder into place.
Unchanged files are left alone (same inode, same timestamp), so sync tools upload only what changed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from generator.output.joined import Joined
from generator.output.spill import write_all

if TYPE_CHECKING:
    from generator.render.plan import PageJob



class PageRecord(NamedTuple):
    """What was written to one output file: the key of its inputs, and the file as written. (A named tuple:
    a build reads or makes one for every page, and a frozen dataclass takes three times as long to make.)"""

    key: str
    size: int
    mtime_ns: int


Staged = tuple[int, int] | None  # what stage() did: None, or the staged file's size and time
UNKNOWN = (-1, -1)  # staged, size and time to be read at commit
LARGE = 1 << 20  # bytes: files this large are moved aside before they are replaced (see _keep_aside)


class OutputError(Exception):
    """A page path that would escape output/ or that two pages claim, or an unsafe output folder."""


class WriteError(Exception):
    """The output folder (or the folder beside it) could not be written: the file or folder, and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    @classmethod
    def of(cls, error: OSError, what: str = "cannot write") -> WriteError:
        reason = "permission denied" if isinstance(error, PermissionError) else f"{what}: {error.strerror or error}"
        return cls(shown(error.filename or "output"), reason)


def shown(path: str | Path) -> str:
    """A path as the user would write it: relative to the current folder when it is inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def remove_leftovers(parent: Path, prefix: str) -> int:
    """Delete the folders parent/<prefix><pid>… of builds that are gone (killed: their pid is no longer a
    process) or of this process; how many."""
    removed = 0
    for leftover in parent.glob(prefix + "*") if parent.is_dir() else []:
        pid = leftover.name[len(prefix):].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another build, still at work
        shutil.rmtree(leftover, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's
        return True
    return True


@contextmanager
def output_lock(output: Path, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of an output folder (the file .<name>.lock beside it) while building into it: a second
    build of the same output waits for the first (waiting(who) is told, with the first one's pid) rather
    than taking its staging folder for a leftover. The system releases it when the process ends, however."""
    path = output.parent / f".{output.name}.lock"
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise WriteError.of(error, "cannot make the build's lock file") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting(os.pread(fd, 20, 0).decode("ascii", "replace").strip() or "?")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # (releases the lock)


def safe_relative(rel: str) -> str:
    """Normalise a relative output path; raise OutputError if it is absolute or climbs out."""
    parts = rel.split("/")
    if "" not in parts and "." not in parts and ".." not in parts and "\\" not in rel:
        return rel  # already normal and safe (as nearly every page's path is)
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(part in ("..", "") for part in path.parts) or "\\" in rel:
        raise OutputError(f"unsafe output path '{rel}'")
    return path.as_posix()


def check_output_dir(site_dir: Path, output_dir: Path) -> None:
    """Refuse an output folder that is or contains the site, or lies inside its sources."""
    output = output_dir.resolve()
    site = site_dir.resolve()
    if site.is_relative_to(output):
        raise OutputError(f"refusing to write the site into '{output_dir}': it contains the site's sources")
    for source in ("content", "templates", "generator"):
        if output.is_relative_to(site / source):
            raise OutputError(f"refusing to write the site into '{output_dir}': it lies inside {source}/")


class Staging:
    """The files of one build that differ from output/, held in a folder beside it until commit."""

    def __init__(self, output: Path, records: dict[str, PageRecord], dry: bool = False, trust: bool = False) -> None:
        self.output = output
        self.trust = trust
        self.root = str(output) + os.sep
        self.dry = dry
        self.folder = output.parent / f".{output.name}.new-{os.getpid()}"
        self.trash = output.parent / f".{output.name}.trash-{os.getpid()}"
        self.cleanup: threading.Thread | None = None  # deletes the replaced large files, after commit()
        self.records: dict[str, PageRecord] = dict(records)
        self.previous = set(records)  # what the previous build wrote, if the cache knows (else: look)
        self.staged: set[str] = set()
        self.unstatted: set[str] = set()  # recorded this build: size and time to be read at commit
        self.would_write = 0
        self.empty = not output.exists()  # no files to compare with (a first build)
        self._folders = {str(self.folder)}  # folders this process knows to be in the staging folder
        if dry:
            return
        if remove_leftovers(output.parent, f".{output.name}.new-"):
            self.records, self.previous = {}, set()  # an interrupted build: the records can no longer be trusted
        remove_leftovers(output.parent, f".{output.name}.trash-")
        try:
            self.folder.mkdir(parents=True)
        except OSError as error:
            raise WriteError.of(error, "cannot make the staging folder") from None

    def fresh(self, rel: str, key: str) -> bool:
        """Whether output/rel is, untouched, what a page with this key was rendered to before."""
        record = self.records.get(rel)
        return record is not None and record.key == key and self.untouched(rel)

    def stale(self, pages: list[PageJob]) -> list[PageJob]:
        """The pages that are not fresh() (the same test, for many pages at once)."""
        records = self.records
        if self.trust:
            return [page for page in pages if (record := records.get(page.rel)) is None or record.key != page.key]
        return [page for page in pages if not self.fresh(page.rel, page.key)]

    def stage(self, rel: str, content: bytes | Joined) -> Staged:
        """Stage content for output/rel unless the file there already has these bytes: None if not staged,
        else the staged file's size and time (UNKNOWN if not known)."""
        rel = safe_relative(rel)
        if not self.empty and (content.same_as(self.root + rel) if isinstance(content, Joined) else
                               _same_bytes(self.root + rel, content)):
            return None
        if self.dry:
            return UNKNOWN
        target = f"{self.folder}{os.sep}{rel}"
        folder = os.path.dirname(target)
        if folder not in self._folders:  # made here, or by another process (or the first file in it)
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        if isinstance(content, Joined):
            content.write(target)
            return UNKNOWN
        return _write(target, content)

    def untouched(self, rel: str) -> bool:
        """Whether output/rel is, as far as its size and time tell, the file the last build left there."""
        record = self.records.get(rel)
        if record is None:
            return False
        if self.trust:
            return True
        try:
            stat = os.stat(self.root + rel)
        except OSError:
            return False
        return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns

    def record(self, rel: str, key: str, staged: Staged) -> None:
        """Remember which inputs produced output/rel (its file details, unless staged() gave them, are read
        at commit: a rename leaves them as they were)."""
        if staged is not None and staged[0] >= 0:
            self.records[rel] = PageRecord(key, staged[0], staged[1])
            self.unstatted.discard(rel)
        else:
            self.records[rel] = PageRecord(key, -1, -1)
            self.unstatted.add(rel)
        if staged is not None:
            self.staged.add(rel)
            self.would_write += self.dry

    def put(self, rel: str, key: str, content: bytes) -> None:
        self.record(rel, key, self.stage(rel, content))

    def commit(self, keep: set[str]) -> tuple[int, int, list[str]]:
        """Move the staged files into output/ and delete files no page produces; (written, removed, changed).

        A folder of output/ that cannot be written is found before anything is moved (WriteError). If moving
        fails all the same (a folder made read-only meanwhile), the build fails and output/ is part old, part
        new: the cache is not saved, so the next build finds every file that differs from what it makes."""
        changed = sorted(self.staged)
        removed: list[str] = []
        try:
            if not self.output.exists():
                os.rename(self.folder, self.output)
            else:
                self._check_writable(changed, self.previous - keep)
                for rel in changed:
                    target = self.output / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    aside = self._keep_aside(target)
                    try:
                        os.replace(self.folder / rel, target)
                    except OSError:
                        if aside is not None:
                            os.rename(aside, target)
                        raise
                removed = self._remove_others(keep)
        except OSError as error:
            raise WriteError.of(error) from None
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            if self.trash.exists():  # freeing a large file's blocks takes a while (more with online discard)
                self.cleanup = threading.Thread(target=shutil.rmtree, args=(self.trash, True), daemon=True)
                self.cleanup.start()
        records = self.records
        for rel in set(records) - keep:
            del records[rel]
        for rel in self.unstatted & keep:
            record = self._stat(rel, records[rel].key)
            if record.size >= 0:
                records[rel] = record
            else:
                del records[rel]
        return len(changed), len(removed), changed + removed

    def _check_writable(self, changed: list[str], removed: set[str]) -> None:
        """Raise WriteError if a folder of output/ that files are to be moved into or deleted from (or the
        nearest one that exists, for a folder to be made) cannot be written."""
        checked: set[str] = set()
        for rel in [*changed, *removed]:
            folder = os.path.dirname(rel)
            while folder not in checked:
                checked.add(folder)
                path = os.path.join(self.root, folder) if folder else str(self.output)
                if os.path.isdir(path):
                    if not os.access(path, os.W_OK | os.X_OK):
                        raise WriteError(shown(path) + "/", "permission denied: nothing was changed in the output")
                    break
                folder = os.path.dirname(folder)

    def _keep_aside(self, target: Path) -> Path | None:
        """Move a large file about to be replaced into the trash folder, for the cleanup thread to delete;
        where it went.

        Renaming a file over an existing one makes ext4 write the new file out at once (its auto_da_alloc
        safeguard: 20 ms for the 36 MB of events.json) and then free the old one's blocks; renaming onto
        a free name does neither. The file is missing for the microseconds between the two renames."""
        try:
            if os.stat(target).st_size < LARGE:
                return None
            self.trash.mkdir(exist_ok=True)
            aside = self.trash / str(len(os.listdir(self.trash)))
            os.rename(target, aside)
            return aside
        except OSError:
            return None

    def discard(self) -> None:
        if not self.dry:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _remove_others(self, keep: set[str]) -> list[str]:
        """Delete the files of output/ that this build does not produce, and folders left empty."""
        if self.previous:  # what the previous build wrote, from the cache
            removed = sorted(self.previous - keep)
            for rel in removed:
                try:
                    os.unlink(self.root + rel)
                except FileNotFoundError:
                    pass
            folders = {os.path.dirname(rel) for rel in removed}
        else:  # no records: look at what is there
            removed, folders = [], set()
            for folder, _, files in os.walk(self.output):
                base = os.path.relpath(folder, self.output)
                for name in files:
                    rel = name if base == "." else f"{base}/{name}"
                    if rel not in keep:
                        os.unlink(os.path.join(folder, name))
                        removed.append(rel)
                        folders.add(base)
            removed.sort()
        for folder in sorted(folders, key=len, reverse=True):
            while folder and folder != ".":
                try:
                    os.rmdir(self.root + folder)
                except OSError:
                    break
                folder = os.path.dirname(folder)
        return removed

    def _stat(self, rel: str, key: str) -> PageRecord:
        try:
            stat = os.stat(self.root + rel)
        except OSError:
            return PageRecord(key, -1, -1)
        return PageRecord(key, stat.st_size, stat.st_mtime_ns)


def _same_bytes(path: str, content: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(content):
            return False
        with open(path, "rb") as file:
            return file.read() == content
    except OSError:
        return False


def _write(path: str, content: bytes) -> tuple[int, int]:
    """Write a new file (with os calls: a file object costs two more system calls); its size and time."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        write_all(fd, content)
        info = os.fstat(fd)
    finally:
        os.close(fd)
    return info.st_size, info.st_mtime_ns
