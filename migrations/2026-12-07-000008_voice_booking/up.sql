-- Voice booking: a phone agent (Retell) checks an owner's availability and books meetings.

-- How an owner takes bookings from callers; a row once the owner saved them.
CREATE TABLE booking_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL,
    timezone TEXT NOT NULL,
    -- Monday first, seven entries: null (closed) or {"start": "09:00", "end": "17:00"}.
    hours JSONB NOT NULL,
    lengths INTEGER[] NOT NULL,
    buffer_minutes INTEGER NOT NULL,
    notice_minutes INTEGER NOT NULL,
    horizon_days INTEGER NOT NULL,
    business_phone TEXT,
    confirm_callers BOOLEAN NOT NULL,
    -- Names the owner in webhook URLs whose requests carry no call (arguments at the root).
    webhook_token TEXT NOT NULL UNIQUE,
    updated_at TIMESTAMPTZ NOT NULL
);

-- The Retell agents that answer for an owner; an agent answers for one owner.
CREATE TABLE booking_agents (
    agent_id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX booking_agents_user ON booking_agents (user_id);

-- Meetings callers booked: one per call and start, since Retell retries a request.
CREATE TABLE voice_bookings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    event_id BIGINT REFERENCES events (id) ON DELETE SET NULL,
    customer_name TEXT NOT NULL,
    customer_phone TEXT NOT NULL,
    notes TEXT NOT NULL,
    -- The secret in the caller's link to cancel or move it.
    manage_token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, call_id, starts_at)
);
CREATE INDEX voice_bookings_created ON voice_bookings (created_at);

-- Bookings that could not be made and need the owner's hand; one per call and request.
CREATE TABLE booking_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_phone TEXT NOT NULL,
    requested TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    UNIQUE (user_id, call_id, requested)
);
CREATE INDEX booking_failures_open ON booking_failures (user_id, created_at) WHERE resolved_at IS NULL;
CREATE INDEX booking_failures_created ON booking_failures (created_at);

-- Calls as Retell reported them (call_started, call_ended, call_analyzed).
CREATE TABLE voice_calls (
    call_id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    disconnection_reason TEXT,
    summary TEXT,
    successful BOOLEAN,
    sentiment TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX voice_calls_user ON voice_calls (user_id, started_at DESC);

-- Webhook requests per owner and minute, to hold each owner to a rate.
CREATE TABLE voice_request_counts (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    minute TIMESTAMPTZ NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (user_id, minute)
);

-- Texts about bookings: to the owner, and confirmations to callers.
ALTER TABLE sms_outbox DROP CONSTRAINT sms_outbox_purpose_check;
ALTER TABLE sms_outbox ADD CONSTRAINT sms_outbox_purpose_check CHECK (purpose IN ('reply', 'code',
    'signup_hint', 'help', 'reminder', 'invitation', 'notice', 'booking'));
