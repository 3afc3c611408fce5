SELECT p.code, p.name, p.kind, p.gln,
       COALESCE((SELECT array_agg(DISTINCT r ORDER BY r)
                   FROM procurement_parties pp, unnest(pp.roles) AS r
                  WHERE pp.party_id = p.id), '{}'::text[]) AS roles,
       (SELECT count(*) FROM api_tokens t
         WHERE t.party_id = p.id AND t.revoked_at IS NULL) AS active_tokens,
       (SELECT count(*) FROM api_tokens t
         WHERE t.party_id = p.id AND t.revoked_at IS NOT NULL) AS revoked_tokens
  FROM parties p
 ORDER BY p.code
