DELETE FROM events WHERE series_id IS NOT NULL;
DELETE FROM events WHERE recurrence IS NOT NULL;
DROP INDEX events_user_series;
DROP INDEX events_series_instance;
ALTER TABLE events
    DROP CONSTRAINT events_series_shape,
    DROP COLUMN original_start,
    DROP COLUMN series_id,
    DROP COLUMN repeats_until,
    DROP COLUMN excluded,
    DROP COLUMN timezone,
    DROP COLUMN recurrence;
