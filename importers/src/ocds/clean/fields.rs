//! The fields of a release citytrace keeps, and how each is checked and normalised.

/// How a kept field is checked and normalised.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Text,
    Id,
    Date,
    Amount,
    Currency,
    Count,
    Strings,
    Object(&'static [Field]),
    /// An array of objects; `true` when each needs an `id` (arrays merged by id).
    Objects(&'static [Field], bool),
    Changes,
}

impl Kind {
    /// Whether an empty string stands for an absent value (a tolerated deviation): everywhere
    /// but in text and identifiers, where the empty string is a string.
    pub(super) fn empty_is_absent(self) -> bool {
        !matches!(self, Self::Text | Self::Id)
    }
}

pub(super) type Field = (&'static str, Kind);

pub(super) const IDENTIFIER: &[Field] = &[("scheme", Kind::Text), ("id", Kind::Id)];
pub(super) const IDENTIFIER_1_0: &[Field] = &[
    ("scheme", Kind::Text),
    ("id", Kind::Id),
    ("legalName", Kind::Text),
];
pub(super) const ORG: &[Field] = &[
    ("id", Kind::Id),
    ("name", Kind::Text),
    ("identifier", Kind::Object(IDENTIFIER)),
];
pub(super) const PARTY: &[Field] = &[
    ("id", Kind::Id),
    ("name", Kind::Text),
    ("identifier", Kind::Object(IDENTIFIER)),
    ("roles", Kind::Strings),
];
pub(super) const VALUE: &[Field] = &[("amount", Kind::Amount), ("currency", Kind::Currency)];
pub(super) const PERIOD: &[Field] = &[("startDate", Kind::Date), ("endDate", Kind::Date)];
/// A part of the budget (the OCDS Budget Breakdown extension): the line it is, how much of it,
/// when, and who funds it.
pub(super) const BUDGET_BREAKDOWN: &[Field] = &[
    ("id", Kind::Id),
    ("amount", Kind::Object(VALUE)),
    ("period", Kind::Object(PERIOD)),
    ("sourceParty", Kind::Object(ORG)),
];
pub(super) const BUDGET: &[Field] = &[
    ("id", Kind::Id),
    ("amount", Kind::Object(VALUE)),
    ("budgetBreakdown", Kind::Objects(BUDGET_BREAKDOWN, true)),
];
pub(super) const PLANNING: &[Field] = &[("budget", Kind::Object(BUDGET))];
pub(super) const AMENDMENT: &[Field] = &[
    ("id", Kind::Id),
    ("date", Kind::Date),
    ("rationale", Kind::Text),
    ("description", Kind::Text),
    ("amendsReleaseID", Kind::Id),
    ("releaseID", Kind::Id),
    ("changes", Kind::Changes),
];
pub(super) const TENDER: &[Field] = &[
    ("id", Kind::Id),
    ("title", Kind::Text),
    ("status", Kind::Text),
    ("procurementMethod", Kind::Text),
    ("procurementMethodDetails", Kind::Text),
    ("mainProcurementCategory", Kind::Text),
    ("value", Kind::Object(VALUE)),
    ("tenderPeriod", Kind::Object(PERIOD)),
    ("numberOfTenderers", Kind::Count),
    ("procuringEntity", Kind::Object(ORG)),
    ("tenderers", Kind::Objects(ORG, false)),
    ("amendments", Kind::Objects(AMENDMENT, false)),
    ("amendment", Kind::Object(AMENDMENT)),
];
pub(super) const AWARD: &[Field] = &[
    ("id", Kind::Id),
    ("title", Kind::Text),
    ("status", Kind::Text),
    ("date", Kind::Date),
    ("value", Kind::Object(VALUE)),
    ("suppliers", Kind::Objects(ORG, false)),
    ("amendments", Kind::Objects(AMENDMENT, false)),
    ("amendment", Kind::Object(AMENDMENT)),
];
pub(super) const TRANSACTION: &[Field] = &[
    ("id", Kind::Id),
    ("date", Kind::Date),
    ("value", Kind::Object(VALUE)),
    ("amount", Kind::Object(VALUE)),
    ("source", Kind::Text),
    ("payer", Kind::Object(ORG)),
    ("payee", Kind::Object(ORG)),
    ("providerOrganization", Kind::Object(IDENTIFIER_1_0)),
    ("receiverOrganization", Kind::Object(IDENTIFIER_1_0)),
];
pub(super) const IMPLEMENTATION: &[Field] = &[("transactions", Kind::Objects(TRANSACTION, true))];
pub(super) const CONTRACT: &[Field] = &[
    ("id", Kind::Id),
    ("awardID", Kind::Id),
    ("title", Kind::Text),
    ("status", Kind::Text),
    ("value", Kind::Object(VALUE)),
    ("dateSigned", Kind::Date),
    ("period", Kind::Object(PERIOD)),
    ("amendments", Kind::Objects(AMENDMENT, false)),
    ("amendment", Kind::Object(AMENDMENT)),
    ("implementation", Kind::Object(IMPLEMENTATION)),
];
pub(super) const BID: &[Field] = &[
    ("id", Kind::Id),
    ("date", Kind::Date),
    ("status", Kind::Text),
    ("value", Kind::Object(VALUE)),
    ("tenderers", Kind::Objects(ORG, false)),
];
pub(super) const BIDS: &[Field] = &[("details", Kind::Objects(BID, true))];
pub(super) const RELEASE: &[Field] = &[
    ("ocid", Kind::Text),
    ("id", Kind::Id),
    ("date", Kind::Date),
    ("tag", Kind::Strings),
    ("buyer", Kind::Object(ORG)),
    ("parties", Kind::Objects(PARTY, true)),
    ("planning", Kind::Object(PLANNING)),
    ("tender", Kind::Object(TENDER)),
    ("awards", Kind::Objects(AWARD, true)),
    ("contracts", Kind::Objects(CONTRACT, true)),
    ("bids", Kind::Object(BIDS)),
];

/// `changes[].property` values that name the amended object's value.
pub(super) const VALUE_PROPERTIES: &[&str] = &["value", "value.amount", "value/amount", "amount"];
