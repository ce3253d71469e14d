-- Reminders by text: how long before each event a user is reminded (minutes; none when
-- empty). Each reminder is a job (kind 'reminder') scheduled in the transaction that creates
-- or moves its event; the index finds a record's waiting reminders to replace them.
ALTER TABLE users ADD COLUMN reminder_minutes INTEGER[] NOT NULL DEFAULT '{1440,60}'
    CHECK (cardinality(reminder_minutes) <= 5 AND 0 <= ALL (reminder_minutes) AND 10080 >= ALL (reminder_minutes));
CREATE INDEX jobs_reminders ON jobs ((payload ->> 'record')) WHERE kind = 'reminder' AND state = 'queued';
