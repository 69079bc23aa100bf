-- Rich records: educational fields, typed relations, links, text hygiene, crosswalk coverage.
--
-- Adds the record-model fields that formats richer than oai_dc carry (transforms.model,
-- MODEL_VERSION 2) to resources, the format chosen per source to harvest_state, and the
-- crosswalk coverage counts per run (which input elements each crosswalk mapped, dropped
-- on purpose, or did not know), with the view v_crosswalk_coverage over the latest run.
-- Existing resources get empty lists / NULL: their next harvest fills them (their
-- content_hash changes once, because the model gained fields).

-- ---------------------------------------------------------------- resources
-- Agents gain their affiliation (name and ROR/other id): existing values read NULL for both.
ALTER TABLE resources ALTER COLUMN creators TYPE STRUCT("name" VARCHAR, identifier VARCHAR,
    "role" VARCHAR, affiliation VARCHAR, affiliation_id VARCHAR)[];
ALTER TABLE resources ALTER COLUMN contributors TYPE STRUCT("name" VARCHAR, identifier VARCHAR,
    "role" VARCHAR, affiliation VARCHAR, affiliation_id VARCHAR)[];
ALTER TABLE resources ALTER COLUMN publishers TYPE STRUCT("name" VARCHAR, identifier VARCHAR,
    "role" VARCHAR, affiliation VARCHAR, affiliation_id VARCHAR)[];
COMMENT ON COLUMN resources.creators IS
    'Creators/authors in source order: name as given, identifier (ORCID/ROR/ISNI/GND URI when recognised), role, affiliation name and its identifier (ROR URI) when given.';
COMMENT ON COLUMN resources.contributors IS
    'Contributors in source order, same shape as creators (role e.g. Editor, Supervisor, a MARC relator).';
COMMENT ON COLUMN resources.publishers IS
    'Publishers (and data providers, role dataProvider), same shape as creators.';
ALTER TABLE resources ADD COLUMN crosswalk VARCHAR;
ALTER TABLE resources ADD COLUMN education_levels STRUCT("value" VARCHAR, lang VARCHAR)[];
ALTER TABLE resources ADD COLUMN audiences STRUCT("value" VARCHAR, lang VARCHAR)[];
ALTER TABLE resources ADD COLUMN learning_resource_types
    STRUCT(raw VARCHAR, scheme VARCHAR, uri VARCHAR, label VARCHAR)[];
ALTER TABLE resources ADD COLUMN classifications
    STRUCT(raw VARCHAR, scheme VARCHAR, uri VARCHAR, label VARCHAR)[];
ALTER TABLE resources ADD COLUMN typical_age_ranges VARCHAR[];
ALTER TABLE resources ADD COLUMN duration STRUCT(raw VARCHAR, iso VARCHAR);
ALTER TABLE resources ADD COLUMN accessibility STRUCT("name" VARCHAR, "value" VARCHAR)[];
ALTER TABLE resources ADD COLUMN interactivity_type VARCHAR;
ALTER TABLE resources ADD COLUMN interactivity_level VARCHAR;
ALTER TABLE resources ADD COLUMN related
    STRUCT(kind VARCHAR, target VARCHAR, scheme VARCHAR, "normalized" VARCHAR)[];
ALTER TABLE resources ADD COLUMN funders
    STRUCT("name" VARCHAR, identifier VARCHAR, award VARCHAR)[];
ALTER TABLE resources ADD COLUMN landing_page VARCHAR;
ALTER TABLE resources ADD COLUMN downloads STRUCT(url VARCHAR, media_type VARCHAR)[];
ALTER TABLE resources ADD COLUMN thumbnails VARCHAR[];
ALTER TABLE resources ADD COLUMN originals
    STRUCT(field VARCHAR, "index" INTEGER, "value" VARCHAR)[];
UPDATE resources SET education_levels = [], audiences = [], learning_resource_types = [],
    classifications = [], typical_age_ranges = [], accessibility = [], related = [],
    funders = [], downloads = [], thumbnails = [], originals = [];

COMMENT ON COLUMN resources.crosswalk IS
    'Crosswalk module that mapped the record (transforms/crosswalks/<name>.py), e.g. oai_dc, qdc, lom, datacite, mods, marcxml, openaire, jsonld; NULL for deleted records.';
COMMENT ON COLUMN resources.education_levels IS
    'Educational levels / contexts as given (LOM educational.context, LRMI educationalLevel, MODS targetAudience of a level), with language.';
COMMENT ON COLUMN resources.audiences IS
    'Intended audiences / end-user roles as given (LOM intendedEndUserRole, LRMI audience, DCTERMS audience), with language.';
COMMENT ON COLUMN resources.learning_resource_types IS
    'Learning resource types: raw value as given, and the HCRT concept (scheme hcrt, uri https://w3id.org/kim/hcrt/..., English label) when the value maps to one; uri NULL otherwise.';
