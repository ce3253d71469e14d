-- Each user's spending per calendar month, category and currency, kept in step with `expenses`
-- by a trigger. Today and the expenses page read a month's totals from a handful of rows here
-- instead of summing every expense of the month.
CREATE TABLE expense_month_totals (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month date NOT NULL CHECK (extract(day FROM month) = 1),
    category text NOT NULL,
    currency char(3) NOT NULL,
    total numeric(16, 2) NOT NULL,
    entries integer NOT NULL CHECK (entries >= 0),
    PRIMARY KEY (user_id, month, category, currency)
);

-- Adds `entries` expenses worth `amount` to a month's total, or takes them away (both
-- negative); a total left with no expense goes.
CREATE FUNCTION expense_month_totals_add(
    p_user bigint, p_day date, p_category text, p_currency char(3), p_amount numeric, p_entries integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', p_day)::date;
BEGIN
    IF p_entries > 0 THEN
        INSERT INTO expense_month_totals AS t (user_id, month, category, currency, total, entries)
        VALUES (p_user, m, p_category, p_currency, p_amount, p_entries)
        ON CONFLICT (user_id, month, category, currency)
        DO UPDATE SET total = t.total + excluded.total, entries = t.entries + excluded.entries;
    ELSE
        UPDATE expense_month_totals
        SET total = total + p_amount, entries = entries + p_entries
        WHERE user_id = p_user AND month = m AND category = p_category AND currency = p_currency;
        DELETE FROM expense_month_totals
        WHERE user_id = p_user AND month = m AND category = p_category AND currency = p_currency
          AND entries = 0;
    END IF;
END;
$$;

CREATE FUNCTION expenses_keep_month_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM expense_month_totals_add(OLD.user_id, OLD.spent_on, OLD.category, OLD.currency, -OLD.amount, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM expense_month_totals_add(NEW.user_id, NEW.spent_on, NEW.category, NEW.currency, NEW.amount, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER expenses_keep_month_totals
AFTER INSERT OR UPDATE OF user_id, spent_on, category, currency, amount OR DELETE ON expenses
FOR EACH ROW EXECUTE FUNCTION expenses_keep_month_totals();

INSERT INTO expense_month_totals (user_id, month, category, currency, total, entries)
SELECT user_id, date_trunc('month', spent_on)::date, category, currency, sum(amount), count(*)
FROM expenses
GROUP BY 1, 2, 3, 4;
