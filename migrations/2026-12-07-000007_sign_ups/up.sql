-- Sign-ups asked for, by client address, to limit them per address (each costs a password
-- hash); kept for a day.
CREATE TABLE sign_ups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_addr TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_ups_addr ON sign_ups (client_addr, attempted_at);
CREATE INDEX sign_ups_attempted_at ON sign_ups (attempted_at);
