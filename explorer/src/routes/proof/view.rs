//! The proof page's view: the proof file and its context in words and links.

use actix_web::HttpRequest;
use askama::Template;

use citytrace_importers::merkle::Side;
use citytrace_importers::proof::anchored::{AnchorRef, AnchoredProof};
use citytrace_reads::proofs::{NamedCode, ProofContext};
use citytrace_schema::models::{BatchAnchor, Chain, Finality};

use crate::fmt;
use crate::layout::Layout;
use crate::routes::api::proof_file_name;
use crate::routes::provenance::{batch_line_href, block_href, proof_file_href, tx_href};

/// A column of the row as imported.
pub struct Field {
    pub key: String,
    /// The value as imported (a site or party by name when the value is its code).
    pub text: String,
    /// The code, shown beside the name.
    pub code: Option<String>,
    /// Empty in the file.
    pub empty: bool,
    /// A nested value (JSON), shown as code.
    pub nested: bool,
}

pub struct PathStep {
    pub number: usize,
    pub side: &'static str,
    pub hash: String,
}

pub struct AnchorView {
    pub chain: String,
    pub tx: String,
    pub tx_href: String,
    pub block_number: u64,
    pub block_href: String,
    pub block_hash: String,
    pub contract: String,
}

#[derive(Template)]
#[template(path = "proof/show.html")]
pub struct ProofPage {
    pub layout: Layout,
    pub batch_id: i64,
    pub line: u64,
    pub row_href: String,
    pub batch_href: String,
    pub format: String,
    pub file_name: String,
    pub submitter: String,
    pub submitter_code: Option<String>,
    pub fields: Vec<Field>,
    pub canonical: String,
    pub leaf: String,
    pub position: String,
    pub path: Vec<PathStep>,
    pub root: String,
    pub anchor: Option<AnchorView>,
    /// How final the anchor is, in words.
    pub finality: String,
    /// trust-imported, trust-anchored, trust-final.
    pub finality_class: &'static str,
    pub finality_label: &'static str,
    pub commands: String,
    pub proof_file_href: String,
    pub proof_file_name: String,
}

/// The string values of a row that may name a site or a party.
pub fn codes_in(canonical: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(row)) = serde_json::from_str(canonical) else {
        return Vec::new();
    };
    row.into_iter()
        .filter_map(|(_, v)| match v {
            serde_json::Value::String(s) if s.chars().count() <= 100 => Some(s),
            _ => None,
        })
        .collect()
}

/// Where the reader reached the explorer (`http://host`), for the command they copy; a host
/// with characters a shell would read is not repeated.
pub fn explorer_origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    let host = info.host();
    let plain = |c: char| c.is_ascii_alphanumeric() || ".-:[]".contains(c);
    if host.chars().all(plain) {
        format!("{}://{host}", info.scheme())
    } else {
        "http://EXPLORER".into()
    }
}

pub fn proof_page(proof: AnchoredProof, context: ProofContext, explorer: &str) -> ProofPage {
    let row = &proof.row;
    let (batch_id, line) = (row.batch_id, row.line);
    let (finality_label, finality_class, finality) = finality_words(&proof, &context);
    let submitter = match &context.submitter_name {
        Some(name) => (name.clone(), Some(context.batch.submitter.clone())),
        None => (context.batch.submitter.clone(), None),
    };
    ProofPage {
        layout: Layout::new(&format!("Proof of line {line} of batch {batch_id}"), ""),
        batch_id,
        line,
        row_href: batch_line_href(batch_id, i32::try_from(line).unwrap_or(i32::MAX)),
        batch_href: format!("/batches/{batch_id}"),
        format: context.batch.kind.clone(),
        file_name: context.batch.file_name.clone(),
        submitter: submitter.0,
        submitter_code: submitter.1,
        fields: fields(&row.canonical, &context.names),
        canonical: row.canonical.clone(),
        leaf: citytrace_schema::hex0x(&row.leaf),
        position: format!("row {} of {}", row.index + 1, row.leaf_count),
        path: row
            .path
            .iter()
            .enumerate()
            .map(|(i, step)| PathStep {
                number: i + 1,
                side: match step.side {
                    Side::Left => "sibling on the left",
                    Side::Right => "sibling on the right",
                },
                hash: citytrace_schema::hex0x(&step.hash),
            })
            .collect(),
        root: citytrace_schema::hex0x(&row.root),
        anchor: proof.anchor.as_ref().map(|a| anchor_view(a, &context)),
        finality,
        finality_class,
        finality_label,
        commands: commands(&proof, explorer),
        proof_file_href: proof_file_href(batch_id, line),
        proof_file_name: proof_file_name(batch_id, line),
    }
}

