-- Search, Postgres backend (docs/search.md). $1: the text; $2: results per kind; $3: area or '';
-- $4: the text as a prefix query (`'rivers':* & 'cem':*`, built by search.rs); $5: kind or ''.
-- Run after `SET LOCAL pg_trgm.word_similarity_threshold` (search.rs). Each kind is its own
-- indexed query; a name matches by
--   words typed so far: every word is the start of a word of the name (full-text GIN, prefix);
--   spelling: trigram word similarity (`<%`, GIN) — transpositions, a missing or extra letter;
--   sound: every word sounds like a word of the name (Double Metaphone codes, GIN) — Farma/Pharma;
--   identifiers: a code, GTIN, GLN or ocid equal to the text.
-- Ranked by the best of: identifier 1.0, name starting with the text 0.95, every word a prefix
-- 0.9, trigram word similarity, sound 0.6. `total`: how many of that kind match in all.
WITH q AS (
  SELECT $1::text AS text, lower($1::text) AS lowered,
         '%' || replace(replace(replace(lower($1::text), '\', '\\'), '%', '\%'), '_', '\_') || '%' AS inside,
         to_tsquery('simple', $4::text) AS prefixes,
         search_sounds($1::text) AS sounds)
SELECT kind, area, title, subtitle, href_prefix, key, score, total FROM (
  (SELECT 'lot'::text AS kind, 'materials'::text AS area, l.code AS title,
          p.name || coalesce(' · GTIN ' || p.gtin, '') AS subtitle, '/lots/'::text AS href_prefix, l.code AS key,
          greatest(similarity(lower(l.code), q.lowered),
                   CASE WHEN lower(l.code) = q.lowered THEN 1.0 WHEN lower(l.code) LIKE q.lowered || '%' THEN 0.95 ELSE 0 END)::float8 AS score,
          count(*) OVER () AS total
     FROM q, lots l JOIN products p ON p.id = l.product_id
    WHERE lower(l.code) LIKE q.inside OR lower(l.code) % q.lowered
    ORDER BY score DESC, l.code LIMIT $2)
  UNION ALL
  (SELECT 'product', 'materials', p.name, coalesce('GTIN ' || p.gtin, p.code) || coalesce(' · ' || p.material_class, ''),
          '/products/', p.code,
          greatest(CASE WHEN p.gtin = q.text OR p.code = q.text THEN 1.0
                        WHEN lower(p.name) LIKE q.lowered || '%' THEN 0.95
                        WHEN to_tsvector('simple', p.name) @@ q.prefixes THEN 0.9
                        WHEN cardinality(q.sounds) > 0 AND search_sounds(p.name) @> q.sounds THEN 0.6
                        ELSE 0 END,
                   word_similarity(q.lowered, lower(p.name)))::float8,
          count(*) OVER ()
     FROM q, products p
    WHERE to_tsvector('simple', p.name) @@ q.prefixes OR q.lowered <% lower(p.name) OR lower(p.name) LIKE q.inside
       OR (cardinality(q.sounds) > 0 AND search_sounds(p.name) @> q.sounds)
       OR p.gtin = q.text OR p.code = q.text
    ORDER BY 7 DESC, p.name LIMIT $2)
  UNION ALL
  (SELECT 'party', 'spending', p.name, p.kind || ' · ' || p.code || coalesce(' · GLN ' || p.gln, ''), '/parties/', p.code,
          greatest(CASE WHEN p.code = q.text OR p.gln = q.text THEN 1.0
                        WHEN lower(p.name) LIKE q.lowered || '%' THEN 0.95
                        WHEN to_tsvector('simple', p.name) @@ q.prefixes THEN 0.9
                        WHEN cardinality(q.sounds) > 0 AND search_sounds(p.name) @> q.sounds THEN 0.6
                        ELSE 0 END,
                   word_similarity(q.lowered, lower(p.code || ' ' || p.name)))::float8,
          count(*) OVER ()
     FROM q, parties p
    WHERE to_tsvector('simple', p.name) @@ q.prefixes OR q.lowered <% (p.code || ' ' || p.name)
       OR (p.code || ' ' || p.name) ILIKE q.inside
       OR (cardinality(q.sounds) > 0 AND search_sounds(p.name) @> q.sounds) OR p.gln = q.text
    ORDER BY 7 DESC, p.name LIMIT $2)
  UNION ALL
  (SELECT 'site', 'materials', s.name, replace(s.kind, '_', ' ') || ' · ' || s.code || coalesce(' · GLN ' || s.gln, ''), '/sites/', s.code,
          greatest(CASE WHEN s.code = q.text OR s.gln = q.text THEN 1.0
                        WHEN lower(s.name) LIKE q.lowered || '%' THEN 0.95
                        WHEN to_tsvector('simple', s.name) @@ q.prefixes THEN 0.9
                        WHEN cardinality(q.sounds) > 0 AND search_sounds(s.name) @> q.sounds THEN 0.6
                        ELSE 0 END,
                   word_similarity(q.lowered, lower(s.code || ' ' || s.name)))::float8,
          count(*) OVER ()
     FROM q, sites s
    WHERE to_tsvector('simple', s.name) @@ q.prefixes OR q.lowered <% (s.code || ' ' || s.name)
       OR (s.code || ' ' || s.name) ILIKE q.inside
       OR (cardinality(q.sounds) > 0 AND search_sounds(s.name) @> q.sounds) OR s.gln = q.text
    ORDER BY 7 DESC, s.name LIMIT $2)
  UNION ALL
  (SELECT 'contract', 'spending', coalesce(c.title, c.ocid), c.ocid || coalesce(' · ' || c.procurement_method, ''),
          '/spending/contracts/', c.ocid,
          greatest(CASE WHEN c.ocid = q.text THEN 1.0
                        WHEN to_tsvector('simple', coalesce(c.title, '')) @@ q.prefixes THEN 0.9
                        WHEN cardinality(q.sounds) > 0 AND search_sounds(coalesce(c.title, '')) @> q.sounds THEN 0.6
                        ELSE 0 END,
                   word_similarity(q.lowered, lower(c.ocid || ' ' || coalesce(c.title, ''))))::float8,
          count(*) OVER ()
     FROM q, procurement_processes c
    WHERE to_tsvector('simple', coalesce(c.title, '')) @@ q.prefixes
       OR q.lowered <% (c.ocid || ' ' || coalesce(c.title, ''))
       OR (c.ocid || ' ' || coalesce(c.title, '')) ILIKE q.inside
       OR (cardinality(q.sounds) > 0 AND search_sounds(coalesce(c.title, '')) @> q.sounds)
    ORDER BY 7 DESC, c.ocid LIMIT $2)
  UNION ALL
  (SELECT 'consignment', 'waste', w.consignment_id,
          'EWC ' || w.ewc_code || CASE WHEN w.hazardous THEN '* (hazardous)' ELSE '' END || ' · ' || w.mass_kg::text || ' kg',
          '/waste/consignments/', w.consignment_id,
          greatest(similarity(lower(w.consignment_id), q.lowered),
                   CASE WHEN lower(w.consignment_id) = q.lowered THEN 1.0 WHEN lower(w.consignment_id) LIKE q.lowered || '%' THEN 0.95 ELSE 0 END)::float8,
          count(*) OVER ()
     FROM q, waste_transfers w
    WHERE lower(w.consignment_id) LIKE q.inside OR lower(w.consignment_id) % q.lowered
    ORDER BY 7 DESC, w.consignment_id LIMIT $2)
  UNION ALL
  (SELECT 'transaction', 'ledger', t.payee_name || ' · ' || to_char(t.amount_minor / 100, 'FM999,999,999,999,990.00') || ' ' || t.currency,
          t.department || ' · ' || t.contract_ref || ' · 0x' || encode(t.tx_hash, 'hex'),
          '/ledger/chains/' || t.chain_id || '/tx/', '0x' || encode(t.tx_hash, 'hex'),
          greatest(word_similarity(q.lowered, lower(t.contract_ref || ' ' || t.payee_name)),
                   CASE WHEN '0x' || encode(t.tx_hash, 'hex') = q.lowered THEN 1.0 ELSE 0 END)::float8,
          count(*) OVER ()
     FROM q, treasury_payments t
    WHERE (t.contract_ref || ' ' || t.payee_name) ILIKE q.inside
       OR q.lowered <% (t.contract_ref || ' ' || t.payee_name)
       OR '0x' || encode(t.tx_hash, 'hex') = q.lowered
    ORDER BY 7 DESC, t.block_number DESC LIMIT $2)
) found
WHERE ($3::text = '' OR area = $3::text) AND ($5::text = '' OR kind = $5::text)
ORDER BY score DESC, title
