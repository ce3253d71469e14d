-- Repeating events. A series is one row with a recurrence (an RFC 5545 RRULE value) whose
-- wall times repeat in `timezone`; its own start and end are the first instance's. `excluded`
-- lists the starts of instances removed (EXDATE). An instance changed on its own is a row of
-- its own naming its series and the start it replaces (`original_start`), which the series
-- also excludes. `repeats_until` bounds a series' last instance (NULL: it never ends), so
-- that a listing reads only the series that can reach it.
ALTER TABLE events
    ADD COLUMN recurrence TEXT CHECK (length(recurrence) BETWEEN 1 AND 500),
    ADD COLUMN timezone TEXT CHECK (length(timezone) BETWEEN 1 AND 64),
    ADD COLUMN excluded TIMESTAMPTZ[] NOT NULL DEFAULT '{}'
        CHECK (cardinality(excluded) <= 2000),
    ADD COLUMN repeats_until TIMESTAMPTZ,
    ADD COLUMN series_id BIGINT REFERENCES events (id) ON DELETE CASCADE,
    ADD COLUMN original_start TIMESTAMPTZ,
    ADD CONSTRAINT events_series_shape CHECK (
        (recurrence IS NULL OR (timezone IS NOT NULL AND series_id IS NULL))
        AND ((series_id IS NULL) = (original_start IS NULL))
        AND (recurrence IS NOT NULL OR (cardinality(excluded) = 0 AND repeats_until IS NULL))
    );
CREATE UNIQUE INDEX events_series_instance ON events (series_id, original_start)
    WHERE series_id IS NOT NULL;
CREATE INDEX events_user_series ON events (user_id, starts_at) WHERE recurrence IS NOT NULL;
