//! Loading validated EPCIS events: sites for GLN-based locations, products and lots for the
//! trade items named by SGTIN or LGTIN, then the events and everything they list, by COPY.

use std::collections::{BTreeMap, HashMap, HashSet};

use bigdecimal::BigDecimal;
use diesel::pg::PgConnection;
use diesel::QueryResult;

use citytrace_schema::models::{
    EpcisBizTransaction, EpcisEpc, EpcisEvent, EpcisSensorReport, EpcisSourceDestination,
    ImportBatch, Lot, NewEpcisBizTransaction, NewEpcisEpc, NewEpcisEvent,
    NewEpcisSourceDestination, NewLot, NewProduct, NewSite, NewSupplyEvent, NewSupplyEventLot,
    Product, Site, SupplyEvent,
};

use super::epc::{self, TradeItem};
use super::{EventItem, EventRecord};
use crate::error::RowError;
use crate::merkle::RootBuilder;

/// Rows per statement for multi-row inserts and `= ANY` lists.
const CHUNK: usize = 5_000;

/// Unit of a product first registered from an item-level EPC (a piece).
const PIECE: &str = "H87";

/// Write a chunk of validated events under `batch` (in the caller's transaction) and push their
/// leaves. An event whose hash id is stored already — from any file, this one's earlier chunks
/// included — or met earlier in the chunk is a problem, unless one of the two is an error
/// declaration of the other; so is a lot registered as another product. A chunk with any
/// problem writes nothing. Returns the number of events written.
pub(crate) fn load_chunk(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    items: Vec<EventItem>,
    errors: &mut Vec<RowError>,
    root: &mut RootBuilder,
) -> QueryResult<usize> {
    let (records, leaves): (Vec<EventRecord>, Vec<[u8; 32]>) =
        items.into_iter().map(|i| (i.record, i.leaf)).unzip();
    let before = errors.len();
    repeated_events(conn, batch, &records, errors)?;
    let sites = register_sites(conn, &records)?;
    let lots = register_lots(conn, &records, &sites, errors)?;
    if errors.len() > before {
        return Ok(0);
    }
    write_events(conn, batch, &records, &sites, &lots)?;
    leaves.iter().for_each(|leaf| root.push_leaf(*leaf));
    Ok(records.len())
}

/// Events whose hash id is stored already or met earlier in the chunk (the same kind: event
/// or error declaration).
fn repeated_events(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    records: &[EventRecord],
    errors: &mut Vec<RowError>,
) -> QueryResult<()> {
    let hashes: Vec<&str> = records.iter().map(|r| r.event_hash.as_str()).collect();
    let mut stored = HashMap::new();
    for chunk in hashes.chunks(CHUNK) {
        for s in EpcisEvent::with_hashes(conn, chunk)? {
            stored
                .entry((s.event_hash.clone(), s.declares_error))
                .or_insert((s.batch_id, s.line));
        }
    }
    for r in records {
        let key = (r.event_hash.clone(), r.error_declaration.is_some());
        let what = if key.1 {
            "error declaration"
        } else {
            "event (same hash id)"
        };
        let reason = match stored.get(&key) {
            Some((batch_id, line)) if *batch_id == batch.id => {
                format!("the same {what} is already at line {line}")
            }
            Some((batch_id, line)) => {
                format!("this {what} was already imported in batch {batch_id} (line {line})")
            }
            None => {
                stored.insert(key, (batch.id, i32::try_from(r.line).unwrap_or(i32::MAX)));
                continue;
            }
        };
        errors.push(RowError::new(
            r.line,
            Some(&r.path),
            Some(&r.event_hash),
            reason,
        ));
    }
    Ok(())
}

