//! The diesel table definitions (`schema/src/schema/*.rs`) are written by hand; this test holds
//! them against the migrated database, so a migration that adds, drops, renames or retypes a
//! column — or changes whether it may be NULL, or a table's primary key — fails here until the
//! definitions say the same.

use std::collections::BTreeMap;
use std::path::Path;

use citytrace_schema::testing::TestDatabase;
use diesel::sql_types::{Bool, Text};
use diesel::{QueryableByName, RunQueryDsl};

/// A column as a `table!` block declares it: name and diesel SQL type (`Nullable<Int8>`).
type Columns = Vec<(String, String)>;

/// A table as declared: its primary key columns and its columns, in order.
#[derive(Debug, PartialEq, Eq)]
struct Table {
    key: Vec<String>,
    columns: Columns,
}

/// Every `diesel::table!` block of the definition files.
fn declared() -> BTreeMap<String, Table> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schema");
    let mut tables = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for block in text.split("diesel::table! {").skip(1) {
            let (name, table) = parse_block(block)
                .unwrap_or_else(|| panic!("a table! block of {} cannot be read", file.display()));
            assert!(
                tables.insert(name.clone(), table).is_none(),
                "{name} is declared twice"
            );
        }
    }
    tables
}

/// `lots (id) { id -> Int8, … }`, with `#[sql_name = "type"]` naming the next column.
fn parse_block(block: &str) -> Option<(String, Table)> {
    let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
    let head = lines.next()?;
    let (name, rest) = head.split_once(" (")?;
    let key = rest.split_once(')')?.0;
    let key = key.split(',').map(|k| k.trim().to_string()).collect();
    let (mut columns, mut sql_name) = (Vec::new(), None);
    for line in lines {
        if line == "}" {
            break;
        }
        if let Some(quoted) = line.strip_prefix("#[sql_name = \"") {
            sql_name = Some(quoted.split('"').next()?.to_string());
            continue;
        }
        let (column, ty) = line.split_once(" -> ")?;
        let column = sql_name.take().unwrap_or_else(|| column.to_string());
        columns.push((column, ty.trim_end_matches(',').to_string()));
    }
    Some((name.to_string(), Table { key, columns }))
}

#[derive(QueryableByName)]
struct DbColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct DbKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The diesel type PostgreSQL's type name reads as.
fn diesel_type(udt_name: &str) -> String {
    let base = |name: &str| {
        match name {
            "int8" => "Int8",
            "int4" => "Int4",
            "int2" => "Int2",
            "text" | "varchar" | "bpchar" => "Text",
            "bytea" => "Bytea",
            "numeric" => "Numeric",
            "timestamptz" => "Timestamptz",
            "timestamp" => "Timestamp",
            "date" => "Date",
            "jsonb" => "Jsonb",
            "json" => "Json",
            "bool" => "Bool",
            "float8" => "Float8",
            "float4" => "Float4",
            other => panic!("no diesel type for the PostgreSQL type {other}"),
        }
        .to_string()
    };
    match udt_name.strip_prefix('_') {
        Some(element) => format!("Array<{}>", base(element)),
        None => base(udt_name),
    }
}

/// The migrated database's tables, as a `table!` block would declare them.
fn migrated(db: &TestDatabase) -> BTreeMap<String, Table> {
    let mut conn = db.conn();
    let columns: Vec<DbColumn> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable = 'YES' AS nullable
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
          ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .unwrap();
    let keys: Vec<DbKey> = diesel::sql_query(
        "SELECT c.relname::text AS table_name, a.attname::text AS column_name
           FROM pg_constraint k
           JOIN pg_class c ON c.oid = k.conrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, position)
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.attnum
          WHERE k.contype = 'p' AND n.nspname = 'public'
          ORDER BY c.relname, u.position",
    )
    .load(&mut conn)
    .unwrap();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for c in columns {
        let ty = diesel_type(&c.udt_name);
        let ty = if c.nullable {
            format!("Nullable<{ty}>")
        } else {
            ty
        };
        let table = tables.entry(c.table_name).or_insert(Table {
            key: Vec::new(),
            columns: Vec::new(),
        });
        table.columns.push((c.column_name, ty));
    }
    for k in keys {
        if let Some(table) = tables.get_mut(&k.table_name) {
            table.key.push(k.column_name);
        }
    }
    tables
}

#[test]
fn every_table_definition_matches_the_migrated_database() {
    let db = TestDatabase::new();
    let (declared, migrated) = (declared(), migrated(&db));
    // Views are read with SQL of their own; one declared with table! is checked like a table.
    let views: Vec<String> = {
        #[derive(QueryableByName)]
        struct View {
            #[diesel(sql_type = Text)]
            table_name: String,
        }
        diesel::sql_query(
            "SELECT table_name::text FROM information_schema.views WHERE table_schema = 'public'",
        )
        .load::<View>(&mut db.conn())
        .unwrap()
        .into_iter()
        .map(|v| v.table_name)
        .collect()
    };
    assert!(views.contains(&"lot_events".to_string()), "views not read");
    let mut problems = Vec::new();
    for name in migrated.keys().filter(|n| !declared.contains_key(*n)) {
        if !views.contains(name) {
            problems.push(format!("{name}: migrated, but no table! definition"));
        }
    }
    for name in declared.keys().filter(|n| !migrated.contains_key(*n)) {
        problems.push(format!(
            "{name}: defined, but no such table after the migrations"
        ));
    }
    for (name, table) in &declared {
        let Some(actual) = migrated.get(name) else {
            continue;
        };
        if table.key != actual.key {
            problems.push(format!(
                "{name}: primary key ({}) defined, ({}) migrated",
                table.key.join(", "),
                actual.key.join(", ")
            ));
        }
        // diesel names every column it selects, so only the set of columns matters, not their
        // order.
        let (mut defined, mut columns) = (table.columns.clone(), actual.columns.clone());
        defined.sort();
        columns.sort();
        for column in defined.iter().filter(|c| !columns.contains(c)) {
            problems.push(format!("{name}.{}: defined as {}", column.0, column.1));
        }
        for column in columns.iter().filter(|c| !defined.contains(c)) {
            problems.push(format!("{name}.{}: migrated as {}", column.0, column.1));
        }
    }
    assert!(
        problems.is_empty(),
        "the table! definitions differ from the migrations:\n  {}",
        problems.join("\n  ")
    );
}

/// The check above reads the definitions with a small parser; this holds the parser to a block
/// written out by hand, so a parser that read nothing could not pass it.
#[test]
fn a_table_block_is_read_with_its_key_renamed_columns_and_nullability() {
    let block = "\n    uploads (id) {\n        id -> Int8,\n        #[sql_name = \"type\"]\n        kind -> Text,\n        note -> Nullable<Text>,\n    }\n}\n";
    let (name, table) = parse_block(block).unwrap();
    assert_eq!(name, "uploads");
    assert_eq!(
        table,
        Table {
            key: vec!["id".into()],
            columns: vec![
                ("id".into(), "Int8".into()),
                ("type".into(), "Text".into()),
                ("note".into(), "Nullable<Text>".into()),
            ],
        }
    );
    assert!(
        declared().len() >= 40,
        "the definition files were not found"
    );
}
