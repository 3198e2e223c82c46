//! `/api/v0/openapi.json` is generated from the handlers; it must describe
//! what is served, and only what the Pipes API v0 subset has: the same
//! operations (method, path, operationId), no status code the spec lacks,
//! and every field the spec requires of a response.

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn spec() -> Value {
    let text = include_str!("../../../docs/api/pipes-api-v0-user.yaml");
    serde_yaml::from_str(text).expect("the spec parses")
}

/// The schema a `$ref` (or an inline schema) stands for.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The operation is served: not the fallback's 404, not a 405.
async fn check_served(app: &TestApp, fallback: &Value, method: &str, path: &str) {
    let concrete = path
        .replace("{user_handle}", "ada")
        .replace("{token_id}", "k_00000000000000000000")
        .replace("{session_id}", "s_00000000000000000000")
        .replace("{workspace_handle}", "default")
        .replace("{temporary_token_request_id}", "spttr_00000000000000000000_00000000000000000000000000");
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let res = app.api(method.clone(), &concrete, None, None).await;
    let status = res.status();
    assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {concrete}");
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_ne!(body["detail"], fallback["detail"], "{method} {concrete} is not routed");
}

#[test]
fn the_document_matches_the_spec_and_the_routes() {
    run(async {
        let app = TestApp::spawn().await;
        let res = app.api(Method::GET, "/openapi.json", None, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let ours: Value = res.json().await.unwrap();
        let spec = spec();
        assert_eq!(ours["servers"][0]["url"], "/api/v0");
        let fallback: Value = app.api(Method::GET, "/no/such/path", None, None).await.json().await.unwrap();

        let mut operations = 0;
        let mut extensions = 0;
        for (path, item) in ours["paths"].as_object().unwrap() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                operations += 1;
                let id = op["operationId"].as_str().unwrap();
                let theirs = &spec["paths"][path][method];
                // Sluice's own operations beyond the spec say so, and are
                // held to the same rules as the spec's own below.
                if op["x-sluice-extension"] == true {
                    assert!(!theirs.is_object(), "{method} {path} is in the spec: not an extension");
                    extensions += 1;
                    check_served(&app, &fallback, method, path).await;
                    continue;
                }
                assert!(theirs.is_object(), "{method} {path} is not in the spec");
                assert_eq!(theirs["operationId"], id, "{method} {path}");
                for (code, response) in op["responses"].as_object().unwrap() {
                    let spec_response = &theirs["responses"][code];
                    assert!(spec_response.is_object(), "{id}: the spec has no {code}");
                    let Some(schema) = response.pointer("/content/application~1json/schema") else { continue };
                    let Some(spec_schema) = spec_response.pointer("/content/application~1json/schema") else {
                        continue;
                    };
                    let (mine, wanted) = (resolve(&ours, schema), resolve(&spec, spec_schema));
                    for field in wanted["required"].as_array().into_iter().flatten() {
                        let field = field.as_str().unwrap();
                        assert!(
                            mine["properties"].get(field).is_some(),
                            "{id} {code}: the spec requires `{field}`, the document lacks it: {mine}"
                        );
                    }
                }
                check_served(&app, &fallback, method, path).await;
            }
        }
        assert_eq!(operations - extensions, 27, "every operation of the spec is implemented and documented");
        assert_eq!(
            extensions, 5,
            "the extensions: sessions (list, delete), usage thresholds (get, put) and the second factor (get)"
        );
        assert!(ours["components"]["securitySchemes"]["bearer"].is_object());
    });
}