COMMENT ON COLUMN resources.classifications IS
    'Subject codes with their scheme (DDC, LCC, LOM taxon paths, schema.org about…): raw code or label, scheme, concept uri and label when given.';
COMMENT ON COLUMN resources.typical_age_ranges IS 'Typical age ranges as given, e.g. 6-8, 18-.';
COMMENT ON COLUMN resources.duration IS 'Typical learning time / duration: raw value and ISO 8601 duration (iso NULL when not parseable).';
COMMENT ON COLUMN resources.accessibility IS
    'Accessibility statements as name/value pairs (schema.org accessMode, accessibilityFeature, accessibilityHazard, accessibilitySummary; LOM accessibility).';
COMMENT ON COLUMN resources.interactivity_type IS 'LOM / LRMI interactivity type as given, e.g. active, expositive, mixed.';
COMMENT ON COLUMN resources.interactivity_level IS 'LOM interactivity level as given, e.g. very low ... very high.';
COMMENT ON COLUMN resources.related IS
    'Typed relations to other resources: kind (lowerCamelCase DataCite/DCMI relation type such as isPartOf, hasPart, isVersionOf, hasVersion), target as given, its identifier scheme and normalised form. Untyped dc:relation values stay in relations.';
COMMENT ON COLUMN resources.funders IS 'Funders: name, funder identifier (Crossref Funder ID / ROR URI) and award number, when given.';
COMMENT ON COLUMN resources.landing_page IS 'URL of the page that describes the resource (not the file itself), when the record gives one.';
COMMENT ON COLUMN resources.downloads IS 'URLs of the content itself (files, packages), with media type when known.';
COMMENT ON COLUMN resources.thumbnails IS 'URLs of thumbnail / preview images.';
COMMENT ON COLUMN resources.originals IS
    'Text values as given where text hygiene changed them (HTML stripped, entities decoded, whitespace normalised): model field, position in it, raw value.';

-- ---------------------------------------------------------------- harvest_state
ALTER TABLE harvest_state ADD COLUMN metadata_prefix VARCHAR;
ALTER TABLE harvest_state ADD COLUMN metadata_prefix_reason VARCHAR;
COMMENT ON COLUMN harvest_state.metadata_prefix IS
    'metadataPrefix the last run harvested (configured, or chosen from ListMetadataFormats); a change forces the next run to be full.';
COMMENT ON COLUMN harvest_state.metadata_prefix_reason IS
    'Why that prefix: configured, or chosen by preference from the formats ListMetadataFormats offered (listed in the text).';

-- ---------------------------------------------------------------- crosswalk_coverage
CREATE TABLE crosswalk_coverage (
    run_id          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    metadata_prefix VARCHAR NOT NULL,
    crosswalk       VARCHAR NOT NULL,
    path            VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,
    elements        BIGINT NOT NULL,
    records         BIGINT NOT NULL,
    PRIMARY KEY (run_id, crosswalk, path)
);
COMMENT ON TABLE crosswalk_coverage IS
    'Per run and crosswalk, each input element path seen in the metadata with whether the crosswalk mapped it, dropped it on purpose, or does not know it; counts accumulate per batch. Shows a new source''s mapping gaps.';
COMMENT ON COLUMN crosswalk_coverage.run_id IS 'Run that saw the elements (harvest_runs.run_id).';
COMMENT ON COLUMN crosswalk_coverage.source IS 'Source name.';
COMMENT ON COLUMN crosswalk_coverage.metadata_prefix IS 'metadataPrefix harvested (for web sources: the payload kind, e.g. jsonld).';
COMMENT ON COLUMN crosswalk_coverage.crosswalk IS 'Crosswalk module that read the elements, e.g. mods.';
COMMENT ON COLUMN crosswalk_coverage.path IS
    'Element path below the metadata root by local names, e.g. titleInfo/title; attributes as @name (mapped ones only); JSON-LD keys joined by /.';
COMMENT ON COLUMN crosswalk_coverage.status IS
    'mapped (read into the record model), dropped (known and left out on purpose, kept in the raw payload), unknown (the crosswalk does not know it: a mapping gap).';
COMMENT ON COLUMN crosswalk_coverage.elements IS 'How many times the path occurred.';
COMMENT ON COLUMN crosswalk_coverage.records IS 'In how many records it occurred.';

CREATE VIEW v_crosswalk_coverage AS
WITH ranked AS (
    SELECT c.*, dense_rank() OVER (
        PARTITION BY c.source, c.metadata_prefix, c.crosswalk
        ORDER BY r.started_at DESC, c.run_id DESC) AS _rank
    FROM crosswalk_coverage AS c JOIN harvest_runs AS r ON r.run_id = c.run_id
)
SELECT source, metadata_prefix, crosswalk, path, status, elements, records, run_id
FROM ranked WHERE _rank = 1
ORDER BY source, crosswalk,
    CASE status WHEN 'unknown' THEN 0 WHEN 'dropped' THEN 1 ELSE 2 END, records DESC, path;
