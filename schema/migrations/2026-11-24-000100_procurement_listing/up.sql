-- The procurement list's order (last release first, then ocid in byte order): its chunked walk
-- reads the next chunk after a key by this index instead of sorting every process each time.
CREATE INDEX procurement_processes_listing_idx
    ON procurement_processes (last_release_date DESC, ocid COLLATE "C");
