DROP INDEX expenses_user_date;
CREATE INDEX expenses_user_date ON expenses (user_id, spent_on);

CREATE INDEX events_user_end ON events (user_id, ends_at);
DROP INDEX events_user_span;
