-- The custody chain of one consignment ($1): the consignments it came from, walking
-- previous_consignment_id backwards (depth -1, -2, ...), itself (depth 0), and every
-- consignment that moved it on, walking forwards (depth 1, 2, ...; a consignment split into
-- several onward movements gives several steps of one depth). The importers only accept a
-- previous consignment that exists already, so the links cannot loop; CYCLE stops a walk
-- anyway should rows written some other way ever make one.
WITH RECURSIVE upstream (id, consignment_id, previous_consignment_id, depth) AS (
        SELECT id, consignment_id, previous_consignment_id, 0
        FROM waste_transfers
        WHERE consignment_id = $1
    UNION ALL
        SELECT t.id, t.consignment_id, t.previous_consignment_id, u.depth - 1
        FROM waste_transfers t
        JOIN upstream u ON t.consignment_id = u.previous_consignment_id
) CYCLE consignment_id SET looped USING visited,
downstream (id, consignment_id, depth) AS (
        SELECT id, consignment_id, 0
        FROM waste_transfers
        WHERE consignment_id = $1
    UNION ALL
        SELECT t.id, t.consignment_id, d.depth + 1
        FROM waste_transfers t
        JOIN downstream d ON t.previous_consignment_id = d.consignment_id
) CYCLE consignment_id SET looped USING visited
SELECT id, depth FROM upstream WHERE NOT looped AND depth < 0
UNION ALL
SELECT id, depth FROM downstream WHERE NOT looped
