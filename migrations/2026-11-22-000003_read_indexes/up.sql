-- Finding the events that overlap a window ("starts before its end, ends after its start")
-- with a B-tree on either bound scans every event on one side of the window. A GiST index on
-- the event's span finds just the overlapping ones. btree_gist (a trusted extension shipped
-- with PostgreSQL) lets the index lead with user_id.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX events_user_span ON events USING gist (user_id, tstzrange(starts_at, ends_at));
DROP INDEX events_user_end;

-- Month totals read only the index: the columns they sum and group by ride along.
DROP INDEX expenses_user_date;
CREATE INDEX expenses_user_date ON expenses (user_id, spent_on) INCLUDE (category, currency, amount);
