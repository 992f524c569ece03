"""Writing the site to a folder, all or nothing.

The files are written into a new temporary folder beside the target, which then takes the
target's place (two renames in the same parent, so a reader or a web server serving the
folder never sees a half-written site; at worst, for an instant, no folder).  The folder is
replaced whole on each run, so a document no longer shown leaves no stale page behind.
Because of that, a folder is only ever replaced if it is empty or carewatch wrote it (it
holds ``MARKER``): ``--out ~`` must never delete a home directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

MARKER = ".carewatch-report"


class SiteError(ValueError):
    """The output folder cannot be used; the message says why and what to do."""


def write_site(out: Path, files: Mapping[str, bytes]) -> None:
    """Replace the folder ``out`` with exactly ``files`` (relative POSIX path -> bytes)."""
    out = Path(os.path.abspath(out))
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name, content in files.items():
            path = staging / _relative(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        (staging / MARKER).write_text(
            "Written by `carewatch report`; this folder is replaced whole on each run.\n")
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the site from a web server
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _check_target(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise SiteError(f"{out} exists and is not a folder; choose another --out")
    if (out / MARKER).exists() or not any(out.iterdir()):
        return
    raise SiteError(f"{out} is a folder carewatch did not write (no {MARKER} in it): refusing "
                    "to replace it; choose an empty or new folder with --out")


def _relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"site file {name!r} must be a relative path inside the site")
    return path


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent)) / "site"
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        with contextlib.suppress(OSError):
            old.rename(out)  # put the previous site back
        raise
    shutil.rmtree(old.parent, ignore_errors=True)