/// Write the events and everything they list.
fn write_events(
    conn: &mut PgConnection,
    batch: &ImportBatch,
    records: &[EventRecord],
    sites: &HashMap<String, i64>,
    lots: &HashMap<String, i64>,
) -> QueryResult<()> {
    let ids = SupplyEvent::reserve_ids(conn, records.len() as i64)?;
    let mut rows = Rows::default();
    for (r, &id) in records.iter().zip(&ids) {
        rows.add_event(r, id, batch.id, sites);
        rows.add_identifiers(r, id, lots);
        rows.add_lists(r, id, sites);
    }
    SupplyEvent::copy_in(conn, &rows.events, &rows.links)?;
    EpcisEvent::copy_in(conn, &rows.epcis)?;
    EpcisEpc::copy_in(conn, &rows.epcs)?;
    EpcisBizTransaction::copy_in(conn, &rows.transactions)?;
    EpcisSourceDestination::copy_in(conn, &rows.ends)?;
    EpcisSensorReport::copy_in(conn, &rows.reports)?;
    Ok(())
}

impl Rows {
    /// The event's `supply_events` and `epcis_events` rows.
    fn add_event(&mut self, r: &EventRecord, id: i64, batch_id: i64, sites: &HashMap<String, i64>) {
        let site = |uri: &Option<String>| uri.as_deref().and_then(|u| sites.get(u)).copied();
        let first_location = |list: &[super::TypedId]| {
            list.iter()
                .filter(|t| t.kind.as_deref() == Some("location"))
                .find_map(|t| sites.get(&t.id).copied())
        };
        let line = i32::try_from(r.line).unwrap_or(i32::MAX);
        self.events.push(NewSupplyEvent {
            id,
            event_type: r.event_type.clone(),
            action: r.action.clone(),
            biz_step: r.biz_step.clone(),
            disposition: r.disposition.clone(),
            event_time: r.event_time,
            event_tz_offset: r.event_tz_offset.clone(),
            biz_location_id: site(&r.biz_location),
            source_site_id: first_location(&r.sources),
            destination_site_id: first_location(&r.destinations),
            shipment_code: None,
            batch_id: Some(batch_id),
            line: Some(line),
        });
        let declaration = r.error_declaration.as_ref();
        self.epcis.push(NewEpcisEvent {
            event_id: id,
            batch_id,
            line,
            event_uri: r.event_id.clone(),
            event_hash: r.event_hash.clone(),
            record_time: r.record_time,
            read_point: r.read_point.clone(),
            read_point_site_id: site(&r.read_point),
            biz_location: r.biz_location.clone(),
            transformation_id: r.transformation_id.clone(),
            persistent_disposition_set: r.persistent_disposition_set.clone(),
            persistent_disposition_unset: r.persistent_disposition_unset.clone(),
            ilmd: r.ilmd.clone(),
            extensions: r.extensions.clone(),
            error_declared_at: declaration.map(|d| d.declared_at),
            error_reason: declaration.and_then(|d| d.reason.clone()),
            corrective_event_ids: declaration
                .map(|d| d.corrective_event_ids.clone())
                .unwrap_or_default(),
        });
    }

