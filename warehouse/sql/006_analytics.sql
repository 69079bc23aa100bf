-- Analytics layer: readable views over the core tables, for analysts, exports and the report.
--
-- Layers (dbt-style): raw (raw_pages, raw_records, run_issues: what the repositories sent)
-- → core (resources, resource_labels, harvest_runs…: mapped, normalised, classified) →
-- analytics (these v_* views: one readable row per thing, live resources only, names next
-- to codes). Exports (oer export) and the report (oer report) read only this layer.

CREATE VIEW v_resources AS
SELECT r.record_id,
       r.source,
       r.oai_identifier,
       r.titles[1].value AS title,
       r.titles[1].lang AS title_lang,
       r.descriptions[1].value AS description,
       r.language_tags[1] AS language,
       r.language_tags AS languages,
       r.language_source,
       r.licence_uri,
       r.licence_spdx,
       r.licence_family,
       r.open_for_adaptation,
       r.access_rights_uri,
       r.resource_types,
       list_transform(r.learning_resource_types, lambda t: coalesce(t.uri, t.label, t.raw))
           AS learning_resource_types,
       list_transform(r.subjects, lambda s: s.value) AS subjects,
       list_transform(r.creators, lambda c: c.name) AS creators,
       list_transform(r.publishers, lambda p: p.name) AS publishers,
       (list_filter(r.dates, lambda d: d.kind = 'issued' AND d.iso IS NOT NULL)[1]).iso AS issued,
       r.landing_page,
       coalesce((SELECT list(s.goal ORDER BY s.goal) FROM resource_sdg s
                 WHERE s.record_id = r.record_id), []::INTEGER[]) AS sdgs,
       coalesce((SELECT list(a.area ORDER BY a.area) FROM resource_action_area a
                 WHERE a.record_id = r.record_id), []::VARCHAR[]) AS action_areas,
       r.metadata_prefix,
       r.datestamp_iso AS datestamp,
       r.first_seen_at,
       r.last_changed_at
FROM resources r
WHERE NOT r.deleted;
COMMENT ON VIEW v_resources IS
    'One readable row per current (not deleted) resource: first title and description, normalised language, licence and openness, people and subjects as plain lists, and the SDGs and action areas in force.';
COMMENT ON COLUMN v_resources.record_id IS 'Stable id of the resource: source + OAI identifier (resources.record_id).';
COMMENT ON COLUMN v_resources.source IS 'Source it was harvested from (sources.name).';
COMMENT ON COLUMN v_resources.oai_identifier IS 'Identifier of the record in its repository (OAI identifier, or the page URL for web sources).';
COMMENT ON COLUMN v_resources.title IS 'First title as the source gives it; NULL when the record has none.';
COMMENT ON COLUMN v_resources.title_lang IS 'Language the source states for that title (as given, not normalised); NULL when none.';
COMMENT ON COLUMN v_resources.description IS 'First description (HTML stripped by the crosswalk); NULL when none.';
COMMENT ON COLUMN v_resources.language IS 'Main language of the resource, BCP 47 (first of languages); NULL when neither declared nor detected.';
COMMENT ON COLUMN v_resources.languages IS 'Every language of the resource, BCP 47, declared first (resources.language_tags).';
COMMENT ON COLUMN v_resources.language_source IS 'How the language was found: declared, source_default, detected, or none.';
COMMENT ON COLUMN v_resources.licence_uri IS 'Canonical licence URI (Creative Commons, RightsStatements, …); NULL when no licence was recognised.';
COMMENT ON COLUMN v_resources.licence_spdx IS 'SPDX identifier of the licence, e.g. CC-BY-4.0; NULL when it has none.';
COMMENT ON COLUMN v_resources.licence_family IS 'Licence family, e.g. cc-by-sa, public-domain, rightsstatements.';
COMMENT ON COLUMN v_resources.open_for_adaptation IS 'Open per the 2019 UNESCO Recommendation (no-cost access, re-use, re-purpose, adaptation, redistribution): yes, no or unknown.';
COMMENT ON COLUMN v_resources.access_rights_uri IS 'COAR access-rights URI (open, embargoed, restricted, metadata only); NULL when not stated.';
COMMENT ON COLUMN v_resources.resource_types IS 'Resource types as the source states them (e.g. dc:type values).';
COMMENT ON COLUMN v_resources.learning_resource_types IS 'Learning resource types: the vocabulary URI when known, else the label or the raw value.';
COMMENT ON COLUMN v_resources.subjects IS 'Subject keywords and classifications as the source gives them.';
COMMENT ON COLUMN v_resources.creators IS 'Names of the creators, in order.';
COMMENT ON COLUMN v_resources.publishers IS 'Names of the publishers.';
COMMENT ON COLUMN v_resources.issued IS 'Issue date (ISO 8601, as precise as the source gives it); NULL when none could be read.';
COMMENT ON COLUMN v_resources.landing_page IS 'URL of the resource''s landing page; NULL when none.';
COMMENT ON COLUMN v_resources.sdgs IS 'SDG goal numbers in force (resource_sdg), ascending; empty when none.';
COMMENT ON COLUMN v_resources.action_areas IS 'Action-area slugs in force (resource_action_area), sorted; empty when none.';
COMMENT ON COLUMN v_resources.metadata_prefix IS 'Metadata format the record was harvested in (oai_dc, lom, datacite, jsonld…).';
COMMENT ON COLUMN v_resources.datestamp IS 'Datestamp of the record in its repository (ISO 8601).';
COMMENT ON COLUMN v_resources.first_seen_at IS 'When the pipeline first harvested the resource.';
COMMENT ON COLUMN v_resources.last_changed_at IS 'When its content last changed; equal to first_seen_at when it never changed.';

