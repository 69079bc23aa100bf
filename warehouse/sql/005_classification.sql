-- Classification: SDG and action-area labels, human label decisions, the labels in force.
--
-- The classifier (transforms/classify.py, run by pipelines/classification.py after every
-- harvest run and by `oer reclassify`) writes resource_labels and resource_classification;
-- people write label_decisions (`oer labels set|remove|clear`), which always win over the
-- classifier and are never deleted by a loader: they survive re-classification and
-- re-harvest. The views resource_sdg, resource_action_area and label_explanations show the
-- labels in force: the classifier's, minus the ones a decision removed, plus the ones a
-- decision added, each with a sentence saying why it is there.
-- Timestamps of this layer are TIMESTAMP in UTC (timezone('UTC', now())).
-- No CHECK constraints on the kind/decision vocabularies (later migrations may extend
-- them): the loaders of warehouse/labels.py check them.

-- ---------------------------------------------------------------- vocabularies
CREATE TABLE sdg_goals (
    goal  INTEGER PRIMARY KEY,
    name  VARCHAR NOT NULL,
    title VARCHAR NOT NULL
);
COMMENT ON TABLE sdg_goals IS
    'The 17 Sustainable Development Goals, named in English (vocabularies/sdg.ttl, http://metadata.un.org/sdg/<goal>); refreshed by the pipeline whenever classification runs.';
COMMENT ON COLUMN sdg_goals.goal IS 'Goal number, 1 to 17 (resource_labels.goal, resource_sdg.goal).';
COMMENT ON COLUMN sdg_goals.name IS 'English short name of the goal, e.g. Quality education.';
COMMENT ON COLUMN sdg_goals.title IS 'English full title of the goal, e.g. Ensure inclusive and equitable quality education and promote lifelong learning opportunities for all.';

CREATE TABLE action_areas (
    area       VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    definition VARCHAR
);
COMMENT ON TABLE action_areas IS
    'The five areas of action of the 2019 UNESCO Recommendation on OER (vocabularies/action-areas.ttl), named in English; refreshed by the pipeline whenever classification runs.';
COMMENT ON COLUMN action_areas.area IS 'Slug of the area, e.g. capacity-building (resource_labels.label of kind action_area, resource_action_area.area).';
COMMENT ON COLUMN action_areas.name IS 'English prefLabel of the area, e.g. Developing supportive policy.';
COMMENT ON COLUMN action_areas.definition IS 'English definition of the area (skos:definition); NULL when the vocabulary gives none.';

-- ---------------------------------------------------------------- the classifier's output
CREATE TABLE resource_labels (
    record_id     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    goal          INTEGER,
    score         DOUBLE NOT NULL,
    targets       VARCHAR[] NOT NULL,
    evidence      VARCHAR[] NOT NULL,
    method        VARCHAR NOT NULL,
    classified_at TIMESTAMP NOT NULL,
    PRIMARY KEY (record_id, kind, label)
);
COMMENT ON TABLE resource_labels IS
    'Labels the classifier gave a resource, one row per (record_id, kind, label), as of its latest classification; replaced whole when the record is classified again, removed when the resource is deleted. Human decisions are in label_decisions; the labels in force are in resource_sdg / resource_action_area.';
COMMENT ON COLUMN resource_labels.record_id IS 'Resource labelled (resources.record_id).';
COMMENT ON COLUMN resource_labels.kind IS 'What the label is: sdg (a Sustainable Development Goal) or action_area (an area of action of the 2019 OER Recommendation).';
COMMENT ON COLUMN resource_labels.label IS 'The label as text: the goal number for kind sdg (''4''), the area slug for kind action_area (''capacity-building'').';
COMMENT ON COLUMN resource_labels.goal IS 'Goal number 1–17 for kind sdg (sdg_goals.goal); NULL for action areas.';
COMMENT ON COLUMN resource_labels.score IS 'Classifier confidence, 0..1 (its meaning depends on method).';
COMMENT ON COLUMN resource_labels.targets IS 'SDG targets (e.g. 4.7, 3.b) whose own evidence was found; empty when none, and for action areas.';
COMMENT ON COLUMN resource_labels.evidence IS 'What decided the label, readable: the phrases found in the record''s title, descriptions and keywords, then (usually) the sentence of the first one.';
COMMENT ON COLUMN resource_labels.method IS 'Classifier method and version that gave the label (transforms.classify.METHOD), e.g. evidence-phrases-1.';
COMMENT ON COLUMN resource_labels.classified_at IS 'When the record was classified (UTC).';

