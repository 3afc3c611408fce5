use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{data_quality_notes, ocds_releases};

/// The kinds of harmless deviation an import tolerates, each recorded as a note
/// (docs/formats/ocds.md, "Tolerated deviations"). A finite list: anything else that does not
/// follow the standard is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// `""` where a date, amount, number, code, object or list belongs: read as absent.
    EmptyString,
    /// One object where a list of objects belongs: read as a list of one.
    ObjectAsList,
    /// One string where a list of strings belongs: read as a list of one.
    StringAsList,
    /// A number where text belongs: read as its decimal digits.
    NumberAsText,
    /// A currency code in small letters or with spaces around it: read in capitals.
    CurrencyCase,
}

impl NoteKind {
    pub const ALL: &'static [NoteKind] = &[
        Self::EmptyString,
        Self::ObjectAsList,
        Self::StringAsList,
        Self::NumberAsText,
        Self::CurrencyCase,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmptyString => "empty_string",
            Self::ObjectAsList => "object_as_list",
            Self::StringAsList => "string_as_list",
            Self::NumberAsText => "number_as_text",
            Self::CurrencyCase => "currency_case",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == text)
    }

    /// What was published and how it was read, for people.
    pub fn description(self) -> &'static str {
        match self {
            Self::EmptyString => "an empty string where a value belongs, read as absent",
            Self::ObjectAsList => "a single object where a list belongs, read as a list of one",
            Self::StringAsList => "a single string where a list belongs, read as a list of one",
            Self::NumberAsText => "a number where text belongs, read as its digits",
            Self::CurrencyCase => "a currency code not written in capitals, read in capitals",
        }
    }
}

/// A deviation from the standard that an import tolerated: where (batch, line, JSON path),
/// what kind, and the value as published (JSON text, cut at 200 characters).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = data_quality_notes)]
pub struct DataQualityNote {
    pub id: i64,
    pub batch_id: i64,
    pub line: i32,
    pub path: String,
    pub kind: String,
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = data_quality_notes, treat_none_as_default_value = false)]
pub struct NewDataQualityNote {
    pub batch_id: i64,
    pub line: i32,
    pub path: String,
    pub kind: String,
    pub original: String,
}

impl DataQualityNote {
    pub fn copy_in(conn: &mut PgConnection, rows: &[NewDataQualityNote]) -> QueryResult<usize> {
        if rows.is_empty() {
            return Ok(0);
        }
        diesel::copy_from(data_quality_notes::table)
            .from_insertable(rows)
            .execute(conn)
    }

    /// The notes of a batch, by line and path.
    pub fn of_batch(conn: &mut PgConnection, batch_id: i64) -> QueryResult<Vec<DataQualityNote>> {
        data_quality_notes::table
            .filter(data_quality_notes::batch_id.eq(batch_id))
            .order((data_quality_notes::line, data_quality_notes::path))
            .select(DataQualityNote::as_select())
            .load(conn)
    }

    /// The first `limit` notes on the stored releases and records of contracting process
    /// `ocid`, oldest import first, and how many there are in all.
    pub fn of_process(
        conn: &mut PgConnection,
        ocid: &str,
        limit: i64,
    ) -> QueryResult<(Vec<DataQualityNote>, i64)> {
        let of_process = || {
            data_quality_notes::table.inner_join(
                ocds_releases::table.on(ocds_releases::batch_id
                    .eq(data_quality_notes::batch_id)
                    .and(ocds_releases::line.eq(data_quality_notes::line))),
            )
        };
        let total = of_process()
            .filter(ocds_releases::ocid.eq(ocid))
            .count()
            .get_result(conn)?;
        let notes = of_process()
            .filter(ocds_releases::ocid.eq(ocid))
            .order((
                data_quality_notes::batch_id,
                data_quality_notes::line,
                data_quality_notes::path,
            ))
            .limit(limit)
            .select(DataQualityNote::as_select())
            .load(conn)?;
        Ok((notes, total))
    }
}
