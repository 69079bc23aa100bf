-- Normalised licences and languages (transforms/normalise.py, MODEL_VERSION 3).
--
-- Adds the columns the normalisation stage derives from the mapped ones. They are left out
-- of content_hash and of resource_history.changed_fields: they change with the normaliser,
-- not with the source. Existing rows read NULL (open_for_adaptation 'unknown') until
-- `oer renormalise` or their next harvest fills them; normaliser_version says which did.

ALTER TABLE resources ADD COLUMN language_tags VARCHAR[];
ALTER TABLE resources ADD COLUMN language_source VARCHAR;
ALTER TABLE resources ADD COLUMN text_languages
    STRUCT(field VARCHAR, "index" INTEGER, lang VARCHAR, "method" VARCHAR, confidence DOUBLE)[];
ALTER TABLE resources ADD COLUMN licence_uri VARCHAR;
ALTER TABLE resources ADD COLUMN licence_spdx VARCHAR;
ALTER TABLE resources ADD COLUMN licence_family VARCHAR;
ALTER TABLE resources ADD COLUMN licence_version VARCHAR;
ALTER TABLE resources ADD COLUMN licence_port VARCHAR;
ALTER TABLE resources ADD COLUMN licence_allows_adaptation BOOLEAN;
ALTER TABLE resources ADD COLUMN licence_allows_commercial BOOLEAN;
ALTER TABLE resources ADD COLUMN licence_share_alike BOOLEAN;
ALTER TABLE resources ADD COLUMN open_for_adaptation VARCHAR DEFAULT 'unknown';
ALTER TABLE resources ADD COLUMN licence_rule VARCHAR;
ALTER TABLE resources ADD COLUMN licence_raw VARCHAR;
ALTER TABLE resources ADD COLUMN access_rights_uri VARCHAR;
ALTER TABLE resources ADD COLUMN normaliser_version VARCHAR;
UPDATE resources SET language_tags = [], text_languages = [], open_for_adaptation = 'unknown';

COMMENT ON COLUMN resources.language_tags IS
    'The resource''s languages as BCP 47 tags (shortest form: en, pt-BR, zh-Hant), from language_source; empty when none is declared and the text is too short (< 20 letters) to detect.';
COMMENT ON COLUMN resources.language_source IS
    'Where language_tags come from: declared (the record''s language values), xml:lang (its titles/descriptions), repository-default (the source''s defaults.language), detected (transforms/detection.py); NULL when there is none.';
COMMENT ON COLUMN resources.text_languages IS
    'Language of individual titles/descriptions (field, index in it, BCP 47 lang): from their xml:lang (method xml:lang, confidence NULL) or detected (method = detector, its confidence 0..1). Detection runs only on records without a usable declared language, on the first title and description.';
COMMENT ON COLUMN resources.licence_uri IS
    'Canonical licence URI: https://creativecommons.org/licenses/<elements>/<version>/[<port>/] (a versionless family URI when the source names no version), CC0 / Public Domain Mark, http://rightsstatements.org/vocab/<ID>/1.0/, or an SPDX licence URI; NULL when no rights value names one (vocabularies/licences.ttl).';
COMMENT ON COLUMN resources.licence_spdx IS 'SPDX licence id of licence_uri (e.g. CC-BY-SA-4.0, MIT) where SPDX has one.';
COMMENT ON COLUMN resources.licence_family IS 'Licence family: CC element code (by, by-sa, by-nc-nd…), cc0, pdm, a rights statement ID (InC, NoC-US…) or the SPDX id of other licences.';
COMMENT ON COLUMN resources.licence_version IS 'Licence version, e.g. 4.0; NULL for a versionless family URI and for rights statements.';
COMMENT ON COLUMN resources.licence_port IS 'Jurisdiction port of a CC licence (de, es, igo…); NULL for unported licences.';
COMMENT ON COLUMN resources.licence_allows_adaptation IS 'The licence permits derivative works (CC: not ND); NULL when unknown.';
COMMENT ON COLUMN resources.licence_allows_commercial IS 'The licence permits commercial use (CC: not NC); NULL when unknown.';
COMMENT ON COLUMN resources.licence_share_alike IS 'The licence requires adaptations to be shared under the same licence (SA).';
COMMENT ON COLUMN resources.open_for_adaptation IS
    'Open per the 2019 UNESCO OER Recommendation (no-cost access, re-use, re-purpose, adaptation, redistribution): yes (public domain, CC0, CC BY/BY-SA/BY-NC/BY-NC-SA, open non-CC licences; NC: yes with licence_allows_commercial false), no (ND, in copyright), unknown (no or unrecognised licence).';