CREATE TABLE resource_classification (
    record_id         VARCHAR PRIMARY KEY,
    content_hash      VARCHAR NOT NULL,
    method            VARCHAR NOT NULL,
    classified_at     TIMESTAMP NOT NULL,
    sdg_count         INTEGER NOT NULL,
    action_area_count INTEGER NOT NULL
);
COMMENT ON TABLE resource_classification IS
    'One row per classified resource, records the classifier gave no label included: which state of the record (content_hash) and which method it was classified with. A record is classified again when its content_hash or the method changes; deleted resources have no row.';
COMMENT ON COLUMN resource_classification.record_id IS 'Resource classified (resources.record_id).';
COMMENT ON COLUMN resource_classification.content_hash IS 'resources.content_hash of the state the labels were computed from; another value in resources means the record changed since.';
COMMENT ON COLUMN resource_classification.method IS 'Classifier method and version used (transforms.classify.METHOD).';
COMMENT ON COLUMN resource_classification.classified_at IS 'When the record was classified (UTC).';
COMMENT ON COLUMN resource_classification.sdg_count IS 'Number of SDG labels the classifier gave (rows of kind sdg in resource_labels), 0 included.';
COMMENT ON COLUMN resource_classification.action_area_count IS 'Number of action-area labels the classifier gave (rows of kind action_area in resource_labels), 0 included.';

-- ---------------------------------------------------------------- human decisions
CREATE SEQUENCE label_decision_ids START 1;
COMMENT ON SEQUENCE label_decision_ids IS 'Numbers label_decisions.decision_id, in the order decisions are made.';

CREATE TABLE label_decisions (
    decision_id BIGINT PRIMARY KEY DEFAULT nextval('label_decision_ids'),
    record_id   VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    decision    VARCHAR NOT NULL,
    decided_by  VARCHAR NOT NULL CHECK (trim(decided_by) <> ''),
    reason      VARCHAR NOT NULL CHECK (trim(reason) <> ''),
    decided_at  TIMESTAMP NOT NULL DEFAULT timezone('UTC', now())
);
COMMENT ON TABLE label_decisions IS
    'Human decisions on a resource''s labels, append-only (oer labels set|remove|clear). The latest decision (highest decision_id) per (record_id, kind, label) is the one in force (label_decisions_in_force): it always wins over the classifier. Never deleted by loaders: decisions survive re-classification, re-harvest and deletion of the resource.';
COMMENT ON COLUMN label_decisions.decision_id IS 'Decision number (sequence label_decision_ids); a higher number is a later decision.';
COMMENT ON COLUMN label_decisions.record_id IS 'Resource decided on (resources.record_id).';
COMMENT ON COLUMN label_decisions.kind IS 'sdg or action_area, as resource_labels.kind.';
COMMENT ON COLUMN label_decisions.label IS 'Goal number as text (''4'') or action-area slug, as resource_labels.label.';
COMMENT ON COLUMN label_decisions.decision IS 'add (the label applies, whatever the classifier says), remove (it does not apply, whatever the classifier says) or clear (withdraw the earlier decisions: back to the classifier).';
COMMENT ON COLUMN label_decisions.decided_by IS 'Who decided (a name or login), never empty.';
COMMENT ON COLUMN label_decisions.reason IS 'Why, in the decider''s words, never empty.';
COMMENT ON COLUMN label_decisions.decided_at IS 'When the decision was recorded (UTC).';

