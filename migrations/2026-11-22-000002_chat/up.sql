-- Chat with the assistant: conversations, their messages, the actions a reply took (with
-- what undoes them), and what every turn and model call cost.

CREATE TABLE conversations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX conversations_user_updated ON conversations (user_id, updated_at DESC);

CREATE TABLE chat_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL DEFAULT '' CHECK (length(content) <= 100000),
    -- A reply is 'streaming' while it is written, then 'done', 'stopped' or 'failed'.
    status TEXT NOT NULL DEFAULT 'done' CHECK (status IN ('streaming', 'done', 'stopped', 'failed')),
    -- Who answered: the rules, the cheap or the premium model, or nobody ('none': no model
    -- configured, budget spent). Empty for the user's own messages.
    tier TEXT CHECK (tier IN ('rules', 'cheap', 'premium', 'none')),
    error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_conversation ON chat_messages (conversation_id, id);

CREATE TABLE chat_actions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    summary TEXT NOT NULL CHECK (length(summary) <= 1000),
    -- How to take the change back (see app::assistant::actions::Undo).
    undo JSONB NOT NULL,
    undone_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX chat_actions_message ON chat_actions (message_id);

-- One row per answered message, kept when its conversation is deleted, for the usage page.
CREATE TABLE assistant_turns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    tier TEXT NOT NULL CHECK (tier IN ('rules', 'cheap', 'premium', 'none')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX assistant_turns_user_created ON assistant_turns (user_id, created_at);
CREATE INDEX assistant_turns_created ON assistant_turns (created_at);

-- Every request to a language model, successful or not.
CREATE TABLE model_calls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    tier TEXT NOT NULL CHECK (tier IN ('cheap', 'premium')),
    model TEXT NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    endpoint TEXT NOT NULL CHECK (endpoint IN ('primary', 'fallback')),
    input_tokens INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
    output_tokens INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
    -- Millionths of a US dollar, from the configured price table.
    cost_microusd BIGINT NOT NULL DEFAULT 0 CHECK (cost_microusd >= 0),
    latency_ms INTEGER NOT NULL CHECK (latency_ms >= 0),
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'stopped', 'truncated', 'quota', 'unavailable')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX model_calls_user_created ON model_calls (user_id, created_at);
CREATE INDEX model_calls_created ON model_calls (created_at);
