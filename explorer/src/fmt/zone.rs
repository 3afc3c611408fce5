//! Times in the city's zone: `[explorer] time_zone` of `citytrace.toml` or
//! `citytrace serve --time-zone` (UTC unless set), kept in [`crate::state::AppState`], named once
//! per page in the footer ("Times in Europe/Amsterdam"), so a time on a page carries no zone
//! of its own — except in the hour a clock set back repeats, where "02:30" happens twice and
//! says which ("02:30 CEST", then "02:30 CET").
//!
//! Every request runs in its app's zone (the middleware [`crate::state::in_city_zone`], and
//! [`crate::state::AppState::db`] for its blocking work), so a page's code writes
//! [`city_time`] and never passes the zone along. The zones are the IANA database compiled into
//! the binary (chrono-tz): nothing to install, the same answer on every machine.

use std::future::Future;
use std::str::FromStr;

use chrono::{DateTime, LocalResult, TimeZone, Utc};
use chrono_tz::Tz;

/// An IANA time zone a city keeps its clocks in (`Europe/Amsterdam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityZone(Tz);

/// A zone name the IANA database does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone {given:?}: give an IANA zone name, written as in the database \
     (Europe/Amsterdam, Europe/Lisbon, America/New_York, Asia/Tokyo or UTC; the list: \
     https://en.wikipedia.org/wiki/List_of_tz_database_time_zones)"
)]
pub struct UnknownZone {
    pub given: String,
}

impl CityZone {
    pub const UTC: CityZone = CityZone(Tz::UTC);

    /// The zone named `name` (`Europe/Amsterdam`), as the IANA database spells it.
    pub fn parse(name: &str) -> Result<Self, UnknownZone> {
        Tz::from_str(name).map(CityZone).map_err(|_| UnknownZone {
            given: name.to_string(),
        })
    }

    /// Its IANA name, as pages name it.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

impl Default for CityZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl FromStr for CityZone {
    type Err = UnknownZone;

    fn from_str(name: &str) -> Result<Self, UnknownZone> {
        Self::parse(name)
    }
}

impl std::fmt::Display for CityZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `t` on the clocks of `zone`, to the minute (`2026-03-29 03:30`), with the zone's
/// abbreviation only where that clock time happens twice (`2026-10-25 02:30 CEST`).
pub fn local_time(t: &DateTime<Utc>, zone: &CityZone) -> String {
    let local = t.with_timezone(&zone.0);
    let text = local.format("%Y-%m-%d %H:%M").to_string();
    match zone.0.from_local_datetime(&local.naive_local()) {
        LocalResult::Ambiguous(..) => format!("{text} {}", local.format("%Z")),
        LocalResult::Single(_) | LocalResult::None => text,
    }
}

/// `t` on the clocks of `zone` with the zone's abbreviation always (`2026-03-29 03:30 CEST`,
/// `2026-05-01 06:00 UTC`): for answers without a footer to name the zone (the JSON twins).
pub fn zoned_time(t: &DateTime<Utc>, zone: &CityZone) -> String {
    t.with_timezone(&zone.0)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// How a request shows its times: in which zone, and whether each time names it (a JSON
/// answer has no footer to name it once).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestTimes {
    pub zone: CityZone,
    pub each_names_zone: bool,
}

tokio::task_local! {
    static REQUEST_TIMES: RequestTimes;
}

fn request_times() -> RequestTimes {
    REQUEST_TIMES.try_with(|times| *times).unwrap_or_default()
}

/// The zone of the request being answered; UTC outside one.
pub fn city_zone() -> CityZone {
    request_times().zone
}

/// Whether the request being answered names the zone in each time (an API answer).
pub fn each_time_names_zone() -> bool {
    request_times().each_names_zone
}

/// `t` in the city's zone: what pages show ([`local_time`]), and JSON twins with the zone
/// named ([`zoned_time`]).
pub fn city_time(t: &DateTime<Utc>) -> String {
    let times = request_times();
    if times.each_names_zone {
        zoned_time(t, &times.zone)
    } else {
        local_time(t, &times.zone)
    }
}

/// Run `work` showing times as `times` says.
pub async fn in_zone<F: Future>(times: RequestTimes, work: F) -> F::Output {
    REQUEST_TIMES.scope(times, work).await
}

/// Run blocking `work` showing times as `times` says; outside a request, in UTC.
pub fn in_zone_blocking<R>(times: RequestTimes, work: impl FnOnce() -> R) -> R {
    REQUEST_TIMES.sync_scope(times, work)
}