CREATE VIEW label_decisions_in_force AS
SELECT decision_id, record_id, kind, label, decision, decided_by, reason, decided_at
FROM (
    SELECT *
    FROM label_decisions
    QUALIFY row_number() OVER (PARTITION BY record_id, kind, label ORDER BY decision_id DESC) = 1
)
WHERE decision IN ('add', 'remove');
COMMENT ON VIEW label_decisions_in_force IS
    'The decision in force per (record_id, kind, label): the latest one, when it is add or remove (a latest clear leaves the label to the classifier).';
COMMENT ON COLUMN label_decisions_in_force.decision_id IS 'label_decisions.decision_id of the decision in force.';
COMMENT ON COLUMN label_decisions_in_force.record_id IS 'Resource decided on.';
COMMENT ON COLUMN label_decisions_in_force.kind IS 'sdg or action_area.';
COMMENT ON COLUMN label_decisions_in_force.label IS 'Goal number as text or action-area slug.';
COMMENT ON COLUMN label_decisions_in_force.decision IS 'add or remove.';
COMMENT ON COLUMN label_decisions_in_force.decided_by IS 'Who decided.';
COMMENT ON COLUMN label_decisions_in_force.reason IS 'Why.';
COMMENT ON COLUMN label_decisions_in_force.decided_at IS 'When (UTC).';

-- ---------------------------------------------------------------- the labels in force
CREATE VIEW labels_in_force AS
WITH decided AS (FROM label_decisions_in_force),
labels AS (
    -- the classifier's labels no decision is in force for
    SELECT l.record_id, l.kind, l.label, l.goal, l.score, l.targets, l.evidence,
           'classifier' AS origin, l.method,
           NULL::VARCHAR AS decided_by, NULL::VARCHAR AS reason, NULL::TIMESTAMP AS decided_at
    FROM resource_labels l
    ANTI JOIN decided d ON d.record_id = l.record_id AND d.kind = l.kind AND d.label = l.label
    UNION ALL
    -- labels people added, with the classifier's score and evidence when it found them too
    SELECT d.record_id, d.kind, d.label,
           CASE WHEN d.kind = 'sdg' THEN TRY_CAST(d.label AS INTEGER) END,
           l.score, coalesce(l.targets, []::VARCHAR[]), coalesce(l.evidence, []::VARCHAR[]),
           'human', l.method, d.decided_by, d.reason, d.decided_at
    FROM decided d
    LEFT JOIN resource_labels l
        ON l.record_id = d.record_id AND l.kind = d.kind AND l.label = d.label
    WHERE d.decision = 'add'
)
SELECT labels.record_id, r.source, labels.* EXCLUDE (record_id)
FROM labels
JOIN resources r ON r.record_id = labels.record_id AND NOT r.deleted;
COMMENT ON VIEW labels_in_force IS
    'Every label in force on a live (not deleted) resource, SDGs and action areas together: classifier labels not removed by a decision in force, plus labels added by a decision in force (origin human). Basis of resource_sdg, resource_action_area and label_explanations.';
COMMENT ON COLUMN labels_in_force.record_id IS 'Resource labelled (resources.record_id).';
COMMENT ON COLUMN labels_in_force.source IS 'Source of the resource (resources.source).';
COMMENT ON COLUMN labels_in_force.kind IS 'sdg or action_area.';
COMMENT ON COLUMN labels_in_force.label IS 'Goal number as text (''4'') or action-area slug.';
COMMENT ON COLUMN labels_in_force.goal IS 'Goal number for kind sdg; NULL for action areas.';
COMMENT ON COLUMN labels_in_force.score IS 'Classifier score; NULL for a label people added that the classifier did not find.';
COMMENT ON COLUMN labels_in_force.targets IS 'SDG targets the classifier found evidence for; empty when none.';
COMMENT ON COLUMN labels_in_force.evidence IS 'Classifier evidence (phrases, then the sentence of the first); empty for a label only people gave.';
COMMENT ON COLUMN labels_in_force.origin IS 'classifier (the classifier gave it, no decision in force) or human (a decision in force added it).';
COMMENT ON COLUMN labels_in_force.method IS 'Classifier method of the label; NULL for a label only people gave.';
COMMENT ON COLUMN labels_in_force.decided_by IS 'Who added the label (origin human); NULL for classifier labels.';
COMMENT ON COLUMN labels_in_force.reason IS 'Why they added it (origin human); NULL for classifier labels.';
COMMENT ON COLUMN labels_in_force.decided_at IS 'When they added it (UTC, origin human); NULL for classifier labels.';

