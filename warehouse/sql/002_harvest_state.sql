-- Harvest state: per-source cursor, windows and checkpoints, run status taxonomy, sweeps.
--
-- Forward-only (see 001_core.sql). Adds what incremental, resumable harvesting needs:
--   harvest_state    one row per source: Identify facts, the incremental cursor, status
--   harvest_windows  the unit of retry and checkpointing, one row per (run, window)
--   harvest_listings identifiers listed by a sweep (ListIdentifiers) run, kept per checkpoint
--   issue_codes      the issue taxonomy as data, with the run status each code implies
-- and columns on harvest_runs, resources and raw_pages, plus the views v_harvest_status
-- and v_run_issues. Existing rows are backfilled so that an upgraded warehouse reads like
-- a fresh one.
--
-- Run statuses (harvest_runs.status, harvest_state.status):
--   running      in progress (or its process died: see heartbeat_at, pid, hostname)
--   interrupted  stopped before the end (signal, kill, crash); resumable from its checkpoints
--   ok           complete, nothing lost
--   partial      complete listing, but some records were quarantined or failed to map
--   deferred     stopped by the server's Retry-After or a deferral; resumes at deferred_until
--   suspect      completeness gate tripped: counts dropped or fell short of completeListSize
--   blocked      access refused: HTTP 401/403, robots or policy
--   failed       could not complete; what arrived is kept