    /// The identifiers the event names, and its links to the lots among them: one link per
    /// lot and role; quantities of one lot in one role add up when they share a unit.
    fn add_identifiers(&mut self, r: &EventRecord, id: i64, lots: &HashMap<String, i64>) {
        let mut links: BTreeMap<(i64, &'static str), Link> = BTreeMap::new();
        for e in &r.epcs {
            let lot_id = lots.get(&e.epc).copied();
            self.epcs.push(NewEpcisEpc {
                event_id: id,
                role: e.role.clone(),
                kind: e.kind.clone(),
                position: e.position,
                epc: e.epc.clone(),
                quantity: e.quantity.clone(),
                uom: e.uom.clone(),
                lot_id,
            });
            let Some(lot_id) = lot_id else { continue };
            let role = match e.role.as_str() {
                "epc" => "object",
                "parent" => "parent",
                "child" => "child",
                "input" => "input",
                _ => "output",
            };
            links
                .entry((lot_id, role))
                .and_modify(|link| {
                    link.quantity = match (link.quantity.take(), &e.quantity) {
                        (Some(a), Some(b)) if link.unit == e.uom => Some(a + b),
                        _ => None,
                    };
                })
                .or_insert(Link {
                    quantity: e.quantity.clone(),
                    unit: e.uom.clone(),
                });
        }
        for ((lot_id, role), link) in links {
            self.links.push(NewSupplyEventLot {
                event_id: id,
                lot_id,
                role: role.into(),
                unit: link.quantity.as_ref().and(link.unit),
                quantity: link.quantity,
            });
        }
    }

    /// Business transactions, sources and destinations, sensor reports.
    fn add_lists(&mut self, r: &EventRecord, id: i64, sites: &HashMap<String, i64>) {
        for t in &r.biz_transactions {
            self.transactions.push(NewEpcisBizTransaction {
                event_id: id,
                position: t.position,
                kind: t.kind.clone(),
                biz_transaction: t.id.clone(),
            });
        }
        for (direction, list) in [("source", &r.sources), ("destination", &r.destinations)] {
            for t in list {
                self.ends.push(NewEpcisSourceDestination {
                    event_id: id,
                    direction: direction.into(),
                    position: t.position,
                    kind: t.kind.clone(),
                    value: t.id.clone(),
                    site_id: (t.kind.as_deref() == Some("location"))
                        .then(|| sites.get(&t.id).copied())
                        .flatten(),
                });
            }
        }
        for report in &r.sensor_reports {
            self.reports.push(EpcisSensorReport {
                event_id: id,
                ..report.clone()
            });
        }
    }
}

/// A lot's link to an event in one role.
struct Link {
    quantity: Option<BigDecimal>,
    unit: Option<String>,
}

/// The first mention of a lot in a file: its GTIN, a unit, its origin site, the event.
struct LotMention<'a> {
    gtin: String,
    uom: Option<&'a str>,
    origin: Option<i64>,
    first: &'a EventRecord,
}

#[derive(Default)]
struct Rows {
    events: Vec<NewSupplyEvent>,
    links: Vec<NewSupplyEventLot>,
    epcis: Vec<NewEpcisEvent>,
    epcs: Vec<NewEpcisEpc>,
    transactions: Vec<NewEpcisBizTransaction>,
    ends: Vec<NewEpcisSourceDestination>,
    reports: Vec<EpcisSensorReport>,
}

/// The site code of a GLN-based location: the GLN, or `{GLN}/254/{extension}` for an SGLN
/// with an extension other than 0 (docs/formats/epcis.md).
pub(crate) fn site_code(location_uri: &str) -> Option<(String, String)> {
    let (gln, extension) = epc::location(location_uri)?;
    let code = match extension {
        Some(ext) => format!("{gln}/254/{ext}"),
        None => gln.clone(),
    };
    Some((code, gln))
}

/// Register the sites the events' locations name; site ids by location URI.
fn register_sites(
    conn: &mut PgConnection,
    records: &[EventRecord],
) -> QueryResult<HashMap<String, i64>> {
    let mut by_uri: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in records {
        let uris = [&r.read_point, &r.biz_location]
            .into_iter()
            .flatten()
            .chain(
                r.sources
                    .iter()
                    .chain(&r.destinations)
                    .filter(|t| t.kind.as_deref() == Some("location"))
                    .map(|t| &t.id),
            );
        for uri in uris {
            if let Some(site) = site_code(uri) {
                by_uri.entry(uri.clone()).or_insert(site);
            }
        }
    }
    let sites: Vec<(&String, &(String, String))> = by_uri.iter().collect();
    let mut ids_by_code = HashMap::new();
    for chunk in sites.chunks(CHUNK) {
        let new: Vec<NewSite> = chunk
            .iter()
            .map(|(_, (code, gln))| NewSite {
                code,
                name: code,
                kind: "other",
                gln: Some(gln),
                party_id: None,
                latitude: None,
                longitude: None,
            })
            .collect();
        Site::ensure_all(conn, &new)?;
        let codes: Vec<&str> = chunk.iter().map(|(_, (code, _))| code.as_str()).collect();
        ids_by_code.extend(Site::ids_by_code(conn, &codes)?);
    }
    Ok(by_uri
        .into_iter()
        .filter_map(|(uri, (code, _))| ids_by_code.get(&code).map(|id| (uri, *id)))
        .collect())
}

