//! A page of a list as the templates show it.

use askama::Template;
use serde_json::Value;

use super::{ColumnKind, FilterKind, ListDef, ListParams, ListUrl, PageOfRows, COUNT_CAP};
use crate::fmt;
use crate::layout::Layout;

pub struct HeaderView {
    pub label: &'static str,
    /// The link that sorts by this column (ascending, or flips the current direction).
    pub sort_href: Option<String>,
    /// `ascending` / `descending` on the sorted column (aria-sort), else "".
    pub aria_sort: &'static str,
    pub numeric: bool,
}

pub struct BadgeView {
    pub text: String,
    pub class: String,
}

pub struct CellView {
    pub text: String,
    pub href: Option<String>,
    /// The full value when the text is shortened (hashes).
    pub title: Option<String>,
    pub numeric: bool,
    pub badges: Vec<BadgeView>,
    /// Shown in small type after the text (a party's code after its name), when it differs.
    pub detail: Option<String>,
}

pub struct FilterView {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    /// `text`, `date`, `number` or `choice`.
    pub input: &'static str,
    pub choices: Vec<(&'static str, &'static str, bool)>,
}

/// The table, pagination and export links: the htmx fragment, also included by the page.
#[derive(Template)]
#[template(path = "lists/_table.html")]
pub struct ListView {
    pub name: &'static str,
    pub path: &'static str,
    pub headers: Vec<HeaderView>,
    pub rows: Vec<Vec<CellView>>,
    /// "1–50 of 1 234", "no rows".
    pub summary: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub page: u32,
    pub pages: String,
    pub csv_href: String,
    pub json_href: String,
    pub api_href: String,
}

#[derive(Template)]
#[template(path = "lists/page.html")]
pub struct ListPage {
    pub layout: Layout,
    pub title: &'static str,
    pub description: &'static str,
    pub filters: Vec<FilterView>,
    pub active_filters: usize,
    pub sort: &'static str,
    pub dir: &'static str,
    pub per_page: u32,
    pub table: ListView,
}

impl ListView {
    pub fn new(def: &'static ListDef, params: &ListParams, page: &PageOfRows) -> Self {
        let headers = def
            .columns
            .iter()
            .filter(|c| !c.hidden)
            .map(|c| {
                let current = params.sort == c.key;
                let descending = if current { !params.descending } else { false };
                HeaderView {
                    label: c.label,
                    sort_href: c.sortable.then(|| {
                        format!(
                            "{}{}",
                            def.path,
                            params.query_string(
                                def,
                                &[
                                    ("sort", Some(c.key)),
                                    ("dir", Some(if descending { "desc" } else { "asc" })),
                                    ("page", None)
                                ]
                            )
                        )
                    }),
                    aria_sort: match (current, params.descending) {
                        (false, _) => "",
                        (true, false) => "ascending",
                        (true, true) => "descending",
                    },
                    numeric: matches!(c.kind, ColumnKind::Count | ColumnKind::Number),
                }
            })
            .collect();
        let rows = page
            .rows
            .iter()
            .map(|text| {
                let row: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                def.columns
                    .iter()
                    .filter(|c| !c.hidden)
                    .map(|c| cell(c, &row))
                    .collect()
            })
            .collect();
        let first = u64::from(params.page - 1) * u64::from(params.per_page);
        let shown = page.rows.len() as u64;
        let capped = page.total > COUNT_CAP;
        let total = if capped {
            format!("more than {}", fmt::count(COUNT_CAP))
        } else {
            fmt::count(page.total)
        };
        let summary = if shown == 0 {
            if params.page > 1 {
                format!("No rows on page {} (there are {total}).", params.page)
            } else {
                "No rows match.".to_string()
            }
        } else {
            format!(
                "{}–{} of {total}",
                fmt::count(first as i64 + 1),
                fmt::count((first + shown) as i64)
            )
        };
        let has_next = capped || (first + shown) < page.total as u64;
        let pages = if capped {
            String::new()
        } else {
            let n = (page.total as u64)
                .div_ceil(u64::from(params.per_page))
                .max(1);
            format!("page {} of {}", params.page, fmt::count(n as i64))
        };
        let link = |changes: &[(&str, Option<&str>)]| {
            format!("{}{}", def.path, params.query_string(def, changes))
        };
        let prev = (params.page - 1).to_string();
        let next = (params.page + 1).to_string();
        Self {
            name: def.name,
            path: def.path,
            headers,
            rows,
            summary,
            prev_href: (params.page > 1).then(|| {
                link(&[(
                    "page",
                    if params.page == 2 {
                        None
                    } else {
                        Some(prev.as_str())
                    },
                )])
            }),
            next_href: (has_next && shown > 0).then(|| link(&[("page", Some(next.as_str()))])),
            page: params.page,
            pages,
            csv_href: link(&[("format", Some("csv")), ("page", None), ("per_page", None)]),
            json_href: link(&[("format", Some("json")), ("page", None), ("per_page", None)]),
            api_href: format!(
                "{}{}",
                def.api_path(),
                params.query_string(def, &[("format", None)])
            ),
        }
    }
}

