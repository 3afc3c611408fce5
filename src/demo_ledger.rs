//! What the demo plays onto its two local chains, so every decoder has real events to index:
//! on the city ledger, budget allocations and payments (CityTreasury) and site inspections of
//! delivered concrete (TraceRegistry); on the stand-in public chain, carbon credits minted,
//! transferred and retired the Toucan way (both event signatures) and the KlimaDAO way.

use anyhow::Context;
use sha2::{Digest, Sha256};

use citytrace_importers::shipments;
use citytrace_indexer::evm::{
    CarbonRetirementCall, DemoLedger, DeployedContracts, EvmSigner, PaymentCall, TraceEventCall,
};

use crate::demo_city::DemoCity;

/// Minor units per euro.
const CENTS: u128 = 100;

/// The city's own address on the public chain (demo only).
pub const CITY_ADDRESS: [u8; 20] = [0xc1; 20];

fn id(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Allocations, payments and inspections on the city ledger; returns how many transactions.
pub async fn play_ledger(
    signer: &EvmSigner,
    contracts: &DeployedContracts,
    city: &DemoCity,
) -> anyhow::Result<usize> {
    let treasury = contracts.city_treasury;
    let budget = [
        (
            "Public Works",
            "Bridges and roads",
            "04.5",
            4_850_000 * CENTS,
        ),
        (
            "Public Works",
            "School buildings",
            "09.1",
            2_300_000 * CENTS,
        ),
        ("Environment", "Waste management", "05.1", 1_150_000 * CENTS),
    ];
    let mut sent = 0;
    for (department, program, cofog, amount) in budget {
        signer
            .allocate(
                treasury,
                id(&format!("FY2026/{program}")),
                2026,
                department,
                program,
                cofog,
                amount,
                "EUR",
            )
            .await
            .context("recording a budget allocation")?;
        sent += 1;
    }
    let payments = [
        (
            "MRM",
            "Metro Ready-Mix",
            186_450 * CENTS,
            "ocds-ctdemo-2026-0007",
        ),
        (
            "HSM",
            "Harbour Steel Mill",
            94_200 * CENTS,
            "ocds-ctdemo-2026-0009",
        ),
        (
            "MRM",
            "Metro Ready-Mix",
            61_980 * CENTS,
            "ocds-ctdemo-2026-0007",
        ),
    ];
    for (n, (code, name, amount, contract_ref)) in payments.into_iter().enumerate() {
        let payment = PaymentCall {
            payment_id: id(&format!("PAY-2026-{n:04}")),
            payee: id(code)[..20].try_into().unwrap_or_default(),
            department: "Public Works".into(),
            payee_name: name.into(),
            amount_minor: amount,
            currency: "EUR".into(),
            contract_ref: contract_ref.into(),
        };
        signer
            .pay(treasury, &payment)
            .await
            .context("recording a payment")?;
        sent += 1;
    }
    // Inspections of the first concrete deliveries, at the construction site, two hours after
    // they were received.
    let concrete = city
        .files
        .iter()
        .find(|f| f.supplier == "MRM")
        .context("the demo city has no concrete supplier")?;
    let records = shipments::parse_all(concrete.csv.as_bytes(), Default::default())
        .map_err(|e| anyhow::anyhow!(e.table()))?;
    for r in records.iter().filter(|r| r.received_at.is_some()).take(4) {
        let at = r.received_at.unwrap_or(r.shipped_at) + chrono::Duration::hours(2);
        let event = TraceEventCall {
            event_hash: id(&format!("inspection/{}/{}", r.lot, at.timestamp())),
            event_type: "ObjectEvent".into(),
            biz_step: "inspecting".into(),
            disposition: "conformant".into(),
            epc: r.lot.clone(),
            biz_location: r.to_site.clone(),
            event_time: at.timestamp() as u64,
        };
        signer
            .record_trace_event(contracts.trace_registry, &event)
            .await
            .context("recording an inspection")?;
        sent += 1;
    }
    Ok(sent)
}

/// Carbon credits on the stand-in public chain: 500 t minted to the city, some moved, 120.5 t
/// retired (current Toucan event), 10 t retired (2021 event), 250 t retired through KlimaDAO.
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
            message: "Offsetting residual scope 1 emissions of the city fleet, 2026".into(),
            carbon_pool: [0x0c; 20],
            carbon_token: ledger.carbon_credit,
            amount: 250 * T,
        })
        .await?;
    Ok(5)
}