CREATE VIEW resource_sdg AS
SELECT record_id, goal, score, targets, evidence, origin, method, decided_by, reason, decided_at
FROM labels_in_force
WHERE kind = 'sdg';
COMMENT ON VIEW resource_sdg IS
    'SDG labels in force, one row per (record_id, goal): the classifier''s unless a human decision removed them, and the ones people added (origin human). Why each is there: label_explanations.';
COMMENT ON COLUMN resource_sdg.record_id IS 'Resource labelled (resources.record_id); live resources only.';
COMMENT ON COLUMN resource_sdg.goal IS 'SDG goal number, 1–17 (sdg_goals.goal).';
COMMENT ON COLUMN resource_sdg.score IS 'Classifier score 0..1; NULL for a goal people added that the classifier did not find.';
COMMENT ON COLUMN resource_sdg.targets IS 'SDG targets (e.g. 4.7) the classifier found evidence for; empty when none.';
COMMENT ON COLUMN resource_sdg.evidence IS 'Classifier evidence: the phrases found, then the sentence of the first; empty for a goal only people gave.';
COMMENT ON COLUMN resource_sdg.origin IS 'classifier or human (added by a decision in force; the classifier''s score and evidence are kept when it found the goal too).';
COMMENT ON COLUMN resource_sdg.method IS 'Classifier method of the label; NULL for a goal only people gave.';
COMMENT ON COLUMN resource_sdg.decided_by IS 'Who added the goal (origin human); NULL otherwise.';
COMMENT ON COLUMN resource_sdg.reason IS 'Why they added it (origin human); NULL otherwise.';
COMMENT ON COLUMN resource_sdg.decided_at IS 'When they added it (UTC, origin human); NULL otherwise.';

CREATE VIEW resource_action_area AS
SELECT record_id, label AS area, score, targets, evidence, origin, method, decided_by, reason,
       decided_at
FROM labels_in_force
WHERE kind = 'action_area';
COMMENT ON VIEW resource_action_area IS
    'Action-area labels in force, one row per (record_id, area): the classifier''s unless a human decision removed them, and the ones people added (origin human). Why each is there: label_explanations.';
COMMENT ON COLUMN resource_action_area.record_id IS 'Resource labelled (resources.record_id); live resources only.';
COMMENT ON COLUMN resource_action_area.area IS 'Action-area slug (action_areas.area), e.g. capacity-building.';
COMMENT ON COLUMN resource_action_area.score IS 'Classifier score 0..1; NULL for an area people added that the classifier did not find.';
COMMENT ON COLUMN resource_action_area.targets IS 'Always empty for action areas (kept so the view has the shape of resource_sdg).';
COMMENT ON COLUMN resource_action_area.evidence IS 'Classifier evidence: the keywords found, then the sentence of the first; empty for an area only people gave.';
COMMENT ON COLUMN resource_action_area.origin IS 'classifier or human (added by a decision in force; the classifier''s score and evidence are kept when it found the area too).';
COMMENT ON COLUMN resource_action_area.method IS 'Classifier method of the label; NULL for an area only people gave.';
COMMENT ON COLUMN resource_action_area.decided_by IS 'Who added the area (origin human); NULL otherwise.';
COMMENT ON COLUMN resource_action_area.reason IS 'Why they added it (origin human); NULL otherwise.';
COMMENT ON COLUMN resource_action_area.decided_at IS 'When they added it (UTC, origin human); NULL otherwise.';

