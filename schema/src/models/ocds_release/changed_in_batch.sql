-- Rows of lines $2..$3 of batch $1 whose identity (kind, ocid, release id) first appears at an
-- earlier line of the same batch with other content (jsonb equality ignores key order).
SELECT later.line, first.line AS first_line, later.kind, later.ocid, later.release_id
FROM ocds_releases later
CROSS JOIN LATERAL (
    SELECT e.line, e.data
    FROM ocds_releases e
    WHERE e.ocid = later.ocid
      AND e.kind = later.kind
      AND e.release_id = later.release_id
      AND e.batch_id = later.batch_id
    ORDER BY e.line
    LIMIT 1
) first
WHERE later.batch_id = $1
  AND later.line BETWEEN $2 AND $3
  AND first.line < later.line
  AND first.data <> later.data
ORDER BY later.line
