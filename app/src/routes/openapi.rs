//! The OpenAPI document's frame (title, server, the bearer scheme). The
//! operations come from the handlers' own annotations as each feature's
//! router is merged (a test holds the whole to the Pipes API v0 subset it
//! follows).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Sluice API", version = "v0", description = "The account area of Sluice: a subset of the Pipes API v0."),
    servers((url = "/api/v0")),
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

/// The document's frame: what the operations are merged into.
pub fn frame() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
