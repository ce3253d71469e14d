DROP INDEX api_tokens_expires_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
