DROP TRIGGER expenses_keep_month_totals ON expenses;
DROP FUNCTION expenses_keep_month_totals();
DROP FUNCTION expense_month_totals_add(bigint, date, text, char, numeric, integer);
DROP TABLE expense_month_totals;
