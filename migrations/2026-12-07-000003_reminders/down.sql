DROP INDEX jobs_reminders;
ALTER TABLE users DROP COLUMN reminder_minutes;
