ALTER TABLE events DROP COLUMN reminder_minutes;
