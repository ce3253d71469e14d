-- A user's Google Calendar connection. The tokens are sealed (AES-256-GCM under
-- AIDA_ENCRYPTION_KEY, `crypto.rs`); a refresh Google refuses (`invalid_grant`) marks the
-- connection broken, with what to tell the user, until they connect again.
CREATE TABLE google_connections (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    refresh_token TEXT NOT NULL CHECK (refresh_token LIKE 'v1.%'),
    access_token TEXT NOT NULL CHECK (access_token LIKE 'v1.%'),
    access_expires_at TIMESTAMPTZ NOT NULL,
    scope TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'broken')),
    problem TEXT CHECK (length(problem) <= 500),
    connected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'broken') = (problem IS NOT NULL))
);
CREATE INDEX google_connections_status ON google_connections (status);
