-- Core warehouse schema: sources, runs, raw layer, current resources and their history.
--
-- Forward-only: never edit this file once released; change the schema in a new
-- NNN_*.sql file. The migrations runner (warehouse/db.py) applies each file in one
-- transaction and records it in schema_version; do not put BEGIN/COMMIT here.
-- Every table and every column carries a COMMENT (tests check this), so that
-- `SELECT table_name, column_name, comment FROM duckdb_columns()` documents the warehouse.
-- No CHECK constraints on status/code/severity vocabularies: later migrations extend them.

-- ---------------------------------------------------------------- schema_version
CREATE TABLE schema_version (
    version     INTEGER PRIMARY KEY,
    description VARCHAR NOT NULL,
    filename    VARCHAR NOT NULL,
    checksum    VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE schema_version IS
    'One row per applied schema migration (warehouse/sql/NNN_*.sql); max(version) is the schema version.';
COMMENT ON COLUMN schema_version.version IS 'Migration number, the NNN prefix of its file name.';
COMMENT ON COLUMN schema_version.description IS 'First comment line of the migration file.';
COMMENT ON COLUMN schema_version.filename IS 'File name of the migration as applied, e.g. 001_core.sql.';
COMMENT ON COLUMN schema_version.checksum IS
    'sha256 (hex) of the migration file text when applied; a later mismatch means the file was edited after release.';
COMMENT ON COLUMN schema_version.applied_at IS 'When the migration was applied.';

-- ---------------------------------------------------------------- sources
CREATE TABLE sources (
    name            VARCHAR PRIMARY KEY,
    kind            VARCHAR,
    endpoint        VARCHAR,
    metadata_prefix VARCHAR,
    sets            VARCHAR[],
    schedule        VARCHAR,
    enabled         BOOLEAN NOT NULL DEFAULT true,
    defaults        JSON,
    notes           VARCHAR,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE sources IS
    'Configured harvest sources (one row per source name), as last loaded from the sources configuration.';
COMMENT ON COLUMN sources.name IS 'Short stable source name; the `source` value in every other table.';
COMMENT ON COLUMN sources.kind IS 'Kind of source / protocol, e.g. oai-pmh.';
COMMENT ON COLUMN sources.endpoint IS 'Base URL of the endpoint (the OAI-PMH base URL for oai-pmh sources).';
COMMENT ON COLUMN sources.metadata_prefix IS 'Default metadataPrefix to harvest, e.g. oai_dc, oai_lom.';
COMMENT ON COLUMN sources.sets IS 'setSpecs to harvest; NULL or empty means the whole repository.';
COMMENT ON COLUMN sources.schedule IS 'Harvest schedule as configured (e.g. a cron expression or daily/weekly).';
COMMENT ON COLUMN sources.enabled IS 'False when the source is configured but must not be harvested.';
COMMENT ON COLUMN sources.defaults IS 'Per-source default harvest options (JSON object), e.g. timeouts, page delay.';
COMMENT ON COLUMN sources.notes IS 'Free-text notes about the source (contacts, known quirks).';
COMMENT ON COLUMN sources.updated_at IS 'When this row was last inserted or updated.';

-- ---------------------------------------------------------------- harvest_runs
CREATE TABLE harvest_runs (
    run_id            VARCHAR PRIMARY KEY,
    source            VARCHAR NOT NULL,
    endpoint          VARCHAR NOT NULL,
    metadata_prefix   VARCHAR NOT NULL,
    set_spec          VARCHAR,
    from_date         VARCHAR,
    until_date        VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,
    records_seen      BIGINT,
    records_new       BIGINT,
    records_updated   BIGINT,
    records_unchanged BIGINT,
    records_deleted   BIGINT,
    records_undeleted BIGINT,
    records_failed    BIGINT,
    pages             BIGINT,
    bytes             BIGINT,
    error_code        VARCHAR,
    error_message     VARCHAR,
    error_url         VARCHAR,
    wall_s            DOUBLE,
    peak_rss_mb       DOUBLE,
    options           JSON,
    pipeline_version  VARCHAR
);
COMMENT ON TABLE harvest_runs IS
    'One row per harvest run of one source: arguments, status, counts, timings and the run-level error. Issues are in run_issues.';
COMMENT ON COLUMN harvest_runs.run_id IS 'Run id (UUID4 text); referenced by raw_pages, run_issues, raw_records, resources, resource_history.';
COMMENT ON COLUMN harvest_runs.source IS 'Source name (sources.name; ad-hoc harvests may name a source not in sources).';
COMMENT ON COLUMN harvest_runs.endpoint IS 'Endpoint base URL actually harvested.';
COMMENT ON COLUMN harvest_runs.metadata_prefix IS 'metadataPrefix requested.';
COMMENT ON COLUMN harvest_runs.set_spec IS 'setSpec requested; NULL for the whole repository.';
COMMENT ON COLUMN harvest_runs.from_date IS 'OAI-PMH `from` argument as sent (date or datetime text); NULL for a full harvest.';
COMMENT ON COLUMN harvest_runs.until_date IS 'OAI-PMH `until` argument as sent; NULL when not given.';
COMMENT ON COLUMN harvest_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN harvest_runs.finished_at IS 'When the run finished; NULL while running (or if the process died).';
COMMENT ON COLUMN harvest_runs.status IS
    'running while in progress, then the outcome (e.g. ok, partial, deferred, suspect, blocked, failed).';
COMMENT ON COLUMN harvest_runs.records_seen IS 'Record headers received (including deleted and failed ones); NULL if not counted.';
COMMENT ON COLUMN harvest_runs.records_new IS 'Records not in resources before this run.';
COMMENT ON COLUMN harvest_runs.records_updated IS 'Records whose content_hash changed (not counting deleted/undeleted).';
COMMENT ON COLUMN harvest_runs.records_unchanged IS 'Records seen again with the same content_hash.';
COMMENT ON COLUMN harvest_runs.records_deleted IS 'Records that turned deleted in this run.';
COMMENT ON COLUMN harvest_runs.records_undeleted IS 'Records that were deleted and came back in this run.';
COMMENT ON COLUMN harvest_runs.records_failed IS 'Records that could not be parsed or mapped (each has a run_issues row).';
COMMENT ON COLUMN harvest_runs.pages IS 'Response pages fetched (see raw_pages).';
COMMENT ON COLUMN harvest_runs.bytes IS 'Total response bytes fetched.';
COMMENT ON COLUMN harvest_runs.error_code IS 'Run-level error code when the run did not finish ok (e.g. not_oai_response); NULL otherwise.';
COMMENT ON COLUMN harvest_runs.error_message IS 'Run-level error message, one line.';
COMMENT ON COLUMN harvest_runs.error_url IS 'URL of the request that caused the run-level error.';
COMMENT ON COLUMN harvest_runs.wall_s IS 'Wall-clock duration of the run in seconds.';
COMMENT ON COLUMN harvest_runs.peak_rss_mb IS 'Peak resident memory of the harvesting process in MiB.';
COMMENT ON COLUMN harvest_runs.options IS 'Effective harvest options (JSON object) the run was started with.';
COMMENT ON COLUMN harvest_runs.pipeline_version IS 'oer-pipeline version (and model version) that ran the harvest.';

-- ---------------------------------------------------------------- run_issues
CREATE TABLE run_issues (
    run_id         VARCHAR NOT NULL,
    seq            INTEGER NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    code           VARCHAR NOT NULL,
    severity       VARCHAR NOT NULL,
    message        VARCHAR NOT NULL,
    url            VARCHAR,
    oai_identifier VARCHAR,
    raw_body       BLOB,
    PRIMARY KEY (run_id, seq)
);
COMMENT ON TABLE run_issues IS
    'Every problem met during a run (bad page, bad record, bad value), classified; the offending raw input is kept in raw_body.';
COMMENT ON COLUMN run_issues.run_id IS 'Run the issue belongs to (harvest_runs.run_id).';
COMMENT ON COLUMN run_issues.seq IS 'Order of the issue within its run, from 1.';
COMMENT ON COLUMN run_issues.recorded_at IS 'When the issue was recorded (named recorded_at because AT is reserved in DuckDB SQL).';
COMMENT ON COLUMN run_issues.code IS 'Issue code, e.g. not_oai_response, http_error, bad_xml, missing_title.';
COMMENT ON COLUMN run_issues.severity IS 'Severity: info, warning, error (or fatal for run-ending issues).';
COMMENT ON COLUMN run_issues.message IS 'Human-readable description, one line.';
COMMENT ON COLUMN run_issues.url IS 'Request URL involved, when there is one.';
COMMENT ON COLUMN run_issues.oai_identifier IS 'OAI identifier of the record involved, when there is one.';
COMMENT ON COLUMN run_issues.raw_body IS 'Raw response body or record bytes that caused the issue, kept as received.';

-- ---------------------------------------------------------------- raw_pages
CREATE TABLE raw_pages (
    run_id             VARCHAR NOT NULL,
    page_number        INTEGER NOT NULL,
    url                VARCHAR NOT NULL,
    http_status        INTEGER,
    fetched_at         TIMESTAMPTZ,
    elapsed_s          DOUBLE,
    size_bytes         BIGINT,
    n_items            INTEGER,
    resumption_token   VARCHAR,
    complete_list_size BIGINT,
    response_date      VARCHAR,
    PRIMARY KEY (run_id, page_number)
);
COMMENT ON TABLE raw_pages IS
    'Metadata of every response page fetched in a run (no body: records go to raw_records, failed page bodies to run_issues.raw_body).';
COMMENT ON COLUMN raw_pages.run_id IS 'Run that fetched the page (harvest_runs.run_id).';
COMMENT ON COLUMN raw_pages.page_number IS 'Position of the page in the run, from 1.';
COMMENT ON COLUMN raw_pages.url IS 'Full request URL of the page.';
COMMENT ON COLUMN raw_pages.http_status IS 'HTTP status code of the response; NULL if no response arrived.';
COMMENT ON COLUMN raw_pages.fetched_at IS 'When the response was received.';
COMMENT ON COLUMN raw_pages.elapsed_s IS 'Seconds from request to complete response.';
COMMENT ON COLUMN raw_pages.size_bytes IS 'Size of the response body in bytes.';
COMMENT ON COLUMN raw_pages.n_items IS 'Records or headers on the page.';
COMMENT ON COLUMN raw_pages.resumption_token IS 'resumptionToken returned by the page, as given; NULL or empty on the last page.';
COMMENT ON COLUMN raw_pages.complete_list_size IS 'completeListSize attribute of the resumptionToken, when given.';
COMMENT ON COLUMN raw_pages.response_date IS 'OAI-PMH responseDate of the page, as given.';

-- ---------------------------------------------------------------- raw_records
CREATE TABLE raw_records (
    source          VARCHAR NOT NULL,
    oai_identifier  VARCHAR NOT NULL,
    metadata_prefix VARCHAR NOT NULL,
    payload_sha256  VARCHAR NOT NULL,
    datestamp       VARCHAR,
    payload         VARCHAR NOT NULL,
    first_run_id    VARCHAR NOT NULL,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    page_url        VARCHAR,
    PRIMARY KEY (source, oai_identifier, metadata_prefix, payload_sha256)
);
COMMENT ON TABLE raw_records IS
    'Raw layer: every distinct harvested record payload, kept as received; a payload seen again is not stored again.';
COMMENT ON COLUMN raw_records.source IS 'Source name (sources.name).';
COMMENT ON COLUMN raw_records.oai_identifier IS 'OAI-PMH header identifier, as given.';
COMMENT ON COLUMN raw_records.metadata_prefix IS 'metadataPrefix the payload was harvested in.';
COMMENT ON COLUMN raw_records.payload_sha256 IS 'sha256 (hex) of the payload; resources.raw_sha256 points here.';
COMMENT ON COLUMN raw_records.datestamp IS 'OAI-PMH header datestamp, as given, when this payload was first seen.';
COMMENT ON COLUMN raw_records.payload IS 'XML text of the OAI-PMH <record> element (header, metadata, about), as received.';
COMMENT ON COLUMN raw_records.first_run_id IS 'Run that first stored this payload (harvest_runs.run_id).';
COMMENT ON COLUMN raw_records.first_seen_at IS 'When this payload was first stored.';
COMMENT ON COLUMN raw_records.page_url IS 'URL of the response page the payload came from.';

-- ---------------------------------------------------------------- resources
-- The model columns mirror transforms.model.RECORD_SCHEMA (same names, same order,
-- matching LIST/STRUCT types); the bookkeeping columns follow.
CREATE TABLE resources (
    record_id         VARCHAR PRIMARY KEY,
    source            VARCHAR NOT NULL,
    oai_identifier    VARCHAR NOT NULL,
    metadata_prefix   VARCHAR NOT NULL,
    datestamp         VARCHAR,
    datestamp_iso     VARCHAR,
    deleted           BOOLEAN NOT NULL,
    set_specs         VARCHAR[],
    titles            STRUCT("value" VARCHAR, lang VARCHAR)[],
    descriptions      STRUCT("value" VARCHAR, lang VARCHAR)[],
    creators          STRUCT("name" VARCHAR, identifier VARCHAR, "role" VARCHAR)[],
    contributors      STRUCT("name" VARCHAR, identifier VARCHAR, "role" VARCHAR)[],
    publishers        STRUCT("name" VARCHAR, identifier VARCHAR, "role" VARCHAR)[],
    dates             STRUCT(raw VARCHAR, iso VARCHAR, kind VARCHAR)[],
    subjects          STRUCT("value" VARCHAR, lang VARCHAR)[],
    resource_types    VARCHAR[],
    formats           VARCHAR[],
    identifiers       STRUCT("value" VARCHAR, scheme VARCHAR, "normalized" VARCHAR)[],
    languages         VARCHAR[],
    rights            VARCHAR[],
    relations         VARCHAR[],
    coverage          VARCHAR[],
    source_refs       VARCHAR[],
    issues            STRUCT(code VARCHAR, severity VARCHAR, field VARCHAR, message VARCHAR)[],
    raw_sha256        VARCHAR,
    content_hash      VARCHAR NOT NULL,
    first_seen_run    VARCHAR NOT NULL,
    first_seen_at     TIMESTAMPTZ NOT NULL,
    last_seen_run     VARCHAR NOT NULL,
    last_seen_at      TIMESTAMPTZ NOT NULL,
    last_changed_run  VARCHAR NOT NULL,
    last_changed_at   TIMESTAMPTZ NOT NULL,
    deleted_at        TIMESTAMPTZ
);
COMMENT ON TABLE resources IS
    'Current state of every harvested resource: one row per record_id, as of its latest harvest (deleted ones included, deleted = true).';
COMMENT ON COLUMN resources.record_id IS 'Stable record id: uuid5 of source and OAI identifier (transforms.model.make_record_id).';
COMMENT ON COLUMN resources.source IS 'Source name (sources.name).';
COMMENT ON COLUMN resources.oai_identifier IS 'OAI-PMH header identifier, as given.';
COMMENT ON COLUMN resources.metadata_prefix IS 'metadataPrefix the record was mapped from.';
COMMENT ON COLUMN resources.datestamp IS 'OAI-PMH header datestamp, as given.';
COMMENT ON COLUMN resources.datestamp_iso IS 'Header datestamp in ISO 8601; NULL when it cannot be parsed.';
COMMENT ON COLUMN resources.deleted IS 'True when the latest harvest returned a deleted header for the record.';
COMMENT ON COLUMN resources.set_specs IS 'setSpecs of the header, as given.';
COMMENT ON COLUMN resources.titles IS 'Titles, each with the language the source states (xml:lang) or NULL.';
COMMENT ON COLUMN resources.descriptions IS 'Descriptions / abstracts, each with its stated language or NULL.';
COMMENT ON COLUMN resources.creators IS 'Creators as named by the source, with identifier (ORCID, ROR...) and role when given.';
COMMENT ON COLUMN resources.contributors IS 'Contributors as named by the source, with identifier and role when given.';
COMMENT ON COLUMN resources.publishers IS 'Publishers as named by the source, with identifier and role when given.';
COMMENT ON COLUMN resources.dates IS 'Dates: raw text, ISO 8601 form (NULL if unparsable) and kind (issued, created...) when known.';
COMMENT ON COLUMN resources.subjects IS 'Subjects / keywords, each with its stated language or NULL.';
COMMENT ON COLUMN resources.resource_types IS 'Resource types, raw values as given.';
COMMENT ON COLUMN resources.formats IS 'Formats (MIME types, extents...), raw values as given.';
COMMENT ON COLUMN resources.identifiers IS 'Identifiers as given, with scheme (url, doi, isbn, issn, handle, urn, oai, other) and normalised form.';
COMMENT ON COLUMN resources.languages IS 'Languages, raw values as given.';
COMMENT ON COLUMN resources.rights IS 'Rights / licence statements, raw values as given.';
COMMENT ON COLUMN resources.relations IS 'Related resources (dc:relation), raw values as given.';
COMMENT ON COLUMN resources.coverage IS 'Coverage (spatial/temporal), raw values as given.';
COMMENT ON COLUMN resources.source_refs IS 'Resources this one derives from (dc:source), raw values as given.';
COMMENT ON COLUMN resources.issues IS 'Problems found while mapping this record (code, severity, field, message); kept, never dropped.';
COMMENT ON COLUMN resources.raw_sha256 IS 'Key of the raw payload this state was mapped from (raw_records.payload_sha256).';
COMMENT ON COLUMN resources.content_hash IS 'sha256 of the mapped content (transforms.model.content_hash); a change means the record changed.';
COMMENT ON COLUMN resources.first_seen_run IS 'Run that first loaded the record.';
COMMENT ON COLUMN resources.first_seen_at IS 'When the record was first loaded.';
COMMENT ON COLUMN resources.last_seen_run IS 'Latest run that saw the record (changed or not).';
COMMENT ON COLUMN resources.last_seen_at IS 'When the record was last seen.';
COMMENT ON COLUMN resources.last_changed_run IS 'Latest run that changed the record (its first run if never changed).';
COMMENT ON COLUMN resources.last_changed_at IS 'When the record last changed.';
COMMENT ON COLUMN resources.deleted_at IS 'When the deleted header was first seen; NULL while the record is not deleted.';

-- ---------------------------------------------------------------- resource_history
CREATE TABLE resource_history (
    record_id           VARCHAR NOT NULL,
    run_id              VARCHAR NOT NULL,
    changed_at          TIMESTAMPTZ NOT NULL,
    change              VARCHAR NOT NULL,
    changed_fields      VARCHAR[],
    previous_hash       VARCHAR,
    new_hash            VARCHAR NOT NULL,
    previous_raw_sha256 VARCHAR,
    new_raw_sha256      VARCHAR
);
COMMENT ON TABLE resource_history IS
    'Append-only log of every change to resources: one row per record per load that found it new, updated, deleted or undeleted.';
COMMENT ON COLUMN resource_history.record_id IS 'The record that changed (resources.record_id).';
COMMENT ON COLUMN resource_history.run_id IS 'Run whose load found the change (harvest_runs.run_id).';
COMMENT ON COLUMN resource_history.changed_at IS 'When the change was loaded.';
COMMENT ON COLUMN resource_history.change IS
    'new (first load), updated (content_hash changed), deleted (turned deleted), undeleted (was deleted, is back).';
COMMENT ON COLUMN resource_history.changed_fields IS
    'Names of the model columns whose values differ from the previous state; NULL for new.';
COMMENT ON COLUMN resource_history.previous_hash IS 'content_hash before the change; NULL for new.';
COMMENT ON COLUMN resource_history.new_hash IS 'content_hash after the change.';
COMMENT ON COLUMN resource_history.previous_raw_sha256 IS 'raw_records.payload_sha256 of the previous state; NULL for new.';
COMMENT ON COLUMN resource_history.new_raw_sha256 IS 'raw_records.payload_sha256 of the new state.';
