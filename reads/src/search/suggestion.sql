-- "Did you mean …" (docs/search.md): the name most similar to $1 (trigram similarity of the whole
-- text, at least 0.2) among parties, sites, products and contract titles.
WITH q AS (SELECT lower($1::text) AS lowered)
SELECT title FROM (
  SELECT name AS title, similarity(lower(name), q.lowered) AS score FROM q, parties
  UNION ALL
  SELECT name, similarity(lower(name), q.lowered) FROM q, sites
  UNION ALL
  SELECT name, similarity(lower(name), q.lowered) FROM q, products
  UNION ALL
  SELECT title, similarity(lower(title), q.lowered) FROM q, procurement_processes WHERE title IS NOT NULL
) names
WHERE score >= 0.2
ORDER BY score DESC, title
LIMIT 1
