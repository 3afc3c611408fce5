//! What the demo plays onto its two local chains, consistent with the generated files, so
//! every decoder has real events to index: on the city ledger, the treasury's allocation of
//! each 2026 budget line and a payment for every payment the procurement releases record
//! (same ocid, same amount, from the process's budget line: `PaymentMadeOnBudgetLine`), and
//! inspections of delivered concrete lots (TraceRegistry); on
//! the stand-in public chain, carbon credits minted, transferred and retired for the city
//! the Toucan way (both event signatures) and the KlimaDAO way.

use anyhow::Context;
use sha2::{Digest, Sha256};

use citytrace_indexer::evm::{
    CarbonRetirementCall, DemoLedger, DeployedContracts, EvmSigner, PaymentCall, TraceEventCall,
};

use citytrace_reads::MethodSettings;

use crate::demo_city::{self, GeneratedCity};

/// The city's own address on the public chain (demo only).
pub const CITY_ADDRESS: [u8; 20] = [0xc1; 20];

fn id(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A party's stand-in address: the first 20 bytes of the hash of its code.
fn address(code: &str) -> [u8; 20] {
    let mut a = [0u8; 20];
    a.copy_from_slice(&id(code)[..20]);
    a
}

/// Allocations, payments and inspections on the city ledger; returns how many transactions.
pub async fn play_ledger(
    signer: &EvmSigner,
    contracts: &DeployedContracts,
    city: &GeneratedCity,
) -> anyhow::Result<usize> {
    let treasury = contracts.city_treasury;
    let mut sent = 0;
    for a in demo_city::allocations(&city.world, city.manifest.seed) {
        signer
            .allocate(
                treasury,
                id(&format!("budget/{}", a.line_id)),
                2026,
                a.department,
                &a.program,
                a.cofog,
                a.cents as u128,
                "EUR",
            )
            .await
            .with_context(|| format!("recording the allocation of budget line {}", a.line_id))?;
        sent += 1;
    }
    for process in &city.world.processes {
        for p in &process.payments {
            let payment = PaymentCall {
                payment_id: id(&p.id),
                payee: address(process.supplier.code),
                department: process.buyer.code.into(),
                payee_name: process.supplier.name.into(),
                amount_minor: p.cents as u128,
                currency: "EUR".into(),
                contract_ref: process.ocid.clone(),
            };
            signer
                .pay_on_budget_line(treasury, &payment, &process.budget_line)
                .await
                .with_context(|| format!("recording payment {}", p.id))?;
            sent += 1;
        }
    }
    for inspection in &city.inspections {
        let event = TraceEventCall {
            event_hash: id(&format!(
                "inspection/{}/{}",
                inspection.lot,
                inspection.at.timestamp()
            )),
            event_type: "ObjectEvent".into(),
            biz_step: "inspecting".into(),
            disposition: if inspection.conformant {
                "conformant"
            } else {
                "non_conformant"
            }
            .into(),
            epc: inspection.lot.clone(),
            biz_location: inspection.site.clone(),
            event_time: inspection.at.timestamp() as u64,
        };
        signer
            .record_trace_event(contracts.trace_registry, &event)
            .await
            .context("recording an inspection")?;
        sent += 1;
    }
    Ok(sent)
}

/// The demo city's `[methods]` settings: the defaults, with the city's beneficiaries — the
/// KlimaDAO retirement names [`CITY_ADDRESS`], and a Toucan retirement's beneficiary is the
/// account that retires (the demo's sender on the public chain) — so the retirements
/// [`play_public`] records count in the city's net position.
pub fn city_methods(public: &DemoLedger) -> MethodSettings {
    let mut methods = MethodSettings::default();
    methods.carbon.city_beneficiary_addresses = vec![
        citytrace_schema::hex0x(&CITY_ADDRESS),
        citytrace_schema::hex0x(&public.sender()),
    ];
    methods
}

/// Carbon credits on the stand-in public chain: 500 t minted, 300 t moved to the city and 50 t
/// elsewhere, 120.5 t retired (current Toucan event), 10 t retired (2021 event), 250 t retired
/// through KlimaDAO for the city as beneficiary.
pub async fn play_public(ledger: &DemoLedger) -> anyhow::Result<usize> {
    const T: u128 = 1_000_000_000_000_000_000;
    ledger.mint(ledger.sender(), 500 * T).await?;
    ledger
        .batch_transfer(&[CITY_ADDRESS, [0x0b; 20]], &[300 * T, 50 * T])
        .await?;
    ledger.retire(120 * T + T / 2).await?;
    ledger.retire_legacy(10 * T).await?;
    ledger
        .klima_retire(&CarbonRetirementCall {
            carbon_bridge: 0,
            retiring_entity: "City of Example".into(),
            beneficiary: CITY_ADDRESS,
            beneficiary_name: "City of Example — 2026 municipal operations".into(),
            message: "Offsetting residual scope 1 emissions of the city's vehicle fleets, 2026"
                .into(),
            carbon_pool: [0x0c; 20],
            carbon_token: ledger.carbon_credit,
            amount: 250 * T,
        })
        .await?;
    Ok(5)
}