impl ListPage {
    pub fn new(def: &'static ListDef, params: &ListParams, table: ListView) -> Self {
        let filters = def
            .filters
            .iter()
            .map(|f| {
                let value = params.filters.get(f.key).cloned().unwrap_or_default();
                let (input, choices) = match f.kind {
                    FilterKind::Text | FilterKind::Hash => ("text", Vec::new()),
                    FilterKind::Date => ("date", Vec::new()),
                    FilterKind::Number => ("number", Vec::new()),
                    FilterKind::Choice(options) => (
                        "choice",
                        options.iter().map(|(v, l)| (*v, *l, *v == value)).collect(),
                    ),
                };
                FilterView {
                    key: f.key,
                    label: f.label,
                    value,
                    input,
                    choices,
                }
            })
            .collect();
        Self {
            layout: Layout::new(def.title, def.area),
            title: def.title,
            description: def.description,
            filters,
            active_filters: params.filters.len(),
            sort: params.sort,
            dir: if params.descending { "desc" } else { "asc" },
            per_page: params.per_page,
            table,
        }
    }
}

/// A JSON value as text: strings as they are, null as empty.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

fn cell(column: &super::ListColumn, row: &Value) -> CellView {
    let value = &row[column.key];
    let raw = value_text(value);
    let href = column.href.and_then(|template| fill(template, row));
    let numeric = matches!(column.kind, ColumnKind::Count | ColumnKind::Number);
    let mut view = CellView {
        text: raw.clone(),
        href,
        title: None,
        numeric,
        badges: Vec::new(),
        detail: column
            .detail
            .map(|key| value_text(&row[key]))
            .filter(|detail| !detail.is_empty() && *detail != raw),
    };
    match column.kind {
        ColumnKind::Count => {
            if let Some(n) = value.as_i64() {
                view.text = fmt::count(n);
            }
        }
        ColumnKind::Time => {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&raw) {
                view.text = fmt::city_time(&t.with_timezone(&chrono::Utc));
            }
        }
        ColumnKind::Hash => {
            if let Some(short) = fmt::shortened(&raw, 8, 4) {
                view.text = short;
                view.title = Some(raw);
            }
        }
        ColumnKind::Trust => {
            view.badges = (!raw.is_empty())
                .then(|| BadgeView {
                    class: format!("trust-{raw}"),
                    text: raw,
                })
                .into_iter()
                .collect();
            view.text = String::new();
        }
        ColumnKind::Badges => {
            view.badges = raw
                .split(',')
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(|b| BadgeView {
                    text: b.to_string(),
                    class: "flag".into(),
                })
                .collect();
            view.text = String::new();
        }
        ColumnKind::Text | ColumnKind::Number | ColumnKind::Date => {}
    }
    view
}

/// `/lots/{lot_code}` with the row's values, percent-encoded; None when a value is missing.
fn fill(template: &str, row: &Value) -> Option<String> {
    // `{key}` alone: the value is itself a path of this site (views build them).
    if let Some(key) = template.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        if !key.contains(['{', '}']) {
            let value = value_text(&row[key]);
            return (value.starts_with('/') && !value.starts_with("//")).then_some(value);
        }
    }
    let mut out = String::new();
    let mut rest = template;
    while let Some((before, placeholder)) = rest.split_once('{') {
        let (key, after) = placeholder.split_once('}')?;
        out.push_str(before);
        let value = value_text(&row[key]);
        if value.is_empty() {
            return None;
        }
        out.push_str(&fmt::path_segment(&value));
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::query::encode;
    use super::*;

    #[test]
    fn links_are_filled_and_encoded_and_missing_values_give_no_link() {
        let row: Value = serde_json::json!({"code": "LOT 1/ä", "id": 7, "none": null});
        assert_eq!(
            fill("/lots/{code}?x={id}", &row).as_deref(),
            Some("/lots/LOT%201%2F%C3%A4?x=7")
        );
        assert_eq!(fill("/sites/{none}", &row), None);
        let paths: Value = serde_json::json!({"href": "/batches/3", "evil": "//evil.example"});
        assert_eq!(fill("{href}", &paths).as_deref(), Some("/batches/3"));
        assert_eq!(fill("{evil}", &paths), None);
        assert_eq!(encode("a b&c=d"), "a%20b%26c%3Dd");
    }
}
