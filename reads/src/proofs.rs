//! What a row's proof page shows beside the proof itself (which the importers rebuild,
//! `citytrace_importers::proof::anchored`): the batch and who submitted it, how final its
//! anchor is as the indexer last saw the chain, the anchoring under way when there is none yet,
//! and the names of the sites and parties the row names by code.

use diesel::prelude::*;

use citytrace_schema::models::{AnchorSubmission, BatchAnchor, Chain, ImportBatch};
use citytrace_schema::schema::{batch_anchors, chains, parties, sites};

/// The anchor the proof names: which log of which block of which chain.
#[derive(Debug, Clone, Copy)]
pub struct AnchorKey<'a> {
    pub chain_id: i64,
    pub block_hash: &'a [u8],
    pub log_index: i32,
}

/// A code or GLN written in a row, and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCode {
    pub code: String,
    pub name: String,
    /// `site` or `party`.
    pub kind: &'static str,
}

#[derive(Debug, Clone)]
pub struct ProofContext {
    pub batch: ImportBatch,
    /// The submitter's name, when the submitter is a registered party.
    pub submitter_name: Option<String>,
    /// The indexed anchor the proof names (its finality as the indexer last saw it).
    pub anchor: Option<BatchAnchor>,
    /// The anchor's chain (its head as last seen).
    pub chain: Option<Chain>,
    /// The anchoring transaction sent for the batch, while none is indexed.
    pub submission: Option<AnchorSubmission>,
    /// The sites and parties among `codes`.
    pub names: Vec<NamedCode>,
}

/// Batch `batch_id` as its row's proof page shows it; `None` when there is no such batch.
/// `codes`: the row's values that may name a site or a party (by code or GLN).
pub fn load_proof_context(
    conn: &mut PgConnection,
    batch_id: i64,
    anchor: Option<AnchorKey<'_>>,
    codes: &[String],
) -> QueryResult<Option<ProofContext>> {
    let batch = match ImportBatch::find(conn, batch_id) {
        Ok(batch) => batch,
        Err(diesel::result::Error::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let submitter_name = parties::table
        .filter(parties::code.eq(&batch.submitter))
        .select(parties::name)
        .first::<String>(conn)
        .optional()?;
    let (anchor, chain) = match anchor {
        Some(key) => indexed_anchor(conn, key)?,
        None => (None, None),
    };
    let submission = match anchor {
        Some(_) => None,
        None => AnchorSubmission::find(conn, batch_id)?,
    };
    Ok(Some(ProofContext {
        batch,
        submitter_name,
        anchor,
        chain,
        submission,
        names: names_of(conn, codes)?,
    }))
}

fn indexed_anchor(
    conn: &mut PgConnection,
    key: AnchorKey<'_>,
) -> QueryResult<(Option<BatchAnchor>, Option<Chain>)> {
    let anchor = batch_anchors::table
        .filter(batch_anchors::chain_id.eq(key.chain_id))
        .filter(batch_anchors::block_hash.eq(key.block_hash))
        .filter(batch_anchors::log_index.eq(key.log_index))
        .select(BatchAnchor::as_select())
        .first(conn)
        .optional()?;
    let chain = chains::table
        .find(key.chain_id)
        .select(Chain::as_select())
        .first(conn)
        .optional()?;
    Ok((anchor, chain))
}

/// The sites and parties whose code or GLN is one of `codes`, sites first.
fn names_of(conn: &mut PgConnection, codes: &[String]) -> QueryResult<Vec<NamedCode>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut named = Vec::new();
    let found: Vec<(String, Option<String>, String)> = sites::table
        .filter(sites::code.eq_any(codes).or(sites::gln.eq_any(codes)))
        .select((sites::code, sites::gln, sites::name))
        .load(conn)?;
    named.extend(
        found
            .into_iter()
            .flat_map(|(code, gln, name)| known(codes, code, gln, name, "site")),
    );
    let found: Vec<(String, Option<String>, String)> = parties::table
        .filter(parties::code.eq_any(codes).or(parties::gln.eq_any(codes)))
        .select((parties::code, parties::gln, parties::name))
        .load(conn)?;
    named.extend(
        found
            .into_iter()
            .flat_map(|(code, gln, name)| known(codes, code, gln, name, "party")),
    );
    Ok(named)
}

/// The entries a row's `codes` meet (by code, by GLN, or both), when the name says more than
/// the code.
fn known(
    codes: &[String],
    code: String,
    gln: Option<String>,
    name: String,
    kind: &'static str,
) -> Vec<NamedCode> {
    [Some(code), gln]
        .into_iter()
        .flatten()
        .filter(|c| codes.contains(c) && *c != name)
        .map(|c| NamedCode {
            code: c,
            name: name.clone(),
            kind,
        })
        .collect()
}