-- ---------------------------------------------------------------- harvest_state
CREATE TABLE harvest_state (
    source                      VARCHAR PRIMARY KEY,
    granularity                 VARCHAR,
    earliest_datestamp          VARCHAR,
    deleted_record              VARCHAR,
    identify_checked_at         TIMESTAMPTZ,
    cursor_from                 VARCHAR,
    last_complete_run_id        VARCHAR,
    last_complete_response_date VARCHAR,
    last_complete_records       BIGINT,
    last_full_run_id            VARCHAR,
    last_full_at                TIMESTAMPTZ,
    last_sweep_run_id           VARCHAR,
    last_sweep_at               TIMESTAMPTZ,
    last_run_id                 VARCHAR,
    status                      VARCHAR,
    deferred_until              TIMESTAMPTZ,
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE harvest_state IS
    'Harvest state of each source (one row per source): Identify facts, the cursor of the next incremental run, the last complete/full/sweep runs and the current status. Written by warehouse.state and finish_run.';
COMMENT ON COLUMN harvest_state.source IS 'Source name (sources.name, harvest_runs.source).';
COMMENT ON COLUMN harvest_state.granularity IS
    'Identify granularity of the repository: YYYY-MM-DD (days) or YYYY-MM-DDThh:mm:ssZ (seconds); from/until and cursor_from are written in it.';
COMMENT ON COLUMN harvest_state.earliest_datestamp IS 'Identify earliestDatestamp, as given; the lower bound of date windows.';
COMMENT ON COLUMN harvest_state.deleted_record IS
    'Identify deletedRecord: no, transient or persistent. With no or transient, deletions are only found by a sweep (full ListIdentifiers + mark-and-sweep).';
COMMENT ON COLUMN harvest_state.identify_checked_at IS 'When Identify was last read for this source.';
COMMENT ON COLUMN harvest_state.cursor_from IS
    'OAI-PMH `from` of the next incremental run, in the repository granularity: the responseDate of the last complete run minus one granularity unit (overlap). NULL: next run is full.';
COMMENT ON COLUMN harvest_state.last_complete_run_id IS 'Last run (ok or partial) that advanced the cursor (harvest_runs.run_id).';
COMMENT ON COLUMN harvest_state.last_complete_response_date IS
    'Server responseDate (as given) that run took the cursor from: the responseDate of its first page, i.e. when its listing began.';
COMMENT ON COLUMN harvest_state.last_complete_records IS 'Records (headers, deleted included) listed by that run.';
COMMENT ON COLUMN harvest_state.last_full_run_id IS 'Last complete (ok or partial) full harvest of the source (mode full, or a resume of one).';
COMMENT ON COLUMN harvest_state.last_full_at IS 'When that full harvest finished.';
COMMENT ON COLUMN harvest_state.last_sweep_run_id IS 'Last run whose complete listing was used for a mark-and-sweep of deletions (sweep_deleted).';
COMMENT ON COLUMN harvest_state.last_sweep_at IS 'When that sweep was applied.';
COMMENT ON COLUMN harvest_state.last_run_id IS 'Run whose outcome `status` reflects: the last run finished, interrupted or given a status for the source.';
COMMENT ON COLUMN harvest_state.status IS
    'Current status of the source, from its last run: ok, partial, deferred, suspect, blocked, failed or interrupted (see harvest_runs.status).';
COMMENT ON COLUMN harvest_state.deferred_until IS 'When status is deferred: do not harvest the source before this time (from Retry-After); NULL otherwise.';
COMMENT ON COLUMN harvest_state.updated_at IS 'When this row was last written.';

-- ---------------------------------------------------------------- harvest_windows
CREATE TABLE harvest_windows (
    run_id              VARCHAR NOT NULL,
    window_no           INTEGER NOT NULL,
    set_spec            VARCHAR,
    from_date           VARCHAR,
    until_date          VARCHAR,
    parent_window_no    INTEGER,
    carried_from_run_id VARCHAR,
    status              VARCHAR NOT NULL DEFAULT 'pending',
    attempts            INTEGER NOT NULL DEFAULT 0,
    resumption_token    VARCHAR,
    pages_done          INTEGER NOT NULL DEFAULT 0,
    records_done        BIGINT NOT NULL DEFAULT 0,
    complete_list_size  BIGINT,
    last_response_date  VARCHAR,
    last_error_code     VARCHAR,
    last_error_message  VARCHAR,
    started_at          TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at         TIMESTAMPTZ,
    PRIMARY KEY (run_id, window_no)
);
COMMENT ON TABLE harvest_windows IS
    'Date windows (and sets) a run lists, the unit of retry and checkpointing: one row per (run_id, window_no). The checkpoint columns are written in the same transaction as the records they account for, so a killed run resumes exactly.';
COMMENT ON COLUMN harvest_windows.run_id IS 'Run the window belongs to (harvest_runs.run_id).';
COMMENT ON COLUMN harvest_windows.window_no IS 'Number of the window within its run, from 1; children of a split get new numbers.';
COMMENT ON COLUMN harvest_windows.set_spec IS 'setSpec listed in this window; NULL for the whole repository.';
COMMENT ON COLUMN harvest_windows.from_date IS 'OAI-PMH `from` of the window, in the repository granularity; NULL = open (from the earliest datestamp).';
COMMENT ON COLUMN harvest_windows.until_date IS 'OAI-PMH `until` of the window (inclusive, as OAI-PMH defines it), in the repository granularity; NULL = open (up to now).';
COMMENT ON COLUMN harvest_windows.parent_window_no IS 'Window this one was split from (status split) or merged into; NULL for a planned window.';
COMMENT ON COLUMN harvest_windows.carried_from_run_id IS
    'For a resume run: the interrupted run this window (and its checkpoint) was carried over from; NULL for a window planned by this run.';
COMMENT ON COLUMN harvest_windows.status IS
    'pending (not started or to be retried), running, done (listing complete), failed (retries exhausted), split (replaced by child windows), merged (replaced by a larger window).';
COMMENT ON COLUMN harvest_windows.attempts IS 'Times the window was started (1 = first try); a retry after a failure or bad token adds one.';
COMMENT ON COLUMN harvest_windows.resumption_token IS
    'Checkpoint: the resumptionToken to request next; NULL before the first page (and once the window is done).';
COMMENT ON COLUMN harvest_windows.pages_done IS 'Checkpoint: pages of this window loaded so far (in the current attempt).';
COMMENT ON COLUMN harvest_windows.records_done IS 'Checkpoint: records (headers, deleted included) of this window loaded so far (in the current attempt).';
COMMENT ON COLUMN harvest_windows.complete_list_size IS 'completeListSize the server gave for this window, when given.';
COMMENT ON COLUMN harvest_windows.last_response_date IS 'responseDate of the last page checkpointed, as given.';
COMMENT ON COLUMN harvest_windows.last_error_code IS 'issue_codes.code of the last failure of the window (kept when a retry succeeds); NULL if none.';
COMMENT ON COLUMN harvest_windows.last_error_message IS 'Message of that failure, one line.';
COMMENT ON COLUMN harvest_windows.started_at IS 'When the window was first started.';
COMMENT ON COLUMN harvest_windows.updated_at IS 'When the row was last written (last checkpoint or status change).';
COMMENT ON COLUMN harvest_windows.finished_at IS 'When the window reached done, failed, split or merged; NULL while open.';

-- ---------------------------------------------------------------- harvest_listings
CREATE TABLE harvest_listings (
    run_id         VARCHAR NOT NULL,
    window_no      INTEGER,
    oai_identifier VARCHAR NOT NULL,
    datestamp      VARCHAR,
    deleted        BOOLEAN
);
COMMENT ON TABLE harvest_listings IS
    'Identifiers listed by sweep runs (ListIdentifiers), written with each checkpoint so that a resumed sweep still knows what the killed run listed; input of sweep_deleted. May hold duplicates (re-listed windows).';
COMMENT ON COLUMN harvest_listings.run_id IS 'Run that listed the identifier (harvest_runs.run_id).';
COMMENT ON COLUMN harvest_listings.window_no IS 'Window of that run the identifier was listed in (harvest_windows.window_no); NULL if not windowed.';
COMMENT ON COLUMN harvest_listings.oai_identifier IS 'OAI-PMH header identifier, as given.';
COMMENT ON COLUMN harvest_listings.datestamp IS 'Header datestamp, as given.';
COMMENT ON COLUMN harvest_listings.deleted IS 'True when the header had status="deleted".';

-- ---------------------------------------------------------------- issue_codes
CREATE TABLE issue_codes (
    code              VARCHAR PRIMARY KEY,
    severity          VARCHAR NOT NULL,
    run_status_effect VARCHAR,
    meaning           VARCHAR NOT NULL
);
COMMENT ON TABLE issue_codes IS
    'The issue taxonomy as data: every code run_issues, harvest_windows and harvest_runs use, with its severity and the run status it implies at worst.';
COMMENT ON COLUMN issue_codes.code IS 'Issue code (run_issues.code, harvest_runs.error_code); OAI-PMH error codes keep their protocol spelling.';
COMMENT ON COLUMN issue_codes.severity IS 'Default severity: info, warning or error.';
COMMENT ON COLUMN issue_codes.run_status_effect IS
    'Worst run status the issue implies: NULL (none), partial, suspect, deferred, blocked or failed. A retried and recovered problem implies nothing.';
COMMENT ON COLUMN issue_codes.meaning IS 'What the code means, one sentence.';

INSERT INTO issue_codes (code, severity, run_status_effect, meaning) VALUES
    -- transport and protocol
    ('not_oai_response', 'error', 'failed', 'The response is not an OAI-PMH document (HTML error page, login page, wrong URL).'),
    ('xml_parse_error', 'error', 'failed', 'The response could not be parsed as XML.'),
    ('http_error', 'error', 'failed', 'The server answered with an HTTP error status (after retries).'),
    ('transport_error', 'error', 'failed', 'No usable response arrived: DNS, connection, TLS or timeout failure (after retries).'),
    ('response_too_large', 'error', 'failed', 'A response exceeded the configured size limit and was not read.'),
    ('retry_after_too_long', 'warning', 'deferred', 'The server asked to retry later (Retry-After) beyond the wait the harvest accepts; the run is deferred.'),
    ('retried', 'info', NULL, 'A request failed and succeeded on a retry.'),
    ('access_denied', 'error', 'blocked', 'The server refused access (HTTP 401 or 403).'),
    ('robots_disallowed', 'error', 'blocked', 'Harvesting is disallowed by robots.txt or by the source''s policy.'),
    ('harvest_error', 'error', 'failed', 'An unclassified harvest failure.'),
    ('unknownOAIError', 'error', 'failed', 'The server returned an OAI-PMH error code that the protocol does not define.'),
    -- resumption tokens and paging
    ('bad_resumption_token', 'warning', 'failed', 'A resumption token was refused or had expired (OAI badResumptionToken); the current window is redone, and the run fails if the retries are exhausted.'),
    ('resumption_token_loop', 'error', 'failed', 'The server returned a resumption token already requested in this listing.'),
    ('repeated_page', 'error', 'failed', 'A page repeated the records of the previous page: the listing cannot go on (records may be missing).'),
    ('empty_pages_with_token', 'error', 'failed', 'The server kept returning empty pages with a resumption token: the listing cannot go on.'),
    ('window_split', 'info', NULL, 'A date window failed or was too large and was split into smaller windows.'),
    ('from_ignored', 'warning', NULL, 'The server returned records outside the requested from/until range: it ignores the arguments, so incremental harvesting lists everything.'),
    -- records
    ('illegal_xml_char', 'warning', 'partial', 'A response held characters illegal in XML; they were replaced, or the records concerned quarantined.'),
    ('record_quarantined', 'error', 'partial', 'A record could not be read and was kept aside (raw body in run_issues) instead of loaded.'),
    ('unsupported_format', 'error', 'partial', 'No crosswalk exists for the metadata format of a record.'),
    ('crosswalk_error', 'error', 'partial', 'A record could not be mapped to the model by its crosswalk.'),
    ('missing_title', 'warning', NULL, 'A record has no title.'),
    ('unparsable_date', 'warning', NULL, 'A date value could not be parsed to ISO 8601; the raw value is kept.'),
    ('unknown_element', 'info', NULL, 'A metadata element the crosswalk does not map; the record is loaded without it.'),
    -- completeness and deletions
    ('count_drop', 'warning', 'suspect', 'The run listed a configurable share (default 15 %) fewer records than the previous comparable run.'),
    ('incomplete_list', 'warning', 'suspect', 'Fewer records arrived than the completeListSize the server announced.'),
    ('deleted_swept', 'info', NULL, 'Resources missing from a complete listing were marked deleted by mark-and-sweep.'),
    ('sweep_skipped', 'warning', NULL, 'A complete full listing was empty, so no resource was swept (an empty listing never deletes everything).'),
    ('redirected', 'info', NULL, 'The server redirected the request; the final URL was harvested and the redirect is recorded.'),
    ('identify_value', 'warning', NULL, 'Identify gave a granularity or deletedRecord value OAI-PMH does not allow; the safest value was used.'),
    -- run control
    ('interrupted', 'error', NULL, 'The run was stopped before the end (signal, kill or crash); its status is interrupted and it resumes from its last checkpoint.'),
    ('internal_error', 'error', 'failed', 'A bug or unexpected condition in the pipeline stopped the run.'),
    -- OAI-PMH error codes, as the protocol spells them
    ('badArgument', 'error', 'failed', 'OAI-PMH badArgument: the request had an illegal or missing argument (often a bad from/until).'),
    ('badResumptionToken', 'error', 'failed', 'OAI-PMH badResumptionToken: the resumption token is invalid or expired.'),
    ('badVerb', 'error', 'failed', 'OAI-PMH badVerb: the verb is illegal or missing.'),
    ('cannotDisseminateFormat', 'error', 'failed', 'OAI-PMH cannotDisseminateFormat: the repository does not offer the metadataPrefix.'),
    ('idDoesNotExist', 'warning', NULL, 'OAI-PMH idDoesNotExist: the identifier is unknown to the repository.'),
    ('noMetadataFormats', 'warning', NULL, 'OAI-PMH noMetadataFormats: no metadata formats are available for the item.'),
    ('noRecordsMatch', 'info', NULL, 'OAI-PMH noRecordsMatch: the window or set holds no records (an empty listing, not a failure).'),
    ('noSetHierarchy', 'error', 'failed', 'OAI-PMH noSetHierarchy: sets were requested but the repository has none.');

-- ---------------------------------------------------------------- harvest_runs additions
ALTER TABLE harvest_runs ADD COLUMN mode VARCHAR;
ALTER TABLE harvest_runs ADD COLUMN resumed_from_run_id VARCHAR;
ALTER TABLE harvest_runs ADD COLUMN deferred_until TIMESTAMPTZ;
ALTER TABLE harvest_runs ADD COLUMN expected_records BIGINT;
ALTER TABLE harvest_runs ADD COLUMN previous_records BIGINT;
ALTER TABLE harvest_runs ADD COLUMN records_quarantined BIGINT;
ALTER TABLE harvest_runs ADD COLUMN records_swept BIGINT;
ALTER TABLE harvest_runs ADD COLUMN issue_counts JSON;
ALTER TABLE harvest_runs ADD COLUMN heartbeat_at TIMESTAMPTZ;
ALTER TABLE harvest_runs ADD COLUMN pid INTEGER;
ALTER TABLE harvest_runs ADD COLUMN hostname VARCHAR;
COMMENT ON COLUMN harvest_runs.mode IS
    'full (everything), incremental (from the cursor), resume (continues resumed_from_run_id, whose mode it inherits) or sweep (full ListIdentifiers for mark-and-sweep).';
COMMENT ON COLUMN harvest_runs.resumed_from_run_id IS 'For a resume run: the interrupted or deferred run it continues; NULL otherwise.';
COMMENT ON COLUMN harvest_runs.deferred_until IS 'For a deferred run: when it may resume (from Retry-After); NULL otherwise.';
COMMENT ON COLUMN harvest_runs.expected_records IS 'Sum of the completeListSize the server gave over the windows, when given; NULL when never given.';
COMMENT ON COLUMN harvest_runs.previous_records IS 'Records listed by the previous comparable complete run (the completeness gate compares with it); NULL if none.';
COMMENT ON COLUMN harvest_runs.records_quarantined IS 'Records kept aside unread (record_quarantined issues, raw body kept); NULL if not counted.';
COMMENT ON COLUMN harvest_runs.records_swept IS 'Resources marked deleted by a mark-and-sweep on this run''s listing; NULL if no sweep was applied.';
COMMENT ON COLUMN harvest_runs.issue_counts IS 'Issues of the run by code (JSON object code → count), filled at finish.';
COMMENT ON COLUMN harvest_runs.heartbeat_at IS
    'Last sign of life: start and every checkpoint. A running run with an old heartbeat and no live pid on hostname died (mark it interrupted).';
COMMENT ON COLUMN harvest_runs.pid IS 'Process id of the harvesting process.';
COMMENT ON COLUMN harvest_runs.hostname IS 'Host name of the machine the harvesting process ran on.';

-- Runs before this migration harvested everything (no cursor existed).
UPDATE harvest_runs SET
    mode = CASE WHEN from_date IS NULL THEN 'full' ELSE 'incremental' END,
    heartbeat_at = coalesce(finished_at, started_at);
UPDATE harvest_runs SET issue_counts = (
    SELECT json_group_object(code, n)
    FROM (SELECT code, count(*) AS n FROM run_issues i
          WHERE i.run_id = harvest_runs.run_id GROUP BY code)
) WHERE status <> 'running' AND run_id IN (SELECT run_id FROM run_issues);
UPDATE harvest_runs SET issue_counts = '{}' WHERE status <> 'running' AND issue_counts IS NULL;

-- ---------------------------------------------------------------- resources additions
ALTER TABLE resources ADD COLUMN deleted_reason VARCHAR;
ALTER TABLE resources ADD COLUMN swept_run_id VARCHAR;
COMMENT ON COLUMN resources.deleted_reason IS
    'Why the resource is deleted: header (a deleted header was harvested) or swept (missing from a complete listing); NULL while not deleted.';
COMMENT ON COLUMN resources.swept_run_id IS 'For a swept resource: the run whose complete listing it was missing from; NULL otherwise.';
UPDATE resources SET deleted_reason = 'header' WHERE deleted;

-- ---------------------------------------------------------------- raw_pages additions
ALTER TABLE raw_pages ADD COLUMN window_no INTEGER;
COMMENT ON COLUMN raw_pages.window_no IS 'Window of the run the page belongs to (harvest_windows.window_no); NULL for runs without windows.';

-- ---------------------------------------------------------------- backfill harvest_state
INSERT INTO harvest_state (source, last_run_id, status, last_complete_run_id,
    last_complete_response_date, last_complete_records, last_full_run_id, last_full_at, updated_at)
WITH last_run AS (
    SELECT source, run_id, status FROM harvest_runs
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, run_id DESC) = 1
), last_complete AS (
    SELECT source, run_id, records_seen, finished_at,
        (SELECT min(p.response_date) FROM raw_pages p WHERE p.run_id = r.run_id) AS response_date
    FROM harvest_runs r WHERE status IN ('ok', 'partial')
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, run_id DESC) = 1
)
SELECT l.source, l.run_id, l.status, c.run_id, c.response_date, c.records_seen,
    c.run_id, c.finished_at, now()
