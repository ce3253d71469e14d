DROP TRIGGER events_google_deletion ON events;
DROP FUNCTION events_remember_google_deletion();
DROP TABLE google_deletions;
ALTER TABLE google_connections
    DROP COLUMN sync_problem, DROP COLUMN sync_failures, DROP COLUMN last_synced_at,
    DROP COLUMN imported, DROP COLUMN import_started_at, DROP COLUMN sync_token;
DELETE FROM events WHERE source = 'google';
DROP INDEX events_google_id;
ALTER TABLE events
    DROP COLUMN google_synced_at, DROP COLUMN google_updated, DROP COLUMN google_link,
    DROP COLUMN google_etag, DROP COLUMN google_id;
ALTER TABLE events DROP CONSTRAINT events_source_check;
ALTER TABLE events ADD CONSTRAINT events_source_check
    CHECK (source IN ('web', 'chat', 'sms', 'voice', 'api', 'invitation'));
