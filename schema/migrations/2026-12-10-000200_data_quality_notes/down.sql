DROP INDEX ocds_releases_batch_ocid_idx;
DROP TABLE data_quality_notes;