/// Register the products (by GTIN-14) and lots (by canonical Digital Link) of the trade items
/// the events name; lot ids by Digital Link. A lot already registered as another product is a
/// row error.
fn register_lots(
    conn: &mut PgConnection,
    records: &[EventRecord],
    sites: &HashMap<String, i64>,
    errors: &mut Vec<RowError>,
) -> QueryResult<HashMap<String, i64>> {
    let mut lots: BTreeMap<&str, LotMention<'_>> = BTreeMap::new();
    for r in records {
        let origin = [&r.biz_location, &r.read_point]
            .into_iter()
            .flatten()
            .find_map(|u| sites.get(u).copied());
        for e in &r.epcs {
            let Some(item) = epc::trade_item(&e.epc) else {
                continue;
            };
            let mention = lots.entry(&e.epc).or_insert(LotMention {
                gtin: item.gtin().to_string(),
                uom: None,
                origin,
                first: r,
            });
            if let (TradeItem::Lot { .. }, None) = (&item, mention.uom) {
                mention.uom = e.uom.as_deref();
            }
        }
    }
    let mut products: BTreeMap<&str, &str> = BTreeMap::new();
    for mention in lots.values() {
        let unit = products.entry(mention.gtin.as_str()).or_insert(PIECE);
        if let (Some(u), true) = (mention.uom, *unit == PIECE) {
            *unit = u;
        }
    }
    let product_list: Vec<(&str, &str)> = products.into_iter().collect();
    let mut product_ids = HashMap::new();
    for chunk in product_list.chunks(CHUNK) {
        let new: Vec<NewProduct> = chunk
            .iter()
            .map(|(gtin, unit)| NewProduct {
                code: gtin,
                gtin: Some(gtin),
                name: gtin,
                material_class: None,
                unit,
            })
            .collect();
        Product::ensure_all(conn, &new)?;
        let codes: Vec<&str> = chunk.iter().map(|(g, _)| *g).collect();
        product_ids.extend(Product::ids_by_code(conn, &codes)?);
    }
    let lot_list: Vec<(&str, &LotMention<'_>)> = lots.iter().map(|(c, m)| (*c, m)).collect();
    let mut registered: HashMap<String, (i64, String)> = HashMap::new();
    for chunk in lot_list.chunks(CHUNK) {
        let new: Vec<NewLot> = chunk
            .iter()
            .filter_map(|(code, mention)| {
                Some(NewLot {
                    code,
                    product_id: *product_ids.get(mention.gtin.as_str())?,
                    supplier_id: None,
                    origin_site_id: mention.origin,
                })
            })
            .collect();
        Lot::ensure_all(conn, &new)?;
        let codes: Vec<&str> = chunk.iter().map(|(code, _)| *code).collect();
        registered.extend(Lot::ids_and_products_by_code(conn, &codes)?);
    }
    let mut reported = HashSet::new();
    let mut ids = HashMap::with_capacity(registered.len());
    for (code, mention) in &lots {
        let (gtin, first) = (&mention.gtin, mention.first);
        let Some((id, product)) = registered.get(*code) else {
            continue;
        };
        if product != gtin {
            if reported.insert(*code) {
                errors.push(RowError::new(
                    first.line,
                    Some(&first.path),
                    Some(code),
                    format!("lot is registered as product {product}, this event names GTIN {gtin}"),
                ));
            }
            continue;
        }
        ids.insert((*code).to_string(), *id);
    }
    Ok(ids)
}
