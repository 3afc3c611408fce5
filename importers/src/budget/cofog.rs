//! COFOG — the UN Classification of the Functions of Government (1999): its ten divisions and
//! their groups, as published by the UN Statistics Division.

/// Divisions (two digits) and groups (`division.group`), with their names.
pub const COFOG: &[(&str, &str)] = &[
    ("01", "General public services"),
    (
        "01.1",
        "Executive and legislative organs, financial and fiscal affairs, external affairs",
    ),
    ("01.2", "Foreign economic aid"),
    ("01.3", "General services"),
    ("01.4", "Basic research"),
    ("01.5", "R&D General public services"),
    ("01.6", "General public services n.e.c."),
    ("01.7", "Public debt transactions"),
    (
        "01.8",
        "Transfers of a general character between different levels of government",
    ),
    ("02", "Defence"),
    ("02.1", "Military defence"),
    ("02.2", "Civil defence"),
    ("02.3", "Foreign military aid"),
    ("02.4", "R&D Defence"),
    ("02.5", "Defence n.e.c."),
    ("03", "Public order and safety"),
    ("03.1", "Police services"),
    ("03.2", "Fire-protection services"),
    ("03.3", "Law courts"),
    ("03.4", "Prisons"),
    ("03.5", "R&D Public order and safety"),
    ("03.6", "Public order and safety n.e.c."),
    ("04", "Economic affairs"),
    ("04.1", "General economic, commercial and labour affairs"),
    ("04.2", "Agriculture, forestry, fishing and hunting"),
    ("04.3", "Fuel and energy"),
    ("04.4", "Mining, manufacturing and construction"),
    ("04.5", "Transport"),
    ("04.6", "Communication"),
    ("04.7", "Other industries"),
    ("04.8", "R&D Economic affairs"),
    ("04.9", "Economic affairs n.e.c."),
    ("05", "Environmental protection"),
    ("05.1", "Waste management"),
    ("05.2", "Waste water management"),
    ("05.3", "Pollution abatement"),
    ("05.4", "Protection of biodiversity and landscape"),
    ("05.5", "R&D Environmental protection"),
    ("05.6", "Environmental protection n.e.c."),
    ("06", "Housing and community amenities"),
    ("06.1", "Housing development"),
    ("06.2", "Community development"),
    ("06.3", "Water supply"),
    ("06.4", "Street lighting"),
    ("06.5", "R&D Housing and community amenities"),
    ("06.6", "Housing and community amenities n.e.c."),
    ("07", "Health"),
    ("07.1", "Medical products, appliances and equipment"),
    ("07.2", "Outpatient services"),
    ("07.3", "Hospital services"),
    ("07.4", "Public health services"),
    ("07.5", "R&D Health"),
    ("07.6", "Health n.e.c."),
    ("08", "Recreation, culture and religion"),
    ("08.1", "Recreational and sporting services"),
    ("08.2", "Cultural services"),
    ("08.3", "Broadcasting and publishing services"),
    ("08.4", "Religious and other community services"),
    ("08.5", "R&D Recreation, culture and religion"),
    ("08.6", "Recreation, culture and religion n.e.c."),
    ("09", "Education"),
    ("09.1", "Pre-primary and primary education"),
    ("09.2", "Secondary education"),
    ("09.3", "Post-secondary non-tertiary education"),
    ("09.4", "Tertiary education"),
    ("09.5", "Education not definable by level"),
    ("09.6", "Subsidiary services to education"),
    ("09.7", "R&D Education"),
    ("09.8", "Education n.e.c."),
    ("10", "Social protection"),
    ("10.1", "Sickness and disability"),
    ("10.2", "Old age"),
    ("10.3", "Survivors"),
    ("10.4", "Family and children"),
    ("10.5", "Unemployment"),
    ("10.6", "Housing"),
    ("10.7", "Social exclusion n.e.c."),
    ("10.8", "R&D Social protection"),
    ("10.9", "Social protection n.e.c."),
];

/// A COFOG division (`05`, also `5`) or group (`05.1`, also `5.1` or `051`), in its
/// two-digit dotted form, or why it is not one.
pub fn parse_cofog(text: &str) -> Result<&'static str, String> {
    let shape = || {
        "not a COFOG code: a division (05) or a division and group (05.1), e.g. 04.5 transport, 05.1 waste management".to_string()
    };
    // Three characters without a dot: a division and its group (`051`). Cut at a character
    // boundary only: the text comes from the file (`0é` is three bytes, not a code).
    let (division, group) = match text.split_once('.') {
        Some((d, g)) => (d, Some(g)),
        None => match text.split_at_checked(2) {
            Some((d, g)) if text.len() == 3 => (d, Some(g)),
            _ => (text, None),
        },
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(division) || division.len() > 2 || group.is_some_and(|g| !digits(g) || g.len() != 1)
    {
        return Err(shape());
    }
    let division = format!("{division:0>2}");
    let code = match group {
        Some(g) => format!("{division}.{g}"),
        None => division.clone(),
    };
    match COFOG.iter().find(|(c, _)| *c == code) {
        Some((c, _)) => Ok(c),
        None if COFOG.iter().any(|(c, _)| *c == division) => Err(format!(
            "COFOG division {division} has no group {code}: its groups are {}",
            groups(&division).join(", ")
        )),
        None => Err(format!(
            "COFOG has no division {division}: divisions are 01 to 10"
        )),
    }
}

fn groups(division: &str) -> Vec<&'static str> {
    COFOG
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| c.len() == 4 && c.starts_with(division))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cofog_codes_are_divisions_or_groups_of_the_1999_classification() {
        assert_eq!(parse_cofog("04.5").unwrap(), "04.5");
        assert_eq!(parse_cofog("4.5").unwrap(), "04.5");
        assert_eq!(parse_cofog("051").unwrap(), "05.1");
        assert_eq!(parse_cofog("10").unwrap(), "10");
        assert_eq!(parse_cofog("7").unwrap(), "07");
        assert_eq!(parse_cofog("10.9").unwrap(), "10.9");
        assert_eq!(
            parse_cofog("05.7").unwrap_err(),
            "COFOG division 05 has no group 05.7: its groups are 05.1, 05.2, 05.3, 05.4, 05.5, 05.6"
        );
        assert_eq!(
            parse_cofog("11.1").unwrap_err(),
            "COFOG has no division 11: divisions are 01 to 10"
        );
        assert!(parse_cofog("00")
            .unwrap_err()
            .starts_with("COFOG has no division 00"));
        for bad in [
            "",
            "04.",
            ".5",
            "04.51",
            "04-5",
            "transport",
            "0451",
            "0é",
            "é5",
            "0€",
            "0\u{a0}",
        ] {
            assert!(
                parse_cofog(bad)
                    .unwrap_err()
                    .starts_with("not a COFOG code"),
                "{bad}"
            );
        }
        assert_eq!(COFOG.len(), 10 + 8 + 5 + 6 + 9 + 6 + 6 + 6 + 6 + 8 + 9);
    }
}
