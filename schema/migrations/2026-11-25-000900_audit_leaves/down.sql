DROP TABLE audit_leaf_chunks;
DROP TABLE audit_leaf_records;