CREATE VIEW v_resource_sdg AS
SELECT s.record_id, r.source, s.goal, g.name AS goal_name, s.score, s.targets, s.evidence,
       s.origin, s.method
FROM resource_sdg s
JOIN resources r USING (record_id)
LEFT JOIN sdg_goals g USING (goal)
WHERE NOT r.deleted;
COMMENT ON VIEW v_resource_sdg IS
    'SDG labels in force on current resources, one row per (record_id, goal), with the goal''s name and the source. Decisions people made win (resource_sdg).';
COMMENT ON COLUMN v_resource_sdg.record_id IS 'Resource labelled (v_resources.record_id).';
COMMENT ON COLUMN v_resource_sdg.source IS 'Source of the resource.';
COMMENT ON COLUMN v_resource_sdg.goal IS 'SDG goal number, 1–17.';
COMMENT ON COLUMN v_resource_sdg.goal_name IS 'English short name of the goal, e.g. Quality education.';
COMMENT ON COLUMN v_resource_sdg.score IS 'Classifier score 0..1; NULL for a goal only people gave.';
COMMENT ON COLUMN v_resource_sdg.targets IS 'SDG targets (e.g. 4.7) with evidence; empty when none.';
COMMENT ON COLUMN v_resource_sdg.evidence IS 'The phrases found, then the sentence of the first.';
COMMENT ON COLUMN v_resource_sdg.origin IS 'classifier or human.';
COMMENT ON COLUMN v_resource_sdg.method IS 'Classifier method; NULL for a goal only people gave.';

CREATE VIEW v_resource_action_area AS
SELECT a.record_id, r.source, a.area, n.name AS area_name, a.score, a.evidence, a.origin,
       a.method
FROM resource_action_area a
JOIN resources r USING (record_id)
LEFT JOIN action_areas n USING (area)
WHERE NOT r.deleted;
COMMENT ON VIEW v_resource_action_area IS
    'Action-area labels (the five areas of the 2019 UNESCO Recommendation on OER) in force on current resources, one row per (record_id, area), with the area''s name and the source.';
COMMENT ON COLUMN v_resource_action_area.record_id IS 'Resource labelled (v_resources.record_id).';
COMMENT ON COLUMN v_resource_action_area.source IS 'Source of the resource.';
COMMENT ON COLUMN v_resource_action_area.area IS 'Action-area slug, e.g. capacity-building.';
COMMENT ON COLUMN v_resource_action_area.area_name IS 'English name of the area, e.g. Building capacity.';
COMMENT ON COLUMN v_resource_action_area.score IS 'Classifier score 0..1; NULL for an area only people gave.';
COMMENT ON COLUMN v_resource_action_area.evidence IS 'The keywords found, then the sentence of the first.';
COMMENT ON COLUMN v_resource_action_area.origin IS 'classifier or human.';
COMMENT ON COLUMN v_resource_action_area.method IS 'Classifier method; NULL for an area only people gave.';

