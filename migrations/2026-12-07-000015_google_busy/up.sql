-- Google's free/busy for a connected user (every calendar Google counts, not only the events
-- pulled here), refreshed by each pull for the weeks ahead: availability reads it from here,
-- so no answer waits for Google.
CREATE TABLE google_busy (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX google_busy_user_start ON google_busy (user_id, starts_at);
