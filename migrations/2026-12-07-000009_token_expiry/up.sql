-- Tokens made by signing in through the API expire; tokens a person makes and names in
-- Settings last until revoked (NULL).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX api_tokens_expires_at ON api_tokens (expires_at) WHERE expires_at IS NOT NULL;
