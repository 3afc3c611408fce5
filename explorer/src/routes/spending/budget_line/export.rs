//! `?format=csv|json` on a budget line's page: its money trail as data. CSV: one record per
//! payment under a contract of the line (a contract without payments: one record with empty
//! payment cells), exact amounts; JSON: the JSON twin.

use actix_web::HttpResponse;

use citytrace_reads::spending::{MoneyTrail, Payment, PaymentSource};

use crate::error::AppError;

/// What `?format=` asks for.
pub enum Export {
    Page,
    Csv,
    Json,
}

pub fn wanted(query: &crate::query::QueryParams) -> Result<Export, AppError> {
    match query
        .get("format")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "" | "html" => Ok(Export::Page),
        "csv" => Ok(Export::Csv),
        "json" => Ok(Export::Json),
        other => Err(AppError::BadRequest(format!(
            "format must be html, csv or json, not {}",
            crate::query::quoted(other)
        ))),
    }
}

pub const CSV_HEADER: [&str; 13] = [
    "ocid",
    "process_title",
    "contract_id",
    "contract_title",
    "contract_value",
    "contract_currency",
    "payment_kind",
    "paid_on",
    "payee",
    "amount",
    "currency",
    "ledger_tx",
    "ocds_transaction",
];

fn payment_cells(p: &Payment) -> [String; 7] {
    let (kind, tx, transaction) = match &p.source {
        PaymentSource::Ledger { tx_hash, .. } => ("ledger payment", tx_hash.clone(), String::new()),
        PaymentSource::OcdsTransaction { transaction_id, .. } => {
            ("OCDS transaction", String::new(), transaction_id.clone())
        }
    };
    [
        kind.to_owned(),
        p.paid_at
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        p.payee.clone().unwrap_or_default(),
        p.amount.normalized().to_plain_string(),
        p.currency.clone().unwrap_or_default(),
        tx,
        transaction,
    ]
}

pub fn csv(trail: &MoneyTrail) -> HttpResponse {
    let line = |cells: Vec<String>| crate::listing::csv_line(cells.into_iter().map(|c| (c, false)));
    let mut out = line(CSV_HEADER.iter().map(|h| h.to_string()).collect());
    for p in &trail.processes {
        for c in &p.contracts {
            let contract = [
                p.ocid.clone(),
                p.title.clone().unwrap_or_default(),
                c.contract_id.clone(),
                c.title.clone().unwrap_or_default(),
                c.value
                    .as_ref()
                    .map(|v| v.normalized().to_plain_string())
                    .unwrap_or_default(),
                c.currency.clone().unwrap_or_default(),
            ];
            let payments: Vec<[String; 7]> = c.payments.iter().map(payment_cells).collect();
            if payments.is_empty() {
                out.push_str(&line(
                    contract
                        .iter()
                        .cloned()
                        .chain(vec![String::new(); 7])
                        .collect(),
                ));
            }
            for cells in payments {
                out.push_str(&line(contract.iter().cloned().chain(cells).collect()));
            }
        }
    }
    let b = &trail.budget_line;
    crate::listing::csv_download(
        &format!("budget-{}-{}.csv", b.fiscal_year, b.budget_line_id),
        out,
    )
}
