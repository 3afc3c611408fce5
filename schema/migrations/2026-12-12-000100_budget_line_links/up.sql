-- The budget lines a contracting process is planned on (OCDS `planning.budget.id`, and the
-- ids of `planning.budget.budgetBreakdown[]`, the OCDS Budget Breakdown extension), as the
-- merged process state names them: the link between a contract and the budget line it
-- commits (docs/methods/spending.md, section 2). `source` says which field
-- named the line; a breakdown keeps its amount, period and source party (by name).
CREATE TABLE procurement_budget_links (
    ocid               TEXT NOT NULL REFERENCES procurement_processes (ocid) ON DELETE CASCADE,
    budget_line_id     TEXT NOT NULL,
    source             TEXT NOT NULL CHECK (source IN ('budget', 'breakdown')),
    amount             NUMERIC,
    currency           TEXT,
    period_start       TIMESTAMPTZ,
    period_end         TIMESTAMPTZ,
    source_party       TEXT,
    batch_id           BIGINT NOT NULL REFERENCES import_batches (id),
    line               INTEGER NOT NULL CHECK (line > 0),
    PRIMARY KEY (ocid, budget_line_id)
);
CREATE INDEX procurement_budget_links_line_idx ON procurement_budget_links (budget_line_id);

-- CityTreasury `PaymentMadeOnBudgetLine` events name the budget line a payment is made from;
-- `PaymentMade` events (the first version) do not, and keep NULL.
ALTER TABLE treasury_payments ADD COLUMN budget_line_id TEXT;
