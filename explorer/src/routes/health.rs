use actix_web::{web, HttpResponse};
use diesel::RunQueryDsl;

use crate::state::AppState;

/// `GET /healthz`: 200 when the database answers, 503 otherwise (for load balancers).
pub async fn check(state: web::Data<AppState>) -> HttpResponse {
    let db = state
        .db(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await;
    match db {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": "ok"})),
        Err(e) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "database": e.to_string()})),
    }
}
