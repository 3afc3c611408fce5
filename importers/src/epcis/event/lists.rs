//! The lists and nested objects of an event: quantity elements, business transactions and
//! sources / destinations, sensor elements with their reports, the error declaration.

use bigdecimal::BigDecimal;
use serde_json::{Map, Value};

use citytrace_schema::models::EpcisSensorReport;

use super::super::cbv::{self, Vocabulary};
use super::super::{EpcEntry, ErrorDeclaration, TypedId};
use super::Reader;
use crate::ocds::json::{decimal, field, item, type_name};

impl Reader<'_> {
    pub(super) fn quantity(
        &mut self,
        q: &Map<String, Value>,
        path: &str,
        role: &str,
        position: i32,
    ) -> Option<EpcEntry> {
        let class = self.text(q, path, "epcClass");
        let quantity = match q.get("quantity") {
            None | Some(Value::Null) => None,
            Some(v) => match decimal(v) {
                Ok(d) if d.sign() == bigdecimal::num_bigint::Sign::Minus => {
                    self.fail(
                        &field(path, "quantity"),
                        Some(v),
                        "a quantity is not negative",
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(reason) => {
                    self.fail(&field(path, "quantity"), Some(v), reason);
                    None
                }
            },
        };
        let uom = self.text(q, path, "uom");
        if let Some(u) = &uom {
            if !(2..=3).contains(&u.len())
                || !u
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                self.fail(
                    &field(path, "uom"),
                    Some(&Value::String(u.clone())),
                    "not a UN/CEFACT Rec 20 unit code such as KGM",
                );
            } else if quantity.is_none() && q.get("quantity").is_none_or(Value::is_null) {
                self.fail(
                    &field(path, "uom"),
                    Some(&Value::String(u.clone())),
                    "a unit without a quantity",
                );
            }
        }
        let Some(class) = class else {
            self.fail(
                &field(path, "epcClass"),
                None,
                "a quantity element needs its `epcClass`",
            );
            return None;
        };
        let epc = self.identifier(&field(path, "epcClass"), &class)?;
        Some(EpcEntry {
            role: role.into(),
            kind: "class".into(),
            position,
            epc,
            quantity,
            uom,
        })
    }

    pub(super) fn typed_list(
        &mut self,
        event: &Map<String, Value>,
        path: &str,
        key: &str,
        id_key: &str,
        vocabulary: Vocabulary,
    ) -> Vec<TypedId> {
        let mut out = Vec::new();
        for (i, o) in self.objects(event, path, key).into_iter().enumerate() {
            let p = item(&field(path, key), i);
            let kind = self.vocabulary(o, &p, "type", vocabulary);
            match self.text(o, &p, id_key) {
                Some(id) => {
                    if let Some(id) = self.identifier(&field(&p, id_key), &id) {
                        out.push(TypedId {
                            position: i as i32 + 1,
                            kind,
                            id,
                        });
                    }
                }
                None => self.fail(&field(&p, id_key), None, format!("needs its `{id_key}`")),
            }
        }
        out
    }

    pub(super) fn number(
        &mut self,
        o: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<BigDecimal> {
        match o.get(key)? {
            Value::Null => None,
            v => match decimal(v) {
                Ok(d) => Some(d),
                Err(reason) => {
                    self.fail(&field(path, key), Some(v), reason);
                    None
                }
            },
        }
    }

    pub(super) fn sensor_element(
        &mut self,
        element: &Map<String, Value>,
        path: &str,
        number: i32,
        out: &mut Vec<EpcisSensorReport>,
    ) {
        let meta = self
            .object(element, path, "sensorMetadata")
            .cloned()
            .unwrap_or_default();
        let mp = field(path, "sensorMetadata");
        let meta_time = |r: &mut Self, key: &str| {
            r.text(&meta, &mp, key)
                .and_then(|t| r.timestamp(&field(&mp, key), &t))
        };
        let time = meta_time(self, "time");
        let start_time = meta_time(self, "startTime");
        let end_time = meta_time(self, "endTime");
        let meta_id = |r: &mut Self, key: &str| {
            r.text(&meta, &mp, key)
                .and_then(|t| r.identifier(&field(&mp, key), &t))
        };
        let device_id = meta_id(self, "deviceID");
        let device_metadata = meta_id(self, "deviceMetadata");
        let raw_data = meta_id(self, "rawData");
        let data_processing_method = meta_id(self, "dataProcessingMethod");
        let biz_rules = meta_id(self, "bizRules");
        let reports = self.objects(element, path, "sensorReport");
        if reports.is_empty() && element.get("sensorReport").is_none_or(Value::is_null) {
            self.fail(
                &field(path, "sensorReport"),
                None,
                "a sensor element needs at least one sensorReport",
            );
        }
        for (i, report) in reports.into_iter().enumerate() {
            let p = item(&field(path, "sensorReport"), i);
            let text = |r: &mut Self, key: &str| r.text(report, &p, key);
            let id = |r: &mut Self, key: &str| {
                r.text(report, &p, key)
                    .and_then(|t| r.identifier(&field(&p, key), &t))
            };
            let report_time =
                text(self, "time").and_then(|t| self.timestamp(&field(&p, "time"), &t));
            let boolean_value = match report.get("booleanValue") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(other) => {
                    self.fail(
                        &field(&p, "booleanValue"),
                        Some(other),
                        format!("expected true or false, found {}", type_name(other)),
                    );
                    None
                }
            };
            out.push(EpcisSensorReport {
                event_id: 0,
                element: number,
                position: i as i32 + 1,
                report_type: text(self, "type").map(|t| cbv::gs1_term(&t)),
                device_id: id(self, "deviceID").or_else(|| device_id.clone()),
                device_metadata: id(self, "deviceMetadata").or_else(|| device_metadata.clone()),
                raw_data: id(self, "rawData").or_else(|| raw_data.clone()),
                data_processing_method: id(self, "dataProcessingMethod")
                    .or_else(|| data_processing_method.clone()),
                biz_rules: id(self, "bizRules").or_else(|| biz_rules.clone()),
                report_time: report_time.or(time),
                start_time,
                end_time,
                value: self.number(report, &p, "value"),
                min_value: self.number(report, &p, "minValue"),
                max_value: self.number(report, &p, "maxValue"),
                mean_value: self.number(report, &p, "meanValue"),
                sdev: self.number(report, &p, "sDev"),
                perc_rank: self.number(report, &p, "percRank"),
                perc_value: self.number(report, &p, "percValue"),
                uom: text(self, "uom"),
                string_value: text(self, "stringValue"),
                boolean_value,
                hex_binary_value: text(self, "hexBinaryValue"),
                uri_value: text(self, "uriValue"),
                exception: text(self, "exception").map(|t| cbv::gs1_term(&t)),
                component: text(self, "component").map(|t| cbv::component(&t)),
                chemical_substance: text(self, "chemicalSubstance"),
                microorganism: text(self, "microorganism"),
                coordinate_reference_system: text(self, "coordinateReferenceSystem"),
            });
        }
    }

    pub(super) fn error_declaration(
        &mut self,
        event: &Map<String, Value>,
        path: &str,
    ) -> Option<ErrorDeclaration> {
        let declaration = self.object(event, path, "errorDeclaration")?;
        let p = field(path, "errorDeclaration");
        let declared_at = match self.text(declaration, &p, "declarationTime") {
            Some(t) => self.timestamp(&field(&p, "declarationTime"), &t),
            None => {
                self.fail(
                    &field(&p, "declarationTime"),
                    None,
                    "an error declaration needs its `declarationTime`",
                );
                None
            }
        };
        let reason = self.vocabulary(declaration, &p, "reason", Vocabulary::ErrorReason);
        let corrective_event_ids = self.strings(declaration, &p, "correctiveEventIDs");
        Some(ErrorDeclaration {
            declared_at: declared_at?,
            reason,
            corrective_event_ids,
        })
    }
}
