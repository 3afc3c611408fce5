-- The listing's processes in its order (last release date, newest first, then ocid in byte
-- order, as Rust sorts strings), a chunk at a time: after the key ($4, $5) when given, else
-- from the $7-th. $1 buyer id, $2 procurement method, $3 year (UTC) of the last release: each
-- NULL for any. $6 how many.
SELECT ocid, last_release_date
  FROM procurement_processes
 WHERE ($1::bigint IS NULL OR buyer_id = $1)
   AND ($2::text IS NULL OR procurement_method = $2)
   AND ($3::integer IS NULL
        OR (last_release_date >= make_timestamptz($3, 1, 1, 0, 0, 0, 'UTC')
            AND last_release_date < make_timestamptz($3 + 1, 1, 1, 0, 0, 0, 'UTC')))
   AND ($4::timestamptz IS NULL
        OR last_release_date < $4
        OR (last_release_date = $4 AND ocid COLLATE "C" > $5::text COLLATE "C"))
 ORDER BY last_release_date DESC, ocid COLLATE "C"
 LIMIT $6 OFFSET $7
