-- People invited to an event by phone. An attendee who uses Aida (a verified phone) gets the
-- event proposed, and accepting puts a copy in their calendar (source 'invitation'); others
-- get a text with a link to the event as an .ics file (the token is the link's secret).
ALTER TABLE events DROP CONSTRAINT events_source_check;
ALTER TABLE events ADD CONSTRAINT events_source_check
    CHECK (source IN ('web', 'chat', 'sms', 'voice', 'api', 'invitation'));

CREATE TABLE event_attendees (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phone TEXT NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    name TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    invitee_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'accepted', 'declined')),
    copy_event_id BIGINT REFERENCES events (id) ON DELETE SET NULL,
    token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    responded_at TIMESTAMPTZ,
    UNIQUE (event_id, phone)
);
CREATE INDEX event_attendees_invitee ON event_attendees (invitee_id, status, created_at);
