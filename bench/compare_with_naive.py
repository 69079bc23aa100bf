"""Do our warehouse and the naive baseline hold the same records?

    .venv/bin/python bench/compare_with_naive.py RUN_DIR/naive.duckdb RUN_DIR/ours.duckdb

Projects our `resources` onto the naive pipeline's columns (first title, first description,
all creators... as Sickle's dict gives them) and compares both ways with EXCEPT ALL, the
way ../shared/bench/compare_db.py compares its own outputs. Prints one JSON object and
exits 1 when they differ.
"""

from __future__ import annotations

import json
import sys

import duckdb

NAIVE_COLUMNS = (
    "identifier, datestamp, deleted, set_spec, title, description, creator, subject, "
    "language, rights, type, format, dc_identifier, date, publisher"
)
# Text hygiene cleans values (HTML → text, entities, whitespace) and keeps each changed
# value as given in `originals` (field, 0-based index, value): the naive pipeline keeps raw
# text, so the comparison reads our raw values back.
RAW_OF = """
CREATE TEMP MACRO raw_of(originals, f, i, v) AS
    coalesce(list_filter(originals, lambda o: o.field = f AND o.index = i)[1].value, v)
"""
OURS_AS_NAIVE = """
SELECT oai_identifier AS identifier, datestamp, deleted, set_specs AS set_spec,
       raw_of(originals, 'titles', 0, titles[1].value) AS title,
       raw_of(originals, 'descriptions', 0, descriptions[1].value) AS description,
       list_transform(creators, lambda c, i: raw_of(originals, 'creators', i - 1, c.name))
           AS creator,
       list_transform(subjects, lambda s, i: raw_of(originals, 'subjects', i - 1, s.value))
           AS subject,
       list_transform(languages, lambda x, i: raw_of(originals, 'languages', i - 1, x))
           AS language,
       list_transform(rights, lambda x, i: raw_of(originals, 'rights', i - 1, x)) AS rights,
       raw_of(originals, 'resource_types', 0, resource_types[1]) AS type,
       raw_of(originals, 'formats', 0, formats[1]) AS format,
       identifiers[1].value AS dc_identifier, dates[1].raw AS date,
       raw_of(originals, 'publishers', 0, publishers[1].name) AS publisher
FROM ours.resources
"""


def main(naive_path: str, ours_path: str) -> int:
    con = duckdb.connect()
    con.execute(f"ATTACH '{naive_path}' AS naive (READ_ONLY)")
    con.execute(f"ATTACH '{ours_path}' AS ours (READ_ONLY)")
    con.execute(RAW_OF)
    con.execute(f"CREATE TEMP VIEW ours_rows AS {OURS_AS_NAIVE}")
    con.execute(f"CREATE TEMP VIEW naive_rows AS SELECT {NAIVE_COLUMNS} FROM naive.records")

    def count(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    only_naive = count("SELECT count(*) FROM (FROM naive_rows EXCEPT ALL FROM ours_rows)")
    only_ours = count("SELECT count(*) FROM (FROM ours_rows EXCEPT ALL FROM naive_rows)")
    example = con.execute("FROM (FROM naive_rows EXCEPT ALL FROM ours_rows) LIMIT 1").fetchall()
    report = {
        "naive_rows": count("SELECT count(*) FROM naive_rows"),
        "our_rows": count("SELECT count(*) FROM ours_rows"),
        "only_in_naive": only_naive,
        "only_in_ours": only_ours,
        "same_records": only_naive == 0 and only_ours == 0,
        "example_only_in_naive": [str(v) for v in example[0]] if example else None,
    }
    print(json.dumps(report))
    return 0 if report["same_records"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
