"""`oer docs`: docs/data-dictionary.md from the warehouse's own comments."""

from __future__ import annotations

import tempfile
from pathlib import Path

from warehouse import connect
from warehouse.dictionary import data_dictionary

DEFAULT_OUT = Path("docs/data-dictionary.md")


def dictionary_markdown(db: str | Path | None = None) -> str:
    """The data dictionary of the warehouse at `db`, or of the schema itself (a new, empty
    warehouse migrated in a temporary directory) when `db` is None."""
    with tempfile.TemporaryDirectory(prefix="oer-docs-") as tmp:
        con = connect(Path(tmp) / "schema.duckdb") if db is None else connect(db, read_only=True)
        try:
            return data_dictionary(con)
        finally:
            con.close()


def write_dictionary(out: Path = DEFAULT_OUT, db: str | Path | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(dictionary_markdown(db), encoding="utf-8")
    partial.replace(out)
    return out
