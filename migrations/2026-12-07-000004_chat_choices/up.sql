-- A reply that asked "which one?" keeps what each numbered answer does (the action, as JSON),
-- so the next message "1" or "2" does it, on any channel.
ALTER TABLE chat_messages ADD COLUMN choices JSONB;
