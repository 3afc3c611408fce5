//! `GET /api/v1/openapi.json`: the API described for machines (OpenAPI 3.1), generated from
//! the same declarations that serve it — every registered list ([`crate::lists`]) and the
//! other endpoints in [`ENDPOINTS`] — so the document cannot drift from the routes.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use crate::listing::{ColumnKind, FilterKind, ListDef};

/// A parameter of an endpoint that is not a list.
pub struct Param {
    pub name: &'static str,
    /// `path` or `query`.
    pub location: &'static str,
    pub required: bool,
    pub description: &'static str,
}

/// An endpoint that is not a list (lists describe themselves).
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    /// The response's media type.
    pub produces: &'static str,
}

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "get",
        path: "/api/v1/batches/{id}/rows/{line}/proof",
        summary: "A row's proof file",
        description: "The row's canonical text, Merkle leaf and path, the batch root, and where the batch was anchored (`citytrace/proof/1`, docs/verification.md). Check it offline with `citytrace verify FILE`.",
        params: &[
            Param { name: "id", location: "path", required: true, description: "Import batch id." },
            Param { name: "line", location: "path", required: true, description: "Line of the row in the imported file (the header is line 1)." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/imports",
        summary: "Import a file (suppliers)",
        description: "The request body is the file. Needs `Authorization: Bearer <token>` (`citytrace token create`). Answers with the import outcome (200), the problems (422), 401, 413 or 400 (docs/uploads.md).",
        params: &[
            Param { name: "format", location: "query", required: true, description: "The file's format: shipments, products, production, sensor-readings, waste-transfers, waste-receipts, emissions, budget, ocds or epcis." },
            Param { name: "dry_run", location: "query", required: false, description: "`true`: check everything, write nothing." },
            Param { name: "file_name", location: "query", required: false, description: "The file's name, kept with the batch." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/search",
        summary: "Search",
        description: "Lots, products, parties, sites, contracts, consignments and transactions matching the text as people type it (words begun, misspelt or misheard names; or Meilisearch when configured), and blocks, transactions, addresses and batches by their exact identifier (docs/search.md). `kinds`: how many of each kind match in all; `did_you_mean`: the closest name when nothing matched.",
        params: &[
            Param { name: "q", location: "query", required: true, description: "The text to look for." },
            Param { name: "area", location: "query", required: false, description: "Only results of one area: materials, cold-chain, waste, emissions, spending, ledger." },
            Param { name: "kind", location: "query", required: false, description: "Only results of one kind: block, transaction, address, batch, lot, product, party, site, contract, consignment." },
            Param { name: "limit", location: "query", required: false, description: "At most this many results of each kind (1 to 100, default 10)." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/home",
        summary: "The home page",
        description: "Headline figures (spending this year against budget, embodied carbon of city projects, recycling rate, cold-chain compliance, credits retired; `value` null when there is no data yet), counts, chains followed, latest batches, lots and ledger events.",
        params: &[],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/lots/{code}",
        summary: "A lot",
        description: "The lot page as JSON: product, supplier, origin, certificates (with their shipment rows), embodied carbon with its factor and source row, shipments, the trace back and forward through production runs (a tree), and the event timeline.",
        params: &[
            Param { name: "code", location: "path", required: true, description: "The lot code (percent-encoded: Digital Link codes contain slashes)." },
            Param { name: "depth", location: "query", required: false, description: "Levels of the trace trees, 1 to 8 (default 2)." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/materials",
        summary: "The materials area",
        description: "The latest lots, products and sites (ten of each), with each list's endpoint (`/api/v1/lots`, `/api/v1/products`, `/api/v1/sites`, `/api/v1/deliveries`) for the rest.",
        params: &[],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/products/{code}",
        summary: "A product",
        description: "Master data (every imported version with its source row), EPD carbon factor, cold-chain range and the number of lots; the lots are the `lots` list filtered by `product`.",
        params: &[Param { name: "code", location: "path", required: true, description: "The product code." }],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/sites/{code}",
        summary: "A site or construction project",
        description: "What was delivered to the site (up to 500 deliveries; all of them in the `deliveries` list filtered by `to_site`), their origins, embodied carbon in total and by material, supplier and contract, and what was paid under those contracts.",
        params: &[Param { name: "code", location: "path", required: true, description: "The site code." }],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/ledger",
        summary: "Chains followed",
        description: "Each chain's head, how far it is indexed, lag, finality and last reorganisation, and the ledger lists.",
        params: &[],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/ledger/chains/{id}",
        summary: "A chain",
        description: "The chain's state and the contracts decoded on it, with links to its events, blocks and reorganisations.",
        params: &[Param { name: "id", location: "path", required: true, description: "Chain id." }],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/ledger/chains/{id}/blocks/{number}",
        summary: "A block",
        description: "The block's hash and parent (while in the reorg window) and every event decoded from it, with parameters.",
        params: &[
            Param { name: "id", location: "path", required: true, description: "Chain id." },
            Param { name: "number", location: "path", required: true, description: "Block number." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/ledger/chains/{id}/tx/{hash}",
        summary: "A transaction",
        description: "Every event decoded from the transaction, with parameters, and the import batches it anchored.",
        params: &[
            Param { name: "id", location: "path", required: true, description: "Chain id." },
            Param { name: "hash", location: "path", required: true, description: "Transaction hash, 0x and 64 hex digits." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/cold-chain",
        summary: "Cold-chain compliance and shipments in breach",
        description: "Shipments assessed, compliant, within budget and in breach, the compliance rate, and the first page of shipments in breach (docs/methods/cold-chain.md).",
        params: &[],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/cold-chain/breaches",
        summary: "Shipments in breach, a page at a time",
        description: "Shipments whose loggers exceed a product's excursion budget, in shipment code order; `next` gives the following page. The page `/cold-chain/breaches?format=csv|json` exports them all.",
        params: &[
            Param { name: "after", location: "query", required: false, description: "Start after this shipment code (the `next` link carries it)." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/cold-chain/shipments/{code}",
        summary: "A shipment's cold chain",
        description: "Per product (range, budget, verdict) and per logger: readings, minimum, maximum, mean, mean kinetic temperature, excursions, gaps in the log, time out of range, verdict, each figure with its source rows; and the shipment's lines.",
        params: &[
            Param { name: "code", location: "path", required: true, description: "Shipment code (SSCC or the supplier's id)." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/waste",
        summary: "City waste rates and flagged consignments",
        description: "Recycling, energy recovery, incineration, other disposal and landfill rates by EWC chapter and period, and every consignment with a flag (docs/methods/waste.md).",
        params: &[
            Param { name: "period", location: "query", required: false, description: "year (default), quarter or month." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/waste/consignments/{id}",
        summary: "A waste consignment",
        description: "Its custody chain (previous and onward consignments), declared and received mass, planned and performed operation, receipt status and flags, each row with its source and trust.",
        params: &[
            Param { name: "id", location: "path", required: true, description: "Consignment id as on the transfer note." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/waste/facilities/{code}",
        summary: "A facility's mass balance",
        description: "Per period: received, treated, sent, residues, stock at start and end, unexplained mass and whether it exceeds the tolerance.",
        params: &[
            Param { name: "code", location: "path", required: true, description: "Site code or GLN." },
            Param { name: "period", location: "query", required: false, description: "month (default), quarter or year." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/spending",
        summary: "Budget vs actual of a fiscal year",
        description: "Per department and per program / COFOG line: approved, adjusted, committed (contract values) and paid (OCDS transactions and ledger payments), with overspend, unspent and unbudgeted-spending flags; and the count of procurement processes per red flag (docs/methods/spending.md).",
        params: &[Param { name: "year", location: "query", required: false, description: "Fiscal year (default: the latest year with budget lines)." }],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/spending/procurement",
        summary: "Contracting processes with their red flags",
        description: "Paged (50 per page), newest release first; `format=csv|json` exports every matching process.",
        params: &[
            Param { name: "buyer", location: "query", required: false, description: "The buyer's party code." },
            Param { name: "flag", location: "query", required: false, description: "Only processes raising this red-flag rule (single_bid, short_tender_period, direct_award_above_threshold, amendments_raise_value, payments_exceed_contract, repeated_non_competitive_awards, split_purchases, winning_bid_close_to_estimate)." },
            Param { name: "method", location: "query", required: false, description: "Procurement method: open, selective, limited or direct." },
            Param { name: "year", location: "query", required: false, description: "Year of the process's latest release." },
            Param { name: "page", location: "query", required: false, description: "Page number, from 1." },
            Param { name: "format", location: "query", required: false, description: "`csv` or `json`: the whole filtered list as a download." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/spending/contracts/{ocid}",
        summary: "A contracting process",
        description: "Its OCDS timeline (tender, bids, awards, contracts, amendments, payments) with the source row of each step, its red flags with the figures that raised them, its payments, and the shipments and embodied carbon delivered under it.",
        params: &[Param { name: "ocid", location: "path", required: true, description: "The OCDS ocid." }],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/spending/budget/{year}/{line}",
        summary: "Follow the money from a budget line",
        description: "The budget line, the contracts committed on it, their payments and suppliers, and the shipments and lots delivered under them.",
        params: &[
            Param { name: "year", location: "path", required: true, description: "Fiscal year." },
            Param { name: "line", location: "path", required: true, description: "Budget line id." },
        ],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/parties/{code}",
        summary: "A party (supplier, department …)",
        description: "Its contracting processes (as buyer or supplier) with their red flags, payments by or to it, the shipments it delivered with their embodied carbon, and the emissions it reported.",
        params: &[Param { name: "code", location: "path", required: true, description: "The party's code (OCDS parties: `{scheme}-{id}`)." }],
        produces: "application/json",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/emissions",
        summary: "Emissions, credits retired and net position of a year",
        description: "The city's reported emissions by party, scope and category (each report counted once), per quarter and per year; the embodied carbon of procurement per contract and supplier, and as Scope 3 categories 1 and 2 of each department; the carbon credits retired; the net position (emissions − credits retired for the city), with the method (docs/methods/carbon.md).",
        params: &[Param { name: "year", location: "query", required: false, description: "Year (default: the latest year with reports or retirements)." }],
        produces: "application/json",
    },
];

fn column_schema(kind: ColumnKind) -> Value {
    match kind {
        ColumnKind::Count => json!({"type": ["integer", "null"]}),
        ColumnKind::Number => {
            json!({"type": ["number", "string", "null"], "description": "A decimal: a JSON number, or text where precision matters."})
        }
        ColumnKind::Time => json!({"type": ["string", "null"], "format": "date-time"}),
        ColumnKind::Date => json!({"type": ["string", "null"], "format": "date"}),
        ColumnKind::Trust => {
            json!({"type": ["string", "null"], "enum": ["imported", "anchored", "final", "pending", "safe", null]})
        }
        ColumnKind::Hash => json!({"type": ["string", "null"], "pattern": "^0x[0-9a-f]*$"}),
        ColumnKind::Text | ColumnKind::Badges => json!({"type": ["string", "null"]}),
    }
}

fn query_param(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn list_path(def: &ListDef) -> Value {
    let sortable: Vec<&str> = def
        .columns
        .iter()
        .filter(|c| c.sortable)
        .map(|c| c.key)
        .collect();
    let mut params = vec![
        query_param("page", "Page number, from 1.", json!({"type": "integer", "minimum": 1, "default": 1})),
        query_param("per_page", "Rows per page.", json!({"type": "integer", "minimum": 1, "maximum": crate::listing::query::MAX_PER_PAGE, "default": crate::listing::query::PER_PAGE})),
        query_param("sort", "Sort key.", json!({"type": "string", "enum": sortable, "default": def.default_sort.0})),
        query_param("dir", "Sort direction.", json!({"type": "string", "enum": ["asc", "desc"]})),
        query_param(
            "format",
            "Without it: one page as JSON. `json` or `csv`: every matching row, streamed (no row cap).",
            json!({"type": "string", "enum": ["json", "csv"]}),
        ),
    ];
    for f in def.filters {
        let schema = match f.kind {
            FilterKind::Text => json!({"type": "string"}),
            FilterKind::Hash => json!({"type": "string", "pattern": "^(0x)?([0-9a-fA-F]{2})+$"}),
            FilterKind::Number => json!({"type": "number"}),
            FilterKind::Date => json!({"type": "string", "format": "date"}),
            FilterKind::Choice(options) => {
                json!({"type": "string", "enum": options.iter().map(|(v, _)| *v).collect::<Vec<_>>()})
            }
        };
        params.push(query_param(f.key, f.label, schema));
    }
    let mut properties = Map::new();
    for c in def.columns {
        let mut schema = column_schema(c.kind);
        schema["title"] = json!(c.label);
        properties.insert(c.key.to_string(), schema);
    }
    let item = json!({"type": "object", "properties": properties});
    json!({
        "get": {
            "operationId": format!("list_{}", def.name.replace('-', "_")),
            "summary": def.title,
            "description": format!("{} The page: {}", def.description, def.path),
            "tags": [def.area.trim_start_matches('/')],
            "parameters": params,
            "responses": {
                "200": {
                    "description": "One page (without `format`), or every matching row (`format=json`: an array of items; `format=csv`: a header line of the item keys, then one line per row).",
                    "content": {
                        "application/json": {"schema": {"oneOf": [
                            {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
                                "items": {"type": "array", "items": item},
                                "list": {"type": "string"},
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                                "total": {"type": "integer"},
                                "total_is_lower_bound": {"type": "boolean", "description": "Counting stops at 100,000 rows."},
                                "sort": {"type": "string"},
                                "dir": {"type": "string"},
                                "next": {"type": ["string", "null"]},
                                "prev": {"type": ["string", "null"]},
                            }},
                            {"type": "array", "items": item},
                        ]}},
                        "text/csv": {"schema": {"type": "string"}},
                    }
                },
                "400": {"$ref": "#/components/responses/Error"},
            }
        }
    })
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for def in crate::lists::all() {
        paths.insert(def.api_path(), list_path(def));
    }
    for e in ENDPOINTS {
        let params: Vec<Value> = e
            .params
            .iter()
            .map(|p| json!({"name": p.name, "in": p.location, "required": p.required, "description": p.description, "schema": {"type": "string"}}))
            .collect();
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method] = json!({
            "summary": e.summary,
            "description": e.description,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {e.produces: {"schema": {}}}},
                "400": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"},
            }
        });
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "citytrace explorer API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Everything the public explorer shows, as JSON: every list with its filters, sorting and pagination (and full CSV/JSON exports), proofs and search. Read-only and public, except imports, which need a supplier's token.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message", "status"], "properties": {
                    "error": {"type": "string", "description": "not_found, bad_request, unavailable or internal."},
                    "message": {"type": "string"},
                    "status": {"type": "integer"},
                }}
            },
            "responses": {
                "Error": {"description": "An error, as JSON.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        }
    })
}

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(document().to_string())
}
