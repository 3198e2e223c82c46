//! `/user/{user_handle}/second-factor`: an extension of the spec (marked
//! `x-sluice-extension`) that reads the account's factors and whether sign-in
//! requires one. Kinds, names and dates only; they change only in the
//! browser, where a person can prove who they are.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ssr, Factors};
use crate::access::Owner;
use crate::api::ApiError;
use crate::infra::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read))
}

#[utoipa::path(get, path = "/user/{user_handle}/second-factor", operation_id = "userSecondFactor_get", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = Factors), crate::api::Refusals),
    extensions(("x-sluice-extension" = json!(true))),
    security(("bearer" = [])))]
async fn read(State(state): State<AppState>, Owner(caller): Owner) -> Result<Json<Factors>, ApiError> {
    Ok(Json(ssr::factors(&state.db, &caller.account.id).await?))
}