fn fields(canonical: &str, names: &[NamedCode]) -> Vec<Field> {
    let Ok(serde_json::Value::Object(row)) = serde_json::from_str(canonical) else {
        return Vec::new();
    };
    row.into_iter()
        .filter(|(key, _)| key != "encoding" && key != "line")
        .map(|(key, value)| match value {
            serde_json::Value::String(s) if key == "unit" && fmt::unit(&s) != s => Field {
                key,
                text: fmt::unit(&s),
                code: Some(s),
                empty: false,
                nested: false,
            },
            serde_json::Value::String(s) => match names.iter().find(|n| n.code == s) {
                Some(named) => Field {
                    key,
                    text: named.name.clone(),
                    code: Some(s),
                    empty: false,
                    nested: false,
                },
                None => Field {
                    key,
                    text: s,
                    code: None,
                    empty: false,
                    nested: false,
                },
            },
            serde_json::Value::Null => Field {
                key,
                text: "empty in the file".into(),
                code: None,
                empty: true,
                nested: false,
            },
            other => Field {
                key,
                text: other.to_string(),
                code: None,
                empty: false,
                nested: !other.is_number(),
            },
        })
        .collect()
}

fn anchor_view(a: &AnchorRef, context: &ProofContext) -> AnchorView {
    let chain_id = i64::try_from(a.chain_id).unwrap_or(i64::MAX);
    let number = i64::try_from(a.block_number).unwrap_or(i64::MAX);
    AnchorView {
        chain: match &context.chain {
            Some(c) => format!("{} (chain {})", c.name, c.chain_id),
            None => format!("chain {}", a.chain_id),
        },
        tx: citytrace_schema::hex0x(&a.tx_hash),
        tx_href: tx_href(chain_id, &a.tx_hash),
        block_number: a.block_number,
        block_href: block_href(chain_id, number),
        block_hash: citytrace_schema::hex0x(&a.block_hash),
        contract: citytrace_schema::hex0x(&a.contract),
    }
}

/// The badge and the sentence saying how far the ledger vouches for the row.
fn finality_words(
    proof: &AnchoredProof,
    context: &ProofContext,
) -> (&'static str, &'static str, String) {
    let Some(anchor) = &proof.anchor else {
        let sent = match &context.submission {
            Some(s) => match &s.last_error {
                Some(err) => format!(" Anchoring trouble: {err}"),
                None => format!(
                    " The anchoring transaction {} was sent {}; it is waiting to be indexed.",
                    fmt::short_hash(&s.tx_hash),
                    fmt::city_time(&s.submitted_at)
                ),
            },
            None => String::new(),
        };
        return (
            "imported",
            "trust-imported",
            format!("Not anchored yet: the batch's root is not on the ledger yet, so the ledger cannot vouch for this row.{sent}"),
        );
    };
    let n = anchor.block_number;
    let seen = confirmations(context.anchor.as_ref(), context.chain.as_ref());
    match context.anchor.as_ref().map(|a| a.finality.as_str()) {
        Some(f) if f == Finality::Final.as_str() => (
            "final",
            "trust-final",
            match seen {
                Some((k, head)) => format!("Final: block {n} can no longer be reorganised away ({k}: the ledger's head was block {head} when last seen)."),
                None => format!("Final: block {n} can no longer be reorganised away."),
            },
        ),
        _ => (
            "anchored",
            "trust-anchored",
            match seen {
                Some((k, head)) => format!("Anchored, not final yet: block {n} has {k} (the ledger's head was block {head} when last seen); until it is final a reorganisation could still remove it."),
                None => format!("Anchored, not final yet: block {n} is on the ledger; until it is final a reorganisation could still remove it."),
            },
        ),
    }
}

/// "3 confirmations" and the head they were counted from, when the chain's head is known.
fn confirmations(anchor: Option<&BatchAnchor>, chain: Option<&Chain>) -> Option<(String, i64)> {
    let head = chain?.head_number?;
    let k = head.checked_sub(anchor?.block_number)?.max(0);
    let word = if k == 1 {
        "confirmation"
    } else {
        "confirmations"
    };
    Some((format!("{k} {word}"), head))
}

/// The commands that fetch the proof file and check it against the ledger alone.
fn commands(proof: &AnchoredProof, explorer: &str) -> String {
    let (batch, line) = (proof.row.batch_id, proof.row.line);
    let file = proof_file_name(batch, line);
    let contract = match &proof.anchor {
        Some(a) => format!(" --contract {}", citytrace_schema::hex0x(&a.contract)),
        None => String::new(),
    };
    format!(
        "curl -fsS -o {file} {explorer}{}\ncitytrace verify {file} --rpc \"$LEDGER_RPC\"{contract}",
        proof_file_href(batch, line)
    )
}
