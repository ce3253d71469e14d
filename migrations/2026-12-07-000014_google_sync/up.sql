-- Events pulled from Google Calendar: source 'google', the Google event's id, ETag, link and
-- last update, and when a sync last saw it (a full resync removes what it no longer sees).
ALTER TABLE events DROP CONSTRAINT events_source_check;
ALTER TABLE events ADD CONSTRAINT events_source_check
    CHECK (source IN ('web', 'chat', 'sms', 'voice', 'api', 'invitation', 'google'));
ALTER TABLE events
    ADD COLUMN google_id TEXT CHECK (length(google_id) BETWEEN 1 AND 1024),
    ADD COLUMN google_etag TEXT,
    ADD COLUMN google_link TEXT CHECK (length(google_link) <= 2000),
    ADD COLUMN google_updated TIMESTAMPTZ,
    ADD COLUMN google_synced_at TIMESTAMPTZ;
CREATE UNIQUE INDEX events_google_id ON events (user_id, google_id) WHERE google_id IS NOT NULL;

-- Where a connection's sync stands: Google's sync token (NULL: the next pull is a full
-- import), the import under way and how far it got, the last success, and failures in a row
-- (the connection's circuit breaker) with what to tell the user.
ALTER TABLE google_connections
    ADD COLUMN sync_token TEXT,
    ADD COLUMN import_started_at TIMESTAMPTZ,
    ADD COLUMN imported INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_synced_at TIMESTAMPTZ,
    ADD COLUMN sync_failures INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN sync_problem TEXT CHECK (length(sync_problem) <= 500);

-- Events deleted here that Google still has: a trigger keeps their Google ids until a push
-- has deleted them there too (whatever deleted them: a page, the API, the chat, a cascade).
-- A pull, which deletes what Google deleted, sets `aida.from_google` in its transaction.
CREATE TABLE google_deletions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    google_id TEXT NOT NULL,
    PRIMARY KEY (user_id, google_id)
);
CREATE FUNCTION events_remember_google_deletion() RETURNS trigger AS $$
BEGIN
    -- Not for an account being deleted (its connection goes with it).
    IF current_setting('aida.from_google', true) IS DISTINCT FROM 'on'
       AND EXISTS (SELECT 1 FROM google_connections WHERE user_id = OLD.user_id) THEN
        INSERT INTO google_deletions (user_id, google_id) VALUES (OLD.user_id, OLD.google_id)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_google_deletion AFTER DELETE ON events
    FOR EACH ROW WHEN (OLD.google_id IS NOT NULL)
    EXECUTE FUNCTION events_remember_google_deletion();
