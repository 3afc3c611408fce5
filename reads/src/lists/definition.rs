//! What a list is: its SQL (`FROM`, column expressions, filter predicates, sort keys) and
//! how its columns and filters are named and shown, declared once as a [`ListDef`].

/// How a column's value is shown (JSON and CSV carry the raw value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// An integer, thousands separated on pages.
    Count,
    /// A decimal or amount, right-aligned, shown as given (the SQL decides the rounding).
    Number,
    /// A `timestamptz`, shown as `YYYY-MM-DD HH:MM UTC`.
    Time,
    /// A date.
    Date,
    /// A hash or address (`0x…`), shortened on pages with the full value in a tooltip.
    Hash,
    /// A trust state (`imported`, `anchored`, `final`, or for chain rows `pending`), as a badge.
    Trust,
    /// Comma-separated short labels (red-flag ids, …) shown as badges.
    Badges,
}

/// One column of a list.
#[derive(Debug, Clone, Copy)]
pub struct ListColumn {
    /// The JSON key and CSV header; also the `sort=` value when sortable.
    pub key: &'static str,
    /// The table header on pages.
    pub label: &'static str,
    /// The SQL expression (over the list's `FROM`).
    pub sql: &'static str,
    pub kind: ColumnKind,
    pub sortable: bool,
    /// A link for the cell: a path with `{key}` placeholders filled from this row's values
    /// (percent-encoded), e.g. `/lots/{lot_code}`.
    pub href: Option<&'static str>,
    /// Exported (JSON, CSV) but not shown as a column on pages (ids used by links).
    pub hidden: bool,
    /// Another column's key whose value pages show in small type after this one's, when it
    /// differs (a party's or site's code after its name).
    pub detail: Option<&'static str>,
}

impl ListColumn {
    pub const fn new(key: &'static str, label: &'static str, sql: &'static str) -> Self {
        Self {
            key,
            label,
            sql,
            kind: ColumnKind::Text,
            sortable: false,
            href: None,
            hidden: false,
            detail: None,
        }
    }
    pub const fn kind(mut self, kind: ColumnKind) -> Self {
        self.kind = kind;
        self
    }
    pub const fn sortable(mut self) -> Self {
        self.sortable = true;
        self
    }
    pub const fn link(mut self, href: &'static str) -> Self {
        self.href = Some(href);
        self
    }
    pub const fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
    /// Show column `key`'s value in small type after this one's (the `detail` field).
    pub const fn detail(mut self, key: &'static str) -> Self {
        self.detail = Some(key);
        self
    }
}

/// How a filter is entered on the page.
#[derive(Debug, Clone, Copy)]
pub enum FilterKind {
    /// Free text.
    Text,
    /// One of fixed values: (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// A date (`YYYY-MM-DD`).
    Date,
    /// A number.
    Number,
    /// A hash or address: `0x` and hex digits (checked before the query runs).
    Hash,
}

/// One filter: `?key=value` in the URL adds `sql` (with `?` bound to the value) to the
/// `WHERE` clause.
#[derive(Debug, Clone, Copy)]
pub struct ListFilter {
    pub key: &'static str,
    pub label: &'static str,
    /// A predicate with `?` for the value, e.g. `lot_code ILIKE '%' || ? || '%'` or
    /// `shipped_at >= ?::date`. Each `?` is bound to the same value.
    pub sql: &'static str,
    pub kind: FilterKind,
}

impl ListFilter {
    pub const fn new(
        key: &'static str,
        label: &'static str,
        sql: &'static str,
        kind: FilterKind,
    ) -> Self {
        Self {
            key,
            label,
            sql,
            kind,
        }
    }
}

/// A list, declared once.
#[derive(Debug)]
pub struct ListDef {
    /// `/api/v1/<name>` and the export's file name.
    pub name: &'static str,
    /// The HTML page's path.
    pub path: &'static str,
    /// The area it belongs to (navigation), e.g. `/materials`.
    pub area: &'static str,
    pub title: &'static str,
    /// One sentence under the title: what a row is.
    pub description: &'static str,
    /// `FROM` clause: a table or view, with joins.
    pub from: &'static str,
    /// Always applied (e.g. `kind = 'supplier'`), or "".
    pub condition: &'static str,
    pub columns: &'static [ListColumn],
    pub filters: &'static [ListFilter],
    /// Default sort key and whether descending.
    pub default_sort: (&'static str, bool),
    /// SQL expressions that make the order unique (appended to every ORDER BY).
    pub tie_break: &'static str,
}

impl ListDef {
    pub fn column(&self, key: &str) -> Option<&ListColumn> {
        self.columns.iter().find(|c| c.key == key)
    }

    pub fn api_path(&self) -> String {
        format!("/api/v1/{}", self.name)
    }
}
