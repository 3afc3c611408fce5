//! What every page's frame needs: title, the active area, fingerprinted asset URLs, the zone
//! its times are in.

use crate::assets;

/// The areas of the explorer, in navigation order: (path, label).
pub const AREAS: &[(&str, &str)] = &[
    ("/materials", "Materials"),
    ("/cold-chain", "Cold chain"),
    ("/waste", "Waste"),
    ("/emissions", "Emissions"),
    ("/spending", "Spending"),
    ("/ledger", "Ledger"),
];

pub struct NavItem {
    pub path: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub struct Layout {
    pub title: String,
    pub nav: Vec<NavItem>,
    pub css_url: String,
    pub htmx_url: String,
    pub query: String,
    /// The zone the page's times are in, named once in the footer.
    pub time_zone: &'static str,
}

impl Layout {
    /// `active`: the path of the current area ("" for none).
    pub fn new(title: &str, active: &str) -> Self {
        Self {
            title: title.to_string(),
            nav: AREAS
                .iter()
                .map(|(path, label)| NavItem {
                    path,
                    label,
                    active: *path == active,
                })
                .collect(),
            css_url: assets::url("app.css"),
            htmx_url: assets::url(assets::HTMX),
            query: String::new(),
            time_zone: crate::fmt::zone::city_zone().name(),
        }
    }

    pub fn with_query(mut self, query: &str) -> Self {
        self.query = query.to_string();
        self
    }
}