-- One sentence per label in force. The classifier's evidence is its phrases and, last, the
-- sentence of the first phrase when it found one: the last item is taken for that sentence
-- when it holds one of the phrases before it, and shown as context ("in: …") unless it is
-- no more than one of them.
CREATE VIEW label_explanations AS
WITH named AS (
    SELECT f.*,
           CASE WHEN f.kind = 'sdg' THEN concat_ws(' ', 'SDG ' || f.label, g.name)
                WHEN a.name IS NULL THEN 'Action area ' || f.label
                ELSE 'Action area “' || a.name || '” (' || f.label || ')' END AS named_label,
           coalesce(g.name, a.name) AS label_name,
           len(f.evidence) > 1
               AND len(list_filter(list_slice(f.evidence, 1, len(f.evidence) - 1),
                                   lambda p: strpos(lower(f.evidence[-1]), lower(p)) > 0)) > 0
               AS has_context
    FROM labels_in_force f
    LEFT JOIN sdg_goals g ON f.kind = 'sdg' AND g.goal = f.goal
    LEFT JOIN action_areas a ON f.kind = 'action_area' AND a.area = f.label
),
parts AS (
    SELECT *,
           CASE WHEN has_context THEN list_slice(evidence, 1, len(evidence) - 1) ELSE evidence END
               AS phrases,
           -- the sentence is shown unless it is just one of the phrases
           CASE WHEN has_context AND NOT list_contains(
                    list_transform(list_slice(evidence, 1, len(evidence) - 1), lambda p: lower(p)),
                    lower(evidence[-1]))
                THEN evidence[-1] END AS context
    FROM named
),
found AS (
    SELECT *,
           'score ' || printf('%.2f', score)
           || CASE WHEN len(targets) > 0 THEN ', targets ' || array_to_string(targets, ', ')
                   ELSE '' END
           || CASE WHEN len(phrases) = 0 THEN ' (no evidence recorded)'
                   ELSE ': ' || array_to_string(list_transform(list_slice(phrases, 1, 10),
                                    lambda p: '“' || p || '”'), ', ')
                        || CASE WHEN len(phrases) > 10 THEN ', …' ELSE '' END
              END
           || CASE WHEN context IS NULL THEN ''
                   WHEN length(context) > 200 THEN '; in: “' || left(context, 199) || '…”'
                   ELSE '; in: “' || context || '”' END
               AS classifier_text
    FROM parts
)
SELECT record_id, kind, label, label_name, origin,
       named_label || ' — '
       || CASE origin
              WHEN 'human' THEN 'added by ' || decided_by || ' on '
                   || strftime(decided_at, '%Y-%m-%d') || ': ' || reason
                   || CASE WHEN score IS NULL THEN ''
                           ELSE '; the classifier found it too (' || method || ', '
                                || classifier_text || ')' END
              ELSE 'classifier ' || method || ', ' || classifier_text
          END AS explanation
FROM found;
COMMENT ON VIEW label_explanations IS
    'Why each label in force is there, one readable sentence per (record_id, kind, label) of labels_in_force: the classifier''s method, score, targets and evidence phrases with the sentence they were found in, or who added the label, when and why.';
COMMENT ON COLUMN label_explanations.record_id IS 'Resource labelled (resources.record_id).';
COMMENT ON COLUMN label_explanations.kind IS 'sdg or action_area.';
COMMENT ON COLUMN label_explanations.label IS 'Goal number as text or action-area slug.';
COMMENT ON COLUMN label_explanations.label_name IS 'English name of the goal (sdg_goals.name) or area (action_areas.name); NULL until the vocabulary tables are filled.';
COMMENT ON COLUMN label_explanations.origin IS 'classifier or human, as in labels_in_force.';
COMMENT ON COLUMN label_explanations.explanation IS
    'One sentence, e.g. "SDG 3 Good health and well-being — classifier evidence-phrases-1, score 0.75: “malaria”, “tuberculosis”; in: “Malaria and tuberculosis in …”" or "SDG 4 Quality education — added by alice on 2026-12-01: <reason>".';

-- ---------------------------------------------------------------- issue codes
INSERT INTO issue_codes (code, severity, run_status_effect, meaning) VALUES
    ('classification_failed', 'error', NULL, 'Classifying the run''s new and changed records failed (the message says why); the records are loaded, their labels are not: oer reclassify, or the next run of the source, classifies them.');
