//! Every CSV format is documented in docs/formats/<format>.md with a row per column, a template
//! whose header is exactly the columns, and an example whose rows all pass the row checks.

use citytrace_importers::{CsvOptions, Format};

#[test]
fn every_csv_format_has_a_page_a_template_and_a_valid_example() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/formats");
    let mut checked = Vec::new();
    for format in Format::ALL.iter().filter(|f| !f.columns().is_empty()) {
        let name = format.name();
        let page = std::fs::read_to_string(docs.join(format!("{name}.md")))
            .unwrap_or_else(|e| panic!("docs/formats/{name}.md: {e}"));
        for column in format.columns() {
            let required = if column.required { "yes" } else { "no" };
            assert!(
                page.contains(&format!("| `{}` | {required} |", column.name)),
                "{name}.md lacks a row for {} (required: {required})",
                column.name
            );
        }
        let template = std::fs::read_to_string(docs.join(format!("{name}-template.csv"))).unwrap();
        let columns: Vec<&str> = format.columns().iter().map(|c| c.name).collect();
        assert_eq!(
            template.trim_end(),
            columns.join(","),
            "{name}-template.csv"
        );
        let example = std::fs::read(docs.join(format!("{name}-example.csv"))).unwrap();
        let rows = format
            .check_rows(example.as_slice(), CsvOptions::default())
            .unwrap()
            .unwrap_or_else(|e| panic!("{name}-example.csv:\n{}", e.table()));
        assert!(rows >= 2, "{name}-example.csv has at least two rows");
        assert!(
            page.contains(&format!("{name}-template.csv"))
                && page.contains(&format!("{name}-example.csv")),
            "{name}.md links its files"
        );
        checked.push(name);
    }
    assert!(
        checked.contains(&"shipments") && checked.contains(&"sensor-readings"),
        "{checked:?}"
    );
}
