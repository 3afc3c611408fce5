//! `citytrace party list` written as a table, CSV or JSON.

use citytrace_reads::parties::PartyListing;

const HEADER: [&str; 6] = ["code", "name", "kind", "gln", "roles", "tokens"];

/// "1 active, 2 revoked", "none".
fn tokens(p: &PartyListing) -> String {
    match (p.active_tokens, p.revoked_tokens) {
        (0, 0) => "none".into(),
        (a, 0) => format!("{a} active"),
        (0, r) => format!("{r} revoked"),
        (a, r) => format!("{a} active, {r} revoked"),
    }
}

/// The parties as an aligned table, or a sentence when there is none.
pub fn table(parties: &[PartyListing]) -> String {
    if parties.is_empty() {
        return "No parties. Add one with `citytrace party add CODE --name NAME`.\n".into();
    }
    let rows: Vec<[String; 6]> = parties
        .iter()
        .map(|p| {
            [
                p.code.clone(),
                p.name.clone(),
                p.kind.clone(),
                p.gln.clone().unwrap_or_else(|| "–".into()),
                if p.roles.is_empty() {
                    "–".into()
                } else {
                    p.roles.join(", ")
                },
                tokens(p),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(HEADER);
    for row in &rows {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}

/// One row a party: roles separated by spaces, tokens as two counts.
pub fn csv(parties: &[PartyListing]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code",
        "name",
        "kind",
        "gln",
        "roles",
        "active_tokens",
        "revoked_tokens",
    ])?;
    for p in parties {
        w.write_record([
            formula_safe(&p.code),
            formula_safe(&p.name),
            p.kind.clone(),
            p.gln.clone().unwrap_or_default(),
            formula_safe(&p.roles.join(" ")),
            p.active_tokens.to_string(),
            p.revoked_tokens.to_string(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// A cell a spreadsheet would run as a formula gets a leading `'`, as the explorer's exports do.
fn formula_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

pub fn json(parties: &[PartyListing]) -> anyhow::Result<String> {
    let items: Vec<serde_json::Value> = parties
        .iter()
        .map(|p| {
            serde_json::json!({
                "code": p.code,
                "name": p.name,
                "kind": p.kind,
                "gln": p.gln,
                "roles": p.roles,
                "tokens": {"active": p.active_tokens, "revoked": p.revoked_tokens},
            })
        })
        .collect();
    Ok(serde_json::to_string_pretty(&items)?)
}
