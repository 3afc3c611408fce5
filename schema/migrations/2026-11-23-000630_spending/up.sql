-- Spending (docs/methods/spending.md): CityTreasury payments are linked to contracting
-- processes by their contractRef (the process's ocid); red flags, budget vs actual and follow
-- the money look them up by it.
CREATE INDEX treasury_payments_contract_ref_idx ON treasury_payments (contract_ref);
