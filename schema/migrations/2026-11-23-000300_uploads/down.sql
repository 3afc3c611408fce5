DROP TABLE uploads;
DROP TABLE upload_sessions;
DROP TABLE api_tokens;
