-- A secret calendar feed per user: `/feeds/<token>.ics`, which calendar apps subscribe to.
-- A new token (rotation) makes the old address stop working.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{32,64}$'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
