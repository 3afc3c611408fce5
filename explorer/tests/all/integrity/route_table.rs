//! The explorer's route table, read from where it is declared — the `.route("…", web::get()…)`
//! calls of `explorer/src/routes.rs` and `explorer/src/routes/**` and the registered lists —
//! so a route added tomorrow is walked by these tests without anyone listing it here. The
//! query parameters come from the OpenAPI document the explorer serves.

use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub post: bool,
    /// The actix pattern, e.g. `/lots/{code:.+}`.
    pub pattern: String,
}

impl Route {
    /// The path with every placeholder filled with a plausible value.
    pub fn example(&self) -> String {
        self.segments().join("/")
    }

    /// The path's segments with placeholders filled (the first is empty: paths start with /).
    pub fn segments(&self) -> Vec<String> {
        self.pattern
            .split('/')
            .map(|segment| match segment.strip_prefix('{') {
                None => segment.to_string(),
                Some(placeholder) if placeholder.starts_with("name") => "app.css".into(),
                Some(placeholder) if placeholder.starts_with("hash") => {
                    format!("0x{}", "ab".repeat(32))
                }
                Some(_) => "1".into(),
            })
            .collect()
    }
}

/// Every route declared in the sources, and every list's page and API.
pub fn routes() -> Vec<Route> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("routes.rs")];
    collect_rs(&src.join("routes"), &mut files);
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        routes.extend(declared_routes(&text));
    }
    for def in citytrace_explorer::lists::all() {
        for pattern in [def.path.to_string(), def.api_path()] {
            routes.insert(Route {
                post: false,
                pattern,
            });
        }
    }
    let routes: Vec<Route> = routes.into_iter().collect();
    assert!(
        routes.len() > 60,
        "the route table was not found: {routes:?}"
    );
    routes
}

fn collect_rs(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `.route("PATTERN", web::METHOD()…)` calls: the literal pattern and whether it is a POST.
fn declared_routes(source: &str) -> Vec<Route> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let call = rest.trim_start();
        let Some(literal) = call.strip_prefix('"') else {
            continue; // a computed path (the lists), added from the registry
        };
        let Some(end) = literal.find('"') else {
            continue;
        };
        let pattern = &literal[..end];
        let after = &literal[end..];
        let method_at = after.find("web::").unwrap();
        let post = after[method_at..].starts_with("web::post()");
        found.push(Route {
            post,
            pattern: pattern.to_string(),
        });
    }
    found
}

/// Every query parameter the OpenAPI document names, and the ones of pages without an API
/// twin (the lot page's trace fragments, the waste periods).
pub fn query_parameters(openapi: &serde_json::Value) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = ["depth", "trace", "level", "root", "period", "format"]
        .into_iter()
        .map(String::from)
        .collect();
    for (_, operations) in openapi["paths"].as_object().unwrap() {
        for (_, operation) in operations.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "query" {
                    names.insert(parameter["name"].as_str().unwrap().to_string());
                }
            }
        }
    }
    assert!(names.len() > 20, "{names:?}");
    names
}

#[test]
fn the_route_table_is_read_with_methods_and_placeholders() {
    let routes = routes();
    let find = |p: &str| routes.iter().find(|r| r.pattern == p).cloned();
    assert_eq!(find("/healthz").map(|r| r.post), Some(false));
    assert_eq!(find("/api/v1/imports").map(|r| r.post), Some(true));
    assert_eq!(find("/materials/lots").map(|r| r.post), Some(false));
    let tx = find("/ledger/chains/{id}/tx/{hash}").unwrap();
    assert_eq!(
        tx.example(),
        format!("/ledger/chains/1/tx/0x{}", "ab".repeat(32))
    );
    // What OPTIONS says of POST routes is the explorer's own list: it must match the sources.
    let posts: BTreeSet<&str> = routes
        .iter()
        .filter(|r| r.post)
        .map(|r| r.pattern.as_str())
        .collect();
    let listed: BTreeSet<&str> = citytrace_explorer::POST_ONLY.iter().copied().collect();
    assert_eq!(posts, listed);
}
