//! Reading a row's cells with their checks: every problem becomes a [`RowError`] with the
//! line, the column, the value and the reason, and the row is kept only when there was none.

use bigdecimal::BigDecimal;

use crate::csv_format::RowContext;
use crate::csv_input::{Column, CsvRow};
use crate::error::RowError;
use crate::gs1;
use crate::values::{parse_decimal, parse_quantity, parse_timestamp_or, parse_unit, Timestamp};

/// Longest identifier or name accepted in a text column.
pub const MAX_TEXT: usize = 200;

/// The cells of one row, checked as they are read.
pub struct Cells<'a> {
    row: &'a CsvRow,
    columns: &'static [Column],
    context: &'a RowContext,
    errors: &'a mut Vec<RowError>,
    before: usize,
}

impl<'a> Cells<'a> {
    pub fn new(
        row: &'a CsvRow,
        columns: &'static [Column],
        context: &'a RowContext,
        errors: &'a mut Vec<RowError>,
    ) -> Self {
        let before = errors.len();
        Self {
            row,
            columns,
            context,
            errors,
            before,
        }
    }

    pub fn line(&self) -> u64 {
        self.row.line
    }

    /// True when no cell of this row had a problem.
    pub fn ok(&self) -> bool {
        self.errors.len() == self.before
    }

    pub fn context(&self) -> &RowContext {
        self.context
    }

    /// Report a problem with column `c`.
    pub fn fail(&mut self, c: usize, value: Option<&str>, reason: impl Into<String>) {
        self.errors.push(RowError::new(
            self.row.line,
            Some(self.columns[c].name),
            value,
            reason,
        ));
    }

    /// The trimmed text of column `c` (None when empty; an error when required).
    pub fn text(&mut self, c: usize) -> Option<String> {
        let value = self.row.get(c).map(str::to_string);
        match &value {
            None if self.columns[c].required => self.fail(c, None, "required value is empty"),
            Some(text) if text.chars().count() > MAX_TEXT => self.fail(
                c,
                Some(&text.clone()),
                format!("longer than {MAX_TEXT} characters"),
            ),
            _ => {}
        }
        value
    }

    /// A free-text name (of an organisation, product, site …): also refused when it looks like
    /// a person's contact details, which citytrace never publishes.
    pub fn name(&mut self, c: usize) -> Option<String> {
        let value = self.text(c)?;
        if let Some(what) = contact_details(&value) {
            self.fail(c, Some(&value), format!("looks like {what}; citytrace publishes no personal contact details — remove it"));
        }
        Some(value)
    }

    /// A site: a GLN (13 digits, check digit verified) or a site code.
    pub fn site(&mut self, c: usize) -> Option<String> {
        let value = self.name(c)?;
        if value.len() == 13 && value.bytes().all(|b| b.is_ascii_digit()) {
            if let Err(reason) = gs1::check_gln(&value) {
                self.fail(c, Some(&value), reason);
            }
        }
        Some(value)
    }

    /// A GTIN of 8, 12, 13 or 14 digits, as GTIN-14.
    pub fn gtin(&mut self, c: usize) -> Option<String> {
        let value = self.text(c)?;
        match gs1::gtin14(&value) {
            Ok(gtin) => Some(gtin),
            Err(reason) => {
                self.fail(c, Some(&value), reason);
                None
            }
        }
    }

    /// A whole number within `min..=max`.
    pub fn int(&mut self, c: usize, min: i64, max: i64) -> Option<i64> {
        let value = self.text(c)?;
        match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                let range = if max >= i64::from(i32::MAX) {
                    format!("from {min}")
                } else {
                    format!("from {min} to {max}")
                };
                self.fail(c, Some(&value), format!("not a whole number {range}"));
                None
            }
        }
    }

    /// A positive quantity (at most six decimals).
    pub fn quantity(&mut self, c: usize) -> Option<BigDecimal> {
        let value = self.text(c)?;
        self.checked(
            c,
            &value,
            parse_quantity(&value, self.context.decimal_comma),
        )
    }

    /// A signed decimal with at most `scale` decimals, within `min..=max`.
    pub fn decimal(&mut self, c: usize, scale: usize, min: f64, max: f64) -> Option<BigDecimal> {
        let value = self.text(c)?;
        self.checked(
            c,
            &value,
            parse_decimal(&value, self.context.decimal_comma, scale, min, max),
        )
    }

    /// A UN/CEFACT Rec 20 unit code.
    pub fn unit(&mut self, c: usize) -> Option<&'static str> {
        let value = self.text(c)?;
        self.checked(c, &value, parse_unit(&value))
    }

    /// An ISO 8601 date-time (with an offset, or the configured default offset).
    pub fn timestamp(&mut self, c: usize) -> Option<Timestamp> {
        let value = self.text(c)?;
        self.checked(
            c,
            &value,
            parse_timestamp_or(&value, self.context.default_offset),
        )
    }

    /// One of `allowed` (case-insensitive); returns the allowed spelling.
    pub fn one_of(&mut self, c: usize, allowed: &[&'static str]) -> Option<&'static str> {
        let value = self.text(c)?;
        match allowed.iter().find(|a| a.eq_ignore_ascii_case(&value)) {
            Some(a) => Some(a),
            None => {
                self.fail(
                    c,
                    Some(&value),
                    format!("not one of {}", allowed.join(", ")),
                );
                None
            }
        }
    }

    /// The text of column `c` read by `parse` (a format's own code list or notation); its
    /// error is the reason reported.
    pub fn parsed<T>(
        &mut self,
        c: usize,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.text(c)?;
        let result = parse(&value);
        self.checked(c, &value, result)
    }

    fn checked<T>(&mut self, c: usize, value: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(reason) => {
                self.fail(c, Some(value), reason);
                None
            }
        }
    }
}

/// What personal contact detail `text` looks like, if any: an e-mail address or a phone
/// number (8 to 15 digits with a `+`, spaces or parentheses among them).
pub fn contact_details(text: &str) -> Option<&'static str> {
    for word in
        text.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
    {
        if let Some((user, domain)) = word.split_once('@') {
            if !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
            {
                return Some("an e-mail address");
            }
        }
    }
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let phone_chars = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    // A space, "+" or "(" among the digits: dates (2026-04-12) and codes are not phone numbers.
    let separated = text.trim().contains(|c: char| " +(".contains(c));
    if phone_chars && separated && (8..=15).contains(&digits) {
        return Some("a phone number");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_recognised_and_identifiers_are_not() {
        assert_eq!(
            contact_details("jan.devries@example.org"),
            Some("an e-mail address")
        );
        assert_eq!(
            contact_details("Jan <jan@mail.example.com>"),
            Some("an e-mail address")
        );
        assert_eq!(contact_details("+31 20 555 0134"), Some("a phone number"));
        assert_eq!(contact_details("(020) 555-0134"), Some("a phone number"));
        assert_eq!(contact_details("Riverside Cement Works"), None);
        assert_eq!(
            contact_details("04012345111118"),
            None,
            "a GTIN is not a phone number"
        );
        assert_eq!(contact_details("4012345000115"), None, "nor is a GLN");
        assert_eq!(contact_details("C30/37 @ plant 2"), None);
        assert_eq!(contact_details("2026-04-12"), None);
    }
}