-- A resource with no SDG (or no area) counts once under NULL, so every resource is counted
-- in every slice; a resource with two goals counts under each.
CREATE VIEW v_coverage AS
WITH goals AS (
    SELECT record_id, unnest(CASE WHEN len(sdgs) = 0 THEN [NULL::INTEGER] ELSE sdgs END) AS goal
    FROM v_resources
), areas AS (
    SELECT record_id,
           unnest(CASE WHEN len(action_areas) = 0 THEN [NULL::VARCHAR] ELSE action_areas END)
               AS area
    FROM v_resources
)
SELECT r.source, g.goal, sg.name AS goal_name, a.area, aa.name AS area_name,
       coalesce(r.language, 'und') AS language, r.open_for_adaptation,
       count(*) AS resources
FROM v_resources r
JOIN goals g USING (record_id)
JOIN areas a USING (record_id)
LEFT JOIN sdg_goals sg ON sg.goal = g.goal
LEFT JOIN action_areas aa ON aa.area = a.area
GROUP BY ALL;
COMMENT ON VIEW v_coverage IS
    'Current resources counted by source × SDG × action area × language × openness. A resource counts once per (goal, area) pair it has; one with no goal (or area) counts under NULL. Sum resources over one dimension only with care: SELECT goal, count(DISTINCT …) belongs on v_resource_sdg.';
COMMENT ON COLUMN v_coverage.source IS 'Source of the resources.';
COMMENT ON COLUMN v_coverage.goal IS 'SDG goal number; NULL: resources with no SDG label.';
COMMENT ON COLUMN v_coverage.goal_name IS 'English name of the goal; NULL with goal.';
COMMENT ON COLUMN v_coverage.area IS 'Action-area slug; NULL: resources with no action-area label.';
COMMENT ON COLUMN v_coverage.area_name IS 'English name of the area; NULL with area.';
COMMENT ON COLUMN v_coverage.language IS 'Main language (BCP 47); und when unknown.';
COMMENT ON COLUMN v_coverage.open_for_adaptation IS 'Openness per the Recommendation: yes, no or unknown.';
COMMENT ON COLUMN v_coverage.resources IS 'Number of (resource, goal, area) combinations in the slice: resources, when each has at most one goal and one area.';

CREATE VIEW v_harvest_runs AS
SELECT h.run_id, h.source, h.mode, h.status, h.started_at, h.finished_at,
       coalesce(h.wall_s, epoch(h.finished_at - h.started_at)) AS duration_s,
       h.metadata_prefix, h.records_seen, h.records_new, h.records_updated,
       h.records_unchanged, h.records_deleted, h.records_quarantined, h.records_failed,
       h.pages, h.bytes,
       (SELECT count(*) FROM run_issues i WHERE i.run_id = h.run_id) AS issues,
       h.error_code, h.error_message, h.error_url, h.deferred_until, h.resumed_from_run_id
FROM harvest_runs h;
COMMENT ON VIEW v_harvest_runs IS
    'Every harvest run, newest last by started_at: its status, duration, counts, number of issues and the error that stopped it. Details of the issues: v_run_issues.';
