ALTER TABLE treasury_payments DROP COLUMN budget_line_id;
DROP TABLE procurement_budget_links;