FROM last_run l LEFT JOIN last_complete c USING (source);

-- ---------------------------------------------------------------- views
CREATE VIEW v_harvest_status AS
WITH names AS (
    SELECT name AS source FROM sources
    UNION SELECT source FROM harvest_state
    UNION SELECT source FROM harvest_runs
), last_run AS (
    SELECT * FROM harvest_runs
    QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC, run_id DESC) = 1
)
SELECT
    n.source,
    coalesce(s.status, r.status) AS status,
    r.run_id AS last_run_id,
    r.mode AS last_run_mode,
    r.status AS last_run_status,
    r.started_at AS last_run_started_at,
    r.finished_at AS last_run_finished_at,
    r.records_seen AS last_run_records,
    r.expected_records AS last_run_expected_records,
    coalesce(s.deferred_until, r.deferred_until) AS deferred_until,
    s.cursor_from,
    s.last_complete_run_id,
    s.last_full_at,
    s.last_sweep_at,
    nullif(array_to_string(list_transform(
        list_sort(list_transform(
            map_entries(from_json(r.issue_counts, '"MAP(VARCHAR, BIGINT)"')),
            lambda e: {'n': -e.value, 'code': e.key})),
        lambda e: e.code || ' ' || (-e.n)::VARCHAR), ', '), '') AS last_run_issues,
    r.error_code AS last_error_code,
    r.error_url AS last_error_url,
    r.heartbeat_at AS last_heartbeat_at
