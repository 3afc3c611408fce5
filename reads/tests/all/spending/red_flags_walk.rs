//! The chunked walk of the procurement listing (`walk_flagged_processes`,
//! `page_of_flagged_processes`) gives exactly the rows, flags and order of the in-memory
//! evaluation (`list_flagged_processes`) on a generated city whose buyers' awards span many
//! chunks: repeated-award and split-purchase windows cross every chunk boundary.

use chrono::Datelike;
use citytrace_reads::spending::{
    list_flagged_processes, page_of_flagged_processes, summarise_flagged_processes,
    walk_flagged_processes, ProcessFlagQuery, ProcessFlagSummary, ProcessWalk, RedFlagRule,
    RedFlagRules,
};
use serde_json::{json, Value};

use super::fixture::{award, release, supplier, City, ENV, WORKS};

const SUPPLIERS: [(&str, &str); 3] = [
    ("W1", "Walk One Ltd"),
    ("W2", "Walk Two Ltd"),
    ("W3", "Walk Three Ltd"),
];
const METHODS: [&str; 3] = ["direct", "limited", "open"];
/// Under the goods threshold (221,000 EUR) alone; two within 30 days are at or above it.
const AMOUNTS: [&str; 4] = ["120000", "5000", "250000", "110500"];

/// 90 processes, pseudo-random but fixed: buyer, supplier, method, amount, and a date within
/// three years (several on the same day, so the ocid tie-break matters).
fn generated_releases() -> Vec<Value> {
    let mut seed: u64 = 0x5eed;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    (1..=90)
        .map(|n| {
            let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                + chrono::Days::new(next(1_000) / 4 * 4);
            let date = format!("{day}T00:00:00Z");
            let buyer = if next(4) == 0 { ENV } else { WORKS };
            let s = SUPPLIERS[next(3) as usize];
            let method = METHODS[next(3) as usize];
            let amount = AMOUNTS[next(4) as usize];
            release(
                &format!("ocds-ctwalk-{n:04}"),
                &format!("w{n}-r1"),
                &date,
                "award",
                buyer,
                json!({
                    "tender": {"id": "t", "status": "complete", "procurementMethod": method,
                               "mainProcurementCategory": "goods"},
                    "parties": [supplier(s)],
                    "awards": [award("a1", &date, amount, s)],
                }),
            )
        })
        .collect()
}

fn walked(
    c: &mut citytrace_schema::diesel::PgConnection,
    rules: &RedFlagRules,
    walk: &ProcessWalk,
    chunk: usize,
) -> Vec<ProcessFlagSummary> {
    let mut all = Vec::new();
    walk_flagged_processes(c, rules, walk, chunk, |_, rows| {
        all.extend(rows);
        citytrace_schema::diesel::QueryResult::Ok(true)
    })
    .unwrap();
    all
}

#[test]
fn the_chunked_walk_gives_the_in_memory_listing_whatever_the_chunk() {
    let city = City::new();
    city.ocds(generated_releases());
    let c = &mut city.conn();
    let rules = RedFlagRules::default();
    let env = city.party("XI-CT-ENV");
    let in_memory = |c: &mut _, flag, buyer_id| {
        list_flagged_processes(
            c,
            &rules,
            &ProcessFlagQuery {
                flag,
                buyer_id,
                limit: usize::MAX,
                ..Default::default()
            },
        )
        .unwrap()
        .processes
    };
    let everything = in_memory(c, None, None);
    assert_eq!(everything.len(), 90);
    // The city is worth testing on: both across-process rules raise, and not everywhere.
    for rule in [
        RedFlagRule::RepeatedNonCompetitiveAwards,
        RedFlagRule::SplitPurchases,
    ] {
        let n = everything
            .iter()
            .filter(|p| p.flags.contains(&rule))
            .count();
        assert!(n > 3 && n < 80, "{rule:?}: {n}");
    }

    let mut walks: Vec<(ProcessWalk, Vec<ProcessFlagSummary>)> = vec![
        (ProcessWalk::default(), everything.clone()),
        (
            ProcessWalk {
                buyer_id: Some(env),
                ..Default::default()
            },
            in_memory(c, None, Some(env)),
        ),
        (
            ProcessWalk {
                flagged_only: true,
                ..Default::default()
            },
            everything
                .iter()
                .filter(|p| !p.flags.is_empty())
                .cloned()
                .collect(),
        ),
        (
            ProcessWalk {
                method: Some("direct".into()),
                year: Some(2025),
                ..Default::default()
            },
            everything
                .iter()
                .filter(|p| {
                    p.procurement_method.as_deref() == Some("direct")
                        && p.last_release_date.year() == 2025
                })
                .cloned()
                .collect(),
        ),
    ];
    for rule in RedFlagRule::ALL {
        walks.push((
            ProcessWalk {
                flag: Some(rule),
                ..Default::default()
            },
            in_memory(c, Some(rule), None),
        ));
    }
    walks.push((
        ProcessWalk {
            flag: Some(RedFlagRule::SplitPurchases),
            buyer_id: Some(env),
            ..Default::default()
        },
        in_memory(c, Some(RedFlagRule::SplitPurchases), Some(env)),
    ));
    for (walk, expected) in &walks {
        for chunk in [1, 2, 7, 500] {
            assert_eq!(
                &walked(c, &rules, walk, chunk),
                expected,
                "{walk:?} in chunks of {chunk}"
            );
        }
        // Pages: the same rows and the same total, with or without a flag filter.
        for (offset, limit) in [(0, 50), (3, 4), (85, 50)] {
            let page = page_of_flagged_processes(c, &rules, walk, offset, limit).unwrap();
            assert_eq!(page.total, expected.len(), "{walk:?}");
            let want: Vec<_> = expected.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(page.processes, want, "{walk:?} from {offset}");
        }
    }

    // The summary (the spending overview's flagged count, per-rule counts and latest ten) is
    // the in-memory listing's, walked a chunk at a time.
    for (flagged_only, limit) in [(true, 10), (false, 0), (false, 95)] {
        let expected = list_flagged_processes(
            c,
            &rules,
            &ProcessFlagQuery {
                flagged_only,
                limit,
                ..Default::default()
            },
        )
        .unwrap();
        let walk = ProcessWalk {
            flagged_only,
            ..Default::default()
        };
        let summary = summarise_flagged_processes(c, &rules, &walk, limit).unwrap();
        assert_eq!(
            summary, expected,
            "flagged only: {flagged_only}, {limit} rows"
        );
    }
}
