-- An event's own reminder lengths (minutes before it); NULL: its owner's.
ALTER TABLE events ADD COLUMN reminder_minutes INTEGER[]
    CHECK (reminder_minutes IS NULL OR (cardinality(reminder_minutes) <= 5
           AND 0 <= ALL (reminder_minutes) AND 10080 >= ALL (reminder_minutes)));
