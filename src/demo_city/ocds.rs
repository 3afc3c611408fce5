//! The city's procurement as an OCDS 1.1 release package (`ocds` format): for each process a
//! tender, an award with its bids, a contract, an amendment where there is one, and the
//! payments as implementation transactions — or, for a direct award, the award and contract
//! at once. Written release by release (the importer reads the file whole, so it stays a few
//! hundred releases even at the large scale).

use std::io::Write;
use std::path::Path;

use serde_json::{json, Map, Value};

use citytrace_importers::Format;

use super::contracts::{Process, Purpose, DIRECT_AWARD_THRESHOLD_CENTS};
use super::money;
use super::out::{Case, FileEntry, Out};
use super::time::iso;
use super::world::{Company, Department, World, FRIGO, PROC};

pub fn planned_releases(world: &World) -> u64 {
    world
        .processes
        .iter()
        .map(|p| releases(p).len() as u64)
        .sum()
}

/// The release package, and the red-flag cases it holds.
pub fn write(dir: &Path, world: &World, cases: &mut Vec<Case>) -> std::io::Result<FileEntry> {
    let mut out = Out::create(dir, "ocds-releases.json", Format::Ocds, PROC.code)?;
    out.write_all(
        br#"{"uri":"https://procurement.example.org/ocds/city-of-example-2026.json","version":"1.1","publishedDate":"2026-11-02T09:00:00+01:00","publisher":{"name":"City of Example, Central Procurement Office"},"releases":["#,
    )?;
    let mut first = true;
    for process in &world.processes {
        for release in releases(process) {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut out, &release)?;
            out.count_row();
            first = false;
        }
    }
    out.write_all(b"\n]}\n")?;
    plant_cases(world, cases);
    out.finish()
}

fn plant_cases(world: &World, cases: &mut Vec<Case>) {
    for p in &world.processes {
        let (kind, detail) = match p.purpose {
            Purpose::Rebar(_) if p.bids.len() == 1 => (
                "single_bid",
                format!("open tender \"{}\" had one bid", p.title),
            ),
            Purpose::Food => (
                "short_tender_period",
                format!(
                    "tender period of {} days",
                    p.tender_period.map_or(0, |(s, e)| (e - s).num_days())
                ),
            ),
            Purpose::EmergencyRepair => (
                "direct_award_above_threshold",
                format!(
                    "direct award of EUR {} (threshold EUR {})",
                    money(p.award_cents),
                    money(DIRECT_AWARD_THRESHOLD_CENTS)
                ),
            ),
            _ if p.amended_cents.is_some() => (
                "amendment_raises_value",
                format!(
                    "contract value EUR {} → EUR {} by amendment",
                    money(p.award_cents),
                    money(p.contract_cents())
                ),
            ),
            Purpose::Haulage => (
                "payments_exceed_contract",
                format!(
                    "paid EUR {} on a contract of EUR {}",
                    money(p.paid_cents()),
                    money(p.contract_cents())
                ),
            ),
            _ => continue,
        };
        cases.push(Case {
            kind,
            reference: p.ocid.clone(),
            detail,
        });
    }
    let split: Vec<&str> = world
        .processes
        .iter()
        .filter(|p| matches!(p.purpose, Purpose::Refrigerator(_)))
        .map(|p| p.ocid.as_str())
        .collect();
    cases.push(Case {
        kind: "split_purchases",
        reference: FRIGO.code.to_string(),
        detail: format!(
            "direct awards just under EUR {}: {}",
            money(DIRECT_AWARD_THRESHOLD_CENTS),
            split.join(", ")
        ),
    });
}

