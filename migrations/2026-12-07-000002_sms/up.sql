-- SMS through Twilio: messages people text in, the turns that read them, the outbox of every
-- message Aida sends, opt-outs, and phone verification codes.

-- A message from a user's verified phone, kept once per Twilio MessageSid (Twilio retries).
-- `turn_id` is set when a turn reads it (with the messages around it: batching).
CREATE TABLE sms_inbound (
    message_sid TEXT PRIMARY KEY CHECK (length(message_sid) BETWEEN 1 AND 64),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_number TEXT NOT NULL,
    body TEXT NOT NULL CHECK (length(body) <= 1600),
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    turn_id BIGINT
);
CREATE INDEX sms_inbound_unread ON sms_inbound (from_number, received_at) WHERE turn_id IS NULL;

-- What a batch of messages asked, read once by the assistant. `started` is claimed before the
-- assistant acts (so a retry never acts twice), then `message_id` names the reply being
-- written; `replied` when the reply went to the outbox.
CREATE TABLE sms_turns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_number TEXT NOT NULL,
    text TEXT NOT NULL,
    -- The last message's arrival: its webhook may wait for the reply until shortly after.
    last_received_at TIMESTAMPTZ NOT NULL,
    started BOOLEAN NOT NULL DEFAULT false,
    message_id BIGINT REFERENCES chat_messages (id) ON DELETE SET NULL,
    replied BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE sms_inbound ADD FOREIGN KEY (turn_id) REFERENCES sms_turns (id) ON DELETE SET NULL;

-- The conversation a user's texts go to (shown on the chat page like any other).
ALTER TABLE users ADD COLUMN sms_conversation_id BIGINT REFERENCES conversations (id) ON DELETE SET NULL;

-- Every message Aida sends by SMS. A job delivers each queued one; Twilio's status callbacks
-- move it on. 'replied': given back in the webhook's TwiML answer. 'unsent': Twilio is not
-- configured (the SMS page shows it). Cost in millionths of a dollar, by segments.
CREATE TABLE sms_outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    to_number TEXT NOT NULL CHECK (to_number ~ '^\+[1-9][0-9]{6,14}$'),
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1600),
    purpose TEXT NOT NULL CHECK (purpose IN ('reply', 'code', 'signup_hint', 'help', 'reminder', 'invitation', 'notice')),
    sms_turn_id BIGINT REFERENCES sms_turns (id) ON DELETE SET NULL,
    segments INTEGER NOT NULL CHECK (segments >= 1),
    cost_microusd BIGINT NOT NULL DEFAULT 0 CHECK (cost_microusd >= 0),
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
        ('queued', 'replied', 'unsent', 'sent', 'delivered', 'undelivered', 'failed', 'opted_out')),
    twilio_sid TEXT UNIQUE,
    error_code INTEGER,
    error_message TEXT,
    -- When sending was first tried: a retry after a crash or an unanswered call first asks
    -- Twilio whether the message went out.
    tried_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sms_outbox_user ON sms_outbox (user_id, created_at);
CREATE INDEX sms_outbox_turn ON sms_outbox (sms_turn_id) WHERE sms_turn_id IS NOT NULL;
CREATE INDEX sms_outbox_created ON sms_outbox (created_at);

-- Numbers that texted STOP (or that Twilio refused with 21610): nothing is sent to them.
CREATE TABLE sms_opt_outs (
    number TEXT PRIMARY KEY,
    opted_out_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Unknown numbers told how to sign up, at most once a day: only a hash of the number is kept.
CREATE TABLE sms_unknown_replies (
    number_hash BYTEA NOT NULL,
    day DATE NOT NULL,
    PRIMARY KEY (number_hash, day)
);

-- A code sent to confirm a phone (for adding it, or for signing in with it); only a hash of
-- the code is kept.
CREATE TABLE phone_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'sign_in')),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phone TEXT NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    code_hash BYTEA NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    client_addr TEXT NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX phone_codes_user ON phone_codes (user_id, purpose, sent_at);
CREATE INDEX phone_codes_phone ON phone_codes (phone, sent_at);
CREATE INDEX phone_codes_addr ON phone_codes (client_addr, sent_at);
