//! `GET /api/v0/openapi.json`: the OpenAPI document of what Sluice
//! serves, generated from the handlers' own annotations and types (a
//! test holds it to the Pipes API v0 subset it follows).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Sluice API", version = "v0", description = "The account area of Sluice: a subset of the Pipes API v0."),
    servers((url = "/api/v0")),
    paths(
        crate::account::api::actor,
        crate::account::api::read,
        crate::account::api::update,
        crate::deletion::api::delete,
        crate::workspaces::api::list,
        crate::workspaces::api::read,
        crate::workspaces::api::create,
        crate::workspaces::api::delete,
        crate::tokens::api::list,
        crate::tokens::api::create,
        crate::tokens::api::read,
        crate::tokens::api::update,
        crate::tokens::api::delete,
        crate::password::api::read,
        crate::password::api::rotate,
        crate::avatar::api::create,
        crate::avatar::api::delete,
        crate::activity::api::list,
        crate::notifications::api::read,
        crate::notifications::api::update,
        crate::cli_login::api::create,
        crate::cli_login::api::read,
        crate::cli_login::api::update,
        crate::cli_login::api::delete,
        crate::usage::api::list,
        crate::billing::api::subscriptions,
        crate::billing::api::invoices,
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