/// The releases of one process, in date order.
fn releases(p: &Process) -> Vec<Value> {
    let mut releases = Vec::new();
    let buyer = department(p.buyer, &["buyer"]);
    let procuring = department(&PROC, &["procuringEntity"]);
    match p.tender_period {
        Some((start, end)) => {
            releases.push(json!({
                "ocid": p.ocid, "id": format!("{}-tender", p.ocid), "date": iso(start),
                "tag": ["tender"], "initiationType": "tender",
                "parties": [buyer, procuring],
                "buyer": reference(p.buyer.code, p.buyer.name),
                "planning": planning(p),
                "tender": tender(p, "active", json!({"startDate": iso(start), "endDate": iso(end)})),
            }));
            let mut parties = vec![buyer.clone(), procuring.clone()];
            for (i, bid) in p.bids.iter().enumerate() {
                let roles: &[&str] = if i == 0 {
                    &["tenderer", "supplier"]
                } else {
                    &["tenderer"]
                };
                parties.push(company(bid.company, roles));
            }
            let mut t = tender(
                p,
                "complete",
                json!({"startDate": iso(start), "endDate": iso(end)}),
            );
            t.insert("numberOfTenderers".into(), p.bids.len().into());
            t.insert(
                "tenderers".into(),
                p.bids
                    .iter()
                    .map(|b| company_reference(b.company))
                    .collect(),
            );
            let bids: Vec<Value> = p
                .bids
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    json!({
                        "id": format!("{}-bid-{}", p.ocid, i + 1), "date": iso(b.date),
                        "status": "valid", "value": value(b.cents),
                        "tenderers": [company_reference(b.company)],
                    })
                })
                .collect();
            releases.push(json!({
                "ocid": p.ocid, "id": format!("{}-award", p.ocid), "date": iso(p.award_date),
                "tag": ["award"], "initiationType": "tender",
                "parties": parties,
                "tender": t,
                "bids": {"details": bids},
                "awards": [award(p)],
            }));
            releases.push(json!({
                "ocid": p.ocid, "id": format!("{}-contract", p.ocid), "date": iso(p.signed),
                "tag": ["contract"], "initiationType": "tender",
                "parties": [buyer, company(p.supplier, &["tenderer", "supplier"])],
                "contracts": [contract(p)],
            }));
        }
        None => {
            let mut t = tender(p, "complete", Value::Null);
            t.remove("tenderPeriod");
            t.insert("numberOfTenderers".into(), 1.into());
            t.insert("tenderers".into(), json!([company_reference(p.supplier)]));
            releases.push(json!({
                "ocid": p.ocid, "id": format!("{}-award", p.ocid), "date": iso(p.award_date),
                "tag": ["award", "contract"], "initiationType": "tender",
                "parties": [buyer, procuring, company(p.supplier, &["tenderer", "supplier"])],
                "buyer": reference(p.buyer.code, p.buyer.name),
                "planning": planning(p),
                "tender": t,
                "awards": [award(p)],
                "contracts": [contract(p)],
            }));
        }
    }
    if let (Some(amended), Some(date)) = (p.amended_cents, p.amendment_date) {
        let id = format!("{}-amendment-1", p.ocid);
        releases.push(json!({
            "ocid": p.ocid, "id": id, "date": iso(date),
            "tag": ["contractAmendment"], "initiationType": "tender",
            "contracts": [{
                "id": p.contract_id(), "value": value(amended),
                "amendments": [{
                    "id": id, "date": iso(date),
                    "rationale": "Additional concrete for the abutments after the bridge redesign",
                    "amendsReleaseID": format!("{}-contract", p.ocid), "releaseID": id,
                }],
            }],
        }));
    }
    if let Some(last) = p.payments.last() {
        let transactions: Vec<Value> = p
            .payments
            .iter()
            .map(|t| {
                json!({
                    "id": t.id, "source": p.budget_line, "date": iso(t.date),
                    "value": value(t.cents),
                    "payer": reference(p.buyer.code, p.buyer.name),
                    "payee": company_reference(p.supplier),
                })
            })
            .collect();
        releases.push(json!({
            "ocid": p.ocid, "id": format!("{}-implementation", p.ocid), "date": iso(last.date),
            "tag": ["implementation"], "initiationType": "tender",
            "parties": [
                department(p.buyer, &["buyer", "payer"]),
                company(p.supplier, &["tenderer", "supplier", "payee"]),
            ],
            "contracts": [{"id": p.contract_id(), "implementation": {"transactions": transactions}}],
        }));
    }
    releases
}

/// `planning.budget`: the budget line the process is planned on (the budget file's
/// `budget_line_id`) and the value reserved for it.
fn planning(p: &Process) -> Value {
    json!({"budget": {"id": p.budget_line, "amount": value(p.estimate_cents)}})
}

fn tender(p: &Process, status: &str, period: Value) -> Map<String, Value> {
    let Value::Object(t) = json!({
        "id": format!("{}-tender", p.ocid), "title": p.title, "status": status,
        "procurementMethod": p.method, "procurementMethodDetails": p.method_details,
        "mainProcurementCategory": p.category, "value": value(p.estimate_cents),
        "tenderPeriod": period,
        "procuringEntity": reference(PROC.code, PROC.name),
    }) else {
        return Map::new();
    };
    t
}

fn award(p: &Process) -> Value {
    json!({
        "id": p.award_id(), "title": p.title, "status": "active", "date": iso(p.award_date),
        "value": value(p.award_cents), "suppliers": [company_reference(p.supplier)],
    })
}

fn contract(p: &Process) -> Value {
    json!({
        "id": p.contract_id(), "awardID": p.award_id(), "title": p.title, "status": "active",
        "value": value(p.award_cents), "dateSigned": iso(p.signed),
        "period": {"startDate": iso(p.signed), "endDate": iso(p.end)},
    })
}

fn value(cents: i64) -> Value {
    json!({"amount": cents as f64 / 100.0, "currency": "EUR"})
}

fn reference(code: &str, name: &str) -> Value {
    json!({"id": code, "name": name})
}

fn company_reference(c: &Company) -> Value {
    reference(c.code, c.name)
}

fn department(d: &Department, roles: &[&str]) -> Value {
    let (scheme, id) = d.identifier();
    json!({
        "id": d.code, "name": d.name, "roles": roles,
        "identifier": {"scheme": scheme, "id": id, "legalName": d.name},
    })
}

fn company(c: &Company, roles: &[&str]) -> Value {
    let (scheme, id) = c.identifier();
    json!({
        "id": c.code, "name": c.name, "roles": roles,
        "identifier": {"scheme": scheme, "id": id, "legalName": c.name},
    })
}