COMMENT ON VIEW v_crosswalk_coverage IS
    'Crosswalk coverage of the latest run per source, metadata prefix and crosswalk: unknown paths (mapping gaps) first, then dropped, then mapped, most frequent first.';
COMMENT ON COLUMN v_crosswalk_coverage.source IS 'Source name.';
COMMENT ON COLUMN v_crosswalk_coverage.metadata_prefix IS 'metadataPrefix harvested.';
COMMENT ON COLUMN v_crosswalk_coverage.crosswalk IS 'Crosswalk module.';
COMMENT ON COLUMN v_crosswalk_coverage.path IS 'Element path below the metadata root (local names).';
COMMENT ON COLUMN v_crosswalk_coverage.status IS 'mapped, dropped or unknown.';
COMMENT ON COLUMN v_crosswalk_coverage.elements IS 'Occurrences in the run.';
COMMENT ON COLUMN v_crosswalk_coverage.records IS 'Records containing the path in the run.';
COMMENT ON COLUMN v_crosswalk_coverage.run_id IS 'The run counted.';

-- ---------------------------------------------------------------- issue codes
INSERT INTO issue_codes (code, severity, run_status_effect, meaning) VALUES
    ('format_fallback', 'warning', NULL, 'ListMetadataFormats could not be used to choose a format; the run harvested oai_dc, which every OAI-PMH repository must offer.'),
    ('undeclared_namespace_prefix', 'warning', NULL, 'The response uses a namespace prefix it never declares; the prefix was declared (conventional namespace, or a urn:oer-pipeline:undeclared-prefix: URN) and the page parsed.'),
    ('empty_metadata', 'warning', NULL, 'A live record whose <metadata> holds no element; it lands without metadata (missing_title on the record).'),
    ('unwrapped_metadata', 'warning', NULL, 'A record whose <metadata> holds several elements and no single root (Dublin Core elements straight under <metadata>); they were mapped as if wrapped.'),
    ('format_changed', 'info', NULL, 'The harvested metadataPrefix differs from the previous run''s, so this run is a full harvest.'),
    -- web (sitemap + JSON-LD) harvests: pipelines/web.py
    ('sitemap_error', 'error', 'failed', 'The sitemap, sitemap index or robots.txt the source starts from could not be fetched or is not a sitemap; nothing was crawled.'),
    ('child_sitemap_error', 'error', 'partial', 'A sitemap listed by the sitemap index could not be fetched or is not a sitemap; its pages were not crawled and deletions are not reported.'),
    ('sitemap_malformed', 'warning', NULL, 'A sitemap is not well-formed XML and was read in recovery mode: entries may be missing.'),
    ('page_not_found', 'warning', 'partial', 'A page the sitemap lists answered 404 or 410 (after retries): a stale entry.'),
    ('page_http_error', 'error', 'partial', 'A page the sitemap lists answered another HTTP error status (after retries).'),
    ('page_timeout', 'error', 'partial', 'A page did not answer in time (after retries).'),
    ('page_transport_error', 'error', 'partial', 'No response for a page: DNS, connection or TLS failure (after retries).'),
    ('page_too_large', 'error', 'partial', 'A page exceeded the configured response size limit and was not read.'),
    ('page_robots_disallowed', 'warning', NULL, 'robots.txt disallows a page the sitemap lists; it was not fetched.'),
    ('page_bad_url', 'warning', 'partial', 'A sitemap entry''s loc is not a URL that can be requested; it was not fetched.'),
    ('not_html', 'warning', NULL, 'A page is not HTML (e.g. a PDF or an image): no JSON-LD can be read from it.'),
    ('no_jsonld', 'warning', NULL, 'A page holds no JSON-LD or microdata node that describes a resource; nothing was mapped from it (raw page in raw_body, truncated to 256 KiB).'),
    ('invalid_jsonld', 'error', 'partial', 'An ld+json block is not JSON (or holds no object) and was skipped, raw block kept; the run is partial when the page yields no resource because of it.'),
    ('lenient_jsonld', 'info', NULL, 'An ld+json block is not strict JSON (comments, trailing commas) and was read leniently.'),
    ('empty_jsonld', 'info', NULL, 'An ld+json block is empty.'),
    ('duplicate_jsonld_node', 'info', NULL, 'A page describes the same @id more than once; the nodes were merged into the first.'),
    ('microdata_error', 'warning', NULL, 'The microdata of a page could not be read.'),
    ('unparsable_html', 'error', 'partial', 'A page could not be parsed as HTML.'),
    ('page_unlisted', 'info', NULL, 'A page the warehouse holds resources from is no longer listed by the sitemaps after a complete crawl; reported only, its resources are not marked deleted.'),
    ('crawl_failed', 'error', 'failed', 'The crawl process (Scrapy, run in a child process) failed or was stopped; what it fetched before was loaded.');