FROM names n
LEFT JOIN harvest_state s USING (source)
LEFT JOIN last_run r USING (source);
COMMENT ON VIEW v_harvest_status IS
    'One row per source (configured, with state, or harvested): its current status and its latest run. Used by `oer status`.';
COMMENT ON COLUMN v_harvest_status.source IS 'Source name.';
COMMENT ON COLUMN v_harvest_status.status IS 'Current status of the source (harvest_state.status, else the status of its latest run); NULL if never harvested.';
COMMENT ON COLUMN v_harvest_status.last_run_id IS 'Latest run of the source by start time.';
COMMENT ON COLUMN v_harvest_status.last_run_mode IS 'Its mode: full, incremental, resume or sweep.';
COMMENT ON COLUMN v_harvest_status.last_run_status IS 'Its status (running while in progress).';
COMMENT ON COLUMN v_harvest_status.last_run_started_at IS 'When it started.';
COMMENT ON COLUMN v_harvest_status.last_run_finished_at IS 'When it finished; NULL while running or if its process died.';
COMMENT ON COLUMN v_harvest_status.last_run_records IS 'Records (headers) it received.';
COMMENT ON COLUMN v_harvest_status.last_run_expected_records IS 'Sum of the completeListSize it was given, when given.';
COMMENT ON COLUMN v_harvest_status.deferred_until IS 'When a deferred source may be harvested again.';
COMMENT ON COLUMN v_harvest_status.cursor_from IS 'OAI-PMH `from` of the next incremental run; NULL means the next run is full.';
COMMENT ON COLUMN v_harvest_status.last_complete_run_id IS 'Last run that advanced the cursor.';
COMMENT ON COLUMN v_harvest_status.last_full_at IS 'When the last complete full harvest finished.';
COMMENT ON COLUMN v_harvest_status.last_sweep_at IS 'When the last mark-and-sweep of deletions was applied.';
COMMENT ON COLUMN v_harvest_status.last_run_issues IS 'Issues of the latest run by code, most frequent first, e.g. "missing_title 12, retried 2"; NULL while running or when there were none.';
COMMENT ON COLUMN v_harvest_status.last_error_code IS 'Run-level error code of the latest run, if any.';
COMMENT ON COLUMN v_harvest_status.last_error_url IS 'URL of the request that caused it.';
COMMENT ON COLUMN v_harvest_status.last_heartbeat_at IS 'Last checkpoint of the latest run (tells a live run from a dead one).';