COMMENT ON COLUMN resources.licence_rule IS
    'Normaliser rule that decided the licence: uri, deed-uri, spdx, label, cc-shorthand, rightsstatement, public-domain, copyright-line (transforms/licences.py).';
COMMENT ON COLUMN resources.licence_raw IS 'The rights value (as given) the licence was read from.';
COMMENT ON COLUMN resources.access_rights_uri IS
    'COAR access right (http://purl.org/coar/access_right/c_abf2 open, c_f1cf embargoed, c_16ec restricted, c_14cb metadata only) read from info:eu-repo or COAR values; kept apart from the licence.';
COMMENT ON COLUMN resources.normaliser_version IS 'transforms.normalise.NORMALISER_VERSION that filled the normalised columns; NULL until normalised.';

-- ---------------------------------------------------------------- issue codes
INSERT INTO issue_codes (code, severity, run_status_effect, meaning) VALUES
    ('unrecognised_licence', 'warning', NULL, 'A rights value is neither a licence, a rights statement nor an access right we recognise (info when another value of the record gave its licence); the raw value is kept in rights.'),
    ('conflicting_licences', 'warning', NULL, 'The rights values of a record name different licences; the one of highest precedence is kept in licence_uri (transforms/licences.py).'),
    ('unparsable_language', 'warning', NULL, 'A language value (dc:language, xml:lang…) is not a language code, name or list we understand; the raw value is kept.'),
    ('language_mismatch', 'warning', NULL, 'The source''s default language, applied or stamped on the record, is contradicted by the text (detected with confidence >= 0.8 in another language); the detected language is used.');

-- Record issue codes of the crosswalks (resources.issues) the taxonomy did not list yet.
INSERT OR IGNORE INTO issue_codes (code, severity, run_status_effect, meaning) VALUES
    ('html_stripped', 'info', NULL, 'HTML markup was removed from a text value; the raw value is in originals.'),
    ('entities_decoded', 'info', NULL, 'Escaped HTML entities in a text value were decoded; the raw value is in originals.'),
    ('mojibake', 'warning', NULL, 'A text value looks mis-decoded (mojibake, e.g. "Ã©" for "é"); kept as given, not repaired.'),
    ('nonstandard_namespace', 'info', NULL, 'Metadata or elements in a namespace the crosswalk does not expect were mapped by their element names.'),
    ('missing_metadata', 'warning', NULL, 'A live record came without metadata.'),
    ('missing_payload', 'error', NULL, 'An oai_datacite wrapper holds no <payload><resource>; nothing mapped, raw payload kept.'),
    ('unparsable_duration', 'warning', NULL, 'A duration is not an ISO 8601 duration; the raw value is kept.'),
    ('lomes_missing_category', 'info', NULL, 'A LOM-ES record lacks categories LOM-ES makes mandatory.'),
    ('bad_leader', 'warning', NULL, 'A MARC leader is not 24 characters and could not be repaired; the type of record was not read.'),
    ('leader_repaired', 'info', NULL, 'A MARC leader of the wrong length was read right-aligned.'),
    ('multiple_records', 'warning', NULL, 'A MARC metadata element holds several records; the first was mapped.'),
    ('not_marc', 'error', NULL, 'A MARC metadata element has no leader, controlfield or datafield: nothing mapped.'),
    ('unsupported_marc_flavour', 'error', NULL, 'A MARC record in a flavour we do not map (e.g. UNIMARC); nothing mapped.'),
    ('not_an_object', 'error', NULL, 'A JSON-LD item is not an object; nothing mapped.'),
    ('main_entity_mapped', 'info', NULL, 'A JSON-LD page node wraps its mainEntity; the entity was mapped.'),
    ('unresolved_reference', 'warning', NULL, 'A JSON-LD node references nodes not in the input; their names are unknown.');
