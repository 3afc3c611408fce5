//! Recovery and disposal operations (Waste Framework Directive 2008/98/EC, Annex I: D1–D15,
//! Annex II: R1–R13) and what each counts as in the city's rates.

use serde::Serialize;

/// An operation code as stored (`R5`, `D15`): recovery or disposal, and its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Recovery(u8),
    Disposal(u8),
}

impl Operation {
    /// `R1`–`R13` or `D1`–`D15` (the importers store them so); anything else is `None`.
    pub fn parse(code: &str) -> Option<Operation> {
        let (letter, number) = code.split_at_checked(1)?;
        if number.starts_with('0') || number.starts_with('+') {
            return None;
        }
        let number: u8 = number.parse().ok()?;
        match letter {
            "R" if (1..=13).contains(&number) => Some(Operation::Recovery(number)),
            "D" if (1..=15).contains(&number) => Some(Operation::Disposal(number)),
            _ => None,
        }
    }
}

/// What an operation performed on received waste counts as in the city's rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentClass {
    /// R2–R11: material recovery (recycling/reclamation, regeneration, land treatment, use of
    /// residues from R1–R10).
    Recycling,
    /// R1: use principally as a fuel or other means to generate energy.
    EnergyRecovery,
    /// D1 deposit into or onto land, D5 specially engineered landfill, D12 permanent storage.
    Landfill,
    /// D10 incineration on land, D11 incineration at sea.
    Incineration,
    /// D2, D3, D4, D6, D7 (land treatment, deep injection, surface impoundment, release to
    /// water) and D8, D9 (biological and physico-chemical treatment whose results are
    /// discarded).
    OtherDisposal,
    /// R12, R13, D13, D14, D15: exchange, blending, repackaging or storage *before* one of the
    /// other operations — not final treatment.
    Interim,
}

/// The class of an operation code; `None` for a code that is not R1–R13 or D1–D15.
pub fn treatment_class(code: &str) -> Option<TreatmentClass> {
    Some(match Operation::parse(code)? {
        Operation::Recovery(1) => TreatmentClass::EnergyRecovery,
        Operation::Recovery(2..=11) => TreatmentClass::Recycling,
        Operation::Recovery(_) => TreatmentClass::Interim,
        Operation::Disposal(1 | 5 | 12) => TreatmentClass::Landfill,
        Operation::Disposal(10 | 11) => TreatmentClass::Incineration,
        Operation::Disposal(13..=15) => TreatmentClass::Interim,
        Operation::Disposal(_) => TreatmentClass::OtherDisposal,
    })
}

/// Whether waste received under `code` waits at the facility for another operation (R12, R13,
/// D13, D14, D15).
pub fn is_interim(code: &str) -> bool {
    treatment_class(code) == Some(TreatmentClass::Interim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_both_annexes_has_its_class() {
        use TreatmentClass::*;
        let recovery = [
            EnergyRecovery,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Recycling,
            Interim,
            Interim,
        ];
        for (n, class) in recovery.iter().enumerate() {
            assert_eq!(
                treatment_class(&format!("R{}", n + 1)),
                Some(*class),
                "R{}",
                n + 1
            );
        }
        let disposal = [
            Landfill,
            OtherDisposal,
            OtherDisposal,
            OtherDisposal,
            Landfill,
            OtherDisposal,
            OtherDisposal,
            OtherDisposal,
            OtherDisposal,
            Incineration,
            Incineration,
            Landfill,
            Interim,
            Interim,
            Interim,
        ];
        for (n, class) in disposal.iter().enumerate() {
            assert_eq!(
                treatment_class(&format!("D{}", n + 1)),
                Some(*class),
                "D{}",
                n + 1
            );
        }
    }

    #[test]
    fn codes_outside_the_annexes_have_no_class() {
        for code in [
            "R0", "R14", "D0", "D16", "R01", "r5", "X1", "", "R", "R+5", "D1 ",
        ] {
            assert_eq!(treatment_class(code), None, "{code:?}");
        }
    }

    #[test]
    fn interim_operations_are_exchange_blending_repackaging_and_storage() {
        let interim: Vec<_> = (1..=13)
            .map(|n| format!("R{n}"))
            .chain((1..=15).map(|n| format!("D{n}")))
            .filter(|c| is_interim(c))
            .collect();
        assert_eq!(interim, ["R12", "R13", "D13", "D14", "D15"]);
    }
}