COMMENT ON COLUMN v_harvest_runs.run_id IS 'Run id (harvest_runs.run_id).';
COMMENT ON COLUMN v_harvest_runs.source IS 'Source harvested.';
COMMENT ON COLUMN v_harvest_runs.mode IS 'full, incremental, resume or sweep.';
COMMENT ON COLUMN v_harvest_runs.status IS 'ok, partial, suspect, deferred, blocked, failed, interrupted, or running.';
COMMENT ON COLUMN v_harvest_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN v_harvest_runs.finished_at IS 'When it ended; NULL while running (or when its process died before the next run closed it).';
COMMENT ON COLUMN v_harvest_runs.duration_s IS 'Wall seconds of the run.';
COMMENT ON COLUMN v_harvest_runs.metadata_prefix IS 'Metadata format harvested.';
COMMENT ON COLUMN v_harvest_runs.records_seen IS 'Records received (deleted headers included).';
COMMENT ON COLUMN v_harvest_runs.records_new IS 'Resources the run added.';
COMMENT ON COLUMN v_harvest_runs.records_updated IS 'Resources whose content changed.';
COMMENT ON COLUMN v_harvest_runs.records_unchanged IS 'Resources received again unchanged.';
COMMENT ON COLUMN v_harvest_runs.records_deleted IS 'Resources that turned deleted in the run.';
COMMENT ON COLUMN v_harvest_runs.records_quarantined IS 'Records the repository sent broken, kept raw in run_issues.';
COMMENT ON COLUMN v_harvest_runs.records_failed IS 'Records no crosswalk could map, kept raw.';
COMMENT ON COLUMN v_harvest_runs.pages IS 'Pages (HTTP responses) received.';
COMMENT ON COLUMN v_harvest_runs.bytes IS 'Bytes received.';
COMMENT ON COLUMN v_harvest_runs.issues IS 'Number of run issues recorded (run_issues).';
COMMENT ON COLUMN v_harvest_runs.error_code IS 'Issue code of the error that ended the run; NULL when none.';
COMMENT ON COLUMN v_harvest_runs.error_message IS 'Its message (naming the page).';
COMMENT ON COLUMN v_harvest_runs.error_url IS 'URL of the page that failed; NULL when none.';
COMMENT ON COLUMN v_harvest_runs.deferred_until IS 'For a deferred run: when the repository allows us back.';
COMMENT ON COLUMN v_harvest_runs.resumed_from_run_id IS 'The interrupted or deferred run this one continued; NULL when none.';

CREATE VIEW v_quality_issues AS
SELECT 'record' AS level, r.source, r.record_id, r.last_seen_run AS run_id, i.code,
       i.severity, i.field, i.message, NULL::VARCHAR AS url
FROM (SELECT source, record_id, last_seen_run, unnest(issues) AS i FROM resources
      WHERE NOT deleted) r
UNION ALL
SELECT 'run' AS level, h.source, NULL AS record_id, i.run_id, i.code, i.severity,
       NULL AS field, i.message, i.url
FROM run_issues i
JOIN harvest_runs h USING (run_id)
WHERE h.run_id IN (SELECT last_run_id FROM v_harvest_status);
COMMENT ON VIEW v_quality_issues IS
    'Quality issues to look at: those of current resources (level record: the crosswalk and normaliser notes kept on each record) and those of each source''s latest run (level run). Codes and their meaning: issue_codes; every run''s issues: v_run_issues.';
COMMENT ON COLUMN v_quality_issues.level IS 'record (on a resource) or run (on the latest run of a source).';
COMMENT ON COLUMN v_quality_issues.source IS 'Source concerned.';
COMMENT ON COLUMN v_quality_issues.record_id IS 'Resource concerned (level record); NULL for run issues.';
COMMENT ON COLUMN v_quality_issues.run_id IS 'Run that recorded it (for a record issue: the run that last saw the record).';
COMMENT ON COLUMN v_quality_issues.code IS 'Issue code, e.g. unparsable_date, language_mismatch, transport_error.';
COMMENT ON COLUMN v_quality_issues.severity IS 'info, warning or error.';
COMMENT ON COLUMN v_quality_issues.field IS 'Record field concerned (level record); NULL for run issues.';
COMMENT ON COLUMN v_quality_issues.message IS 'What happened, in words.';
COMMENT ON COLUMN v_quality_issues.url IS 'Page concerned (level run); NULL when none.';

