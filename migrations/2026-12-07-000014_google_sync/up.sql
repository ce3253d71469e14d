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
