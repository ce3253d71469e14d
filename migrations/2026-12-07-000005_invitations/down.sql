DROP TABLE event_attendees;
DELETE FROM events WHERE source = 'invitation';
ALTER TABLE events DROP CONSTRAINT events_source_check;
ALTER TABLE events ADD CONSTRAINT events_source_check
    CHECK (source IN ('web', 'chat', 'sms', 'voice', 'api'));