CREATE VIEW v_source_scorecard AS
WITH live AS (
    SELECT source,
           count(*) AS resources,
           count(*) FILTER (WHERE licence_uri IS NOT NULL) AS with_licence,
           count(*) FILTER (WHERE open_for_adaptation = 'yes') AS open,
           count(*) FILTER (WHERE language IS NOT NULL) AS with_language,
           count(*) FILTER (WHERE description IS NOT NULL) AS with_description,
           count(*) FILTER (WHERE len(sdgs) > 0) AS with_sdg,
           count(*) FILTER (WHERE len(action_areas) > 0) AS with_action_area,
           count(DISTINCT language) AS languages
    FROM v_resources
    GROUP BY source
), gone AS (
    SELECT source, count(*) AS deleted FROM resources WHERE deleted GROUP BY source
), runs AS (
    SELECT source, count(*) AS runs,
           count(*) FILTER (WHERE status IN ('failed', 'blocked', 'interrupted')) AS failed_runs
    FROM harvest_runs GROUP BY source
), issues AS (
    SELECT source, count(*) FILTER (WHERE severity IN ('warning', 'error')) AS quality_issues
    FROM v_quality_issues GROUP BY source
)
SELECT s.name AS source, s.kind, s.enabled,
       coalesce(l.resources, 0) AS resources,
       coalesce(g.deleted, 0) AS deleted,
       round(100.0 * l.with_licence / l.resources, 1) AS pct_licence,
       round(100.0 * l.open / l.resources, 1) AS pct_open,
       round(100.0 * l.with_language / l.resources, 1) AS pct_language,
       round(100.0 * l.with_description / l.resources, 1) AS pct_description,
       round(100.0 * l.with_sdg / l.resources, 1) AS pct_sdg,
       round(100.0 * l.with_action_area / l.resources, 1) AS pct_action_area,
       coalesce(l.languages, 0) AS languages,
       st.last_run_status, st.last_run_started_at, st.last_error_code,
       coalesce(ru.runs, 0) AS runs, coalesce(ru.failed_runs, 0) AS failed_runs,
       coalesce(i.quality_issues, 0) AS quality_issues
FROM sources s
LEFT JOIN live l ON l.source = s.name
LEFT JOIN gone g ON g.source = s.name
LEFT JOIN runs ru ON ru.source = s.name
LEFT JOIN issues i ON i.source = s.name
LEFT JOIN v_harvest_status st ON st.source = s.name;
COMMENT ON VIEW v_source_scorecard IS
    'One row per registered source: how many current resources, and what share of them has a recognised licence, is open per the Recommendation, has a language, a description, an SDG and an action area; the last run and how often runs failed.';
COMMENT ON COLUMN v_source_scorecard.source IS 'Source name (sources.name).';
COMMENT ON COLUMN v_source_scorecard.kind IS 'oai-pmh or sitemap.';
COMMENT ON COLUMN v_source_scorecard.enabled IS 'Whether harvest-all harvests it.';
COMMENT ON COLUMN v_source_scorecard.resources IS 'Current (not deleted) resources.';
COMMENT ON COLUMN v_source_scorecard.deleted IS 'Resources the repository deleted (kept, flagged).';
COMMENT ON COLUMN v_source_scorecard.pct_licence IS 'Percent of current resources with a recognised licence URI; NULL when none are held.';
COMMENT ON COLUMN v_source_scorecard.pct_open IS 'Percent open for adaptation (yes) per the Recommendation.';
COMMENT ON COLUMN v_source_scorecard.pct_language IS 'Percent with a language (declared, default or detected).';
COMMENT ON COLUMN v_source_scorecard.pct_description IS 'Percent with a description.';
COMMENT ON COLUMN v_source_scorecard.pct_sdg IS 'Percent with at least one SDG label in force.';
COMMENT ON COLUMN v_source_scorecard.pct_action_area IS 'Percent with at least one action-area label in force.';
COMMENT ON COLUMN v_source_scorecard.languages IS 'Distinct main languages.';
COMMENT ON COLUMN v_source_scorecard.last_run_status IS 'Status of the latest run; NULL when never harvested.';
COMMENT ON COLUMN v_source_scorecard.last_run_started_at IS 'When the latest run started.';
COMMENT ON COLUMN v_source_scorecard.last_error_code IS 'Error code of the latest run; NULL when it had none.';
COMMENT ON COLUMN v_source_scorecard.runs IS 'Runs recorded.';
COMMENT ON COLUMN v_source_scorecard.failed_runs IS 'Runs that failed, were blocked or interrupted.';
COMMENT ON COLUMN v_source_scorecard.quality_issues IS 'Warnings and errors in v_quality_issues (current records and the latest run).';

-- ---------------------------------------------------------------- issue codes
INSERT INTO issue_codes (code, severity, run_status_effect, meaning) VALUES
    ('snapshot_failed', 'error', NULL, 'The run finished but the read-only snapshot of the warehouse (warehouse/snapshot.py) could not be published (the message says why); readers keep the previous snapshot until oer publish or the next run succeeds.');