CREATE VIEW v_run_issues AS
SELECT
    i.run_id,
    r.source,
    i.seq,
    i.recorded_at,
    i.code,
    i.severity,
    c.severity AS code_severity,
    c.run_status_effect,
    c.meaning,
    i.message,
    i.url,
    i.oai_identifier,
    octet_length(i.raw_body) AS raw_body_bytes
FROM run_issues i
LEFT JOIN harvest_runs r USING (run_id)
LEFT JOIN issue_codes c USING (code);
COMMENT ON VIEW v_run_issues IS
    'Run issues with their source and the taxonomy entry of their code (meaning, default severity, run status effect); raw bodies stay in run_issues.';
COMMENT ON COLUMN v_run_issues.run_id IS 'Run the issue belongs to.';
COMMENT ON COLUMN v_run_issues.source IS 'Source of that run.';
COMMENT ON COLUMN v_run_issues.seq IS 'Order of the issue within its run.';
COMMENT ON COLUMN v_run_issues.recorded_at IS 'When the issue was recorded.';
COMMENT ON COLUMN v_run_issues.code IS 'Issue code.';
COMMENT ON COLUMN v_run_issues.severity IS 'Severity as recorded with the issue.';
COMMENT ON COLUMN v_run_issues.code_severity IS 'Default severity of the code (issue_codes.severity); NULL for a code missing from the taxonomy.';
COMMENT ON COLUMN v_run_issues.run_status_effect IS 'Worst run status the code implies (issue_codes.run_status_effect).';
COMMENT ON COLUMN v_run_issues.meaning IS 'What the code means (issue_codes.meaning).';
COMMENT ON COLUMN v_run_issues.message IS 'The issue message, one line.';
COMMENT ON COLUMN v_run_issues.url IS 'Request URL involved, if any.';
COMMENT ON COLUMN v_run_issues.oai_identifier IS 'OAI identifier of the record involved, if any.';
COMMENT ON COLUMN v_run_issues.raw_body_bytes IS 'Size of the raw body kept in run_issues.raw_body, if any.';
