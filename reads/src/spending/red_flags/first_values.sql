-- The first value each award and contract of a process had: the earliest stored release (by
-- release date) that gives it a value.amount, each release taken in its latest import. Records
-- (compiled releases) are not history and are left out. $1: ocids (NULL: any).
WITH latest AS (
    SELECT DISTINCT ON (r.ocid, r.release_id) r.ocid, r.release_id, r.release_date, r.data, r.id
      FROM ocds_releases r
     WHERE r.kind = 'release'
       AND ($1::text[] IS NULL OR r.ocid = ANY($1))
     ORDER BY r.ocid, r.release_id, r.batch_id DESC, r.line DESC
),
valued AS (
    SELECT l.ocid, 'award'::text AS scope, o->>'id' AS object_id,
           o->'value'->>'amount' AS amount, o->'value'->>'currency' AS currency,
           l.release_id, l.release_date, l.id
      FROM latest l,
           jsonb_array_elements(CASE jsonb_typeof(l.data->'awards')
                                WHEN 'array' THEN l.data->'awards' ELSE '[]'::jsonb END) o
    UNION ALL
    SELECT l.ocid, 'contract', o->>'id', o->'value'->>'amount', o->'value'->>'currency',
           l.release_id, l.release_date, l.id
      FROM latest l,
           jsonb_array_elements(CASE jsonb_typeof(l.data->'contracts')
                                WHEN 'array' THEN l.data->'contracts' ELSE '[]'::jsonb END) o
)
SELECT DISTINCT ON (ocid, scope, object_id)
       ocid, scope, object_id, amount::numeric AS amount, currency, release_id
  FROM valued
 WHERE amount IS NOT NULL AND object_id IS NOT NULL
 ORDER BY ocid, scope, object_id, release_date, id
