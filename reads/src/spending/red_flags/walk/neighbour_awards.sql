-- The award records the across-process rules need to judge the awards of processes $1: one
-- row per supplier of an award that counts (not cancelled or unsuccessful), has a date and
-- belongs to a process with a buyer — every such record of the same buyer and supplier dated
-- within $2 seconds of one of the chunk's own records (their own included). A record's flag
-- depends only on the records of its buyer and supplier within one window of its date, so
-- these are enough, whatever the number of the buyer's awards.
WITH own AS (
    SELECT DISTINCT p.buyer_id, s.party_id, a.award_date
      FROM procurement_awards a
      JOIN procurement_processes p ON p.ocid = a.ocid
      JOIN procurement_award_suppliers s ON s.ocid = a.ocid AND s.award_id = a.award_id
     WHERE a.ocid = ANY($1)
       AND p.buyer_id IS NOT NULL
       AND a.award_date IS NOT NULL
       AND (a.status IS NULL OR a.status NOT IN ('cancelled', 'unsuccessful'))
)
SELECT DISTINCT a.ocid, a.award_id, p.buyer_id, s.party_id AS supplier_id,
       pt.name AS supplier, a.award_date, a.value, a.currency,
       p.procurement_method, p.main_procurement_category
  FROM own o
  JOIN procurement_processes p ON p.buyer_id = o.buyer_id
  JOIN procurement_awards a ON a.ocid = p.ocid
  JOIN procurement_award_suppliers s
    ON s.ocid = a.ocid AND s.award_id = a.award_id AND s.party_id = o.party_id
  JOIN parties pt ON pt.id = s.party_id
 WHERE a.award_date BETWEEN o.award_date - $2 * interval '1 second'
                        AND o.award_date + $2 * interval '1 second'
   AND (a.status IS NULL OR a.status NOT IN ('cancelled', 'unsuccessful'))
