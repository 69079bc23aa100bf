"""A whole output directory (an export, the report), replaced atomically, and only when it
is one of ours.

`replaced_atomically(out, marker, what, error)` yields a new directory beside `out` to write
into; when the block ends it is renamed into place. A reader sees the previous directory or
the new one, never half of one: the previous one is renamed aside for the instant of the
swap, put back if the swap fails, and removed once the new one is in place. A failed block
leaves `out` as it was. `out` is replaced only when it is missing, empty, or holds `marker`
(written by the caller), so a mistaken `--out ~` never deletes anyone's folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_atomically(
    out: Path, marker: str, what: str, error: type[Exception]
) -> Iterator[Path]:
    """The staging directory for `out`; raises `error` when `out` is not `what`."""
    out = out.absolute()  # "." has no name to stage beside
    if out.exists() and not out.is_dir():
        raise error(f"--out {out} is a file, not a directory")
    if out.exists() and any(out.iterdir()) and not (out / marker).exists():
        raise error(
            f"--out {out} exists and is not {what} (no {marker} in it): choose a new or "
            "empty directory"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    staged.chmod(0o755)  # mkdtemp's 0700 would hide it from a web server
    try:
        yield staged
        _swap_into_place(staged, out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _swap_into_place(staged: Path, out: Path) -> None:
    if not out.exists():
        os.replace(staged, out)
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, previous)  # onto the empty directory mkdtemp made
    try:
        os.replace(staged, out)
    except BaseException:
        os.replace(previous, out)
        raise
    shutil.rmtree(previous)
