//! Property: whatever JSON a client sends to a body-taking `/api/v0`
//! operation, the answer is never a 5xx, and every error is an
//! `ErrorModel`. Bodies come from a seeded generator (printed on failure).

use crate::api::new_token;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const KEYS: &[&str] = &[
    "display_name",
    "status",
    "title",
    "description",
    "expires_in_minutes",
    "token_min_issued_at",
    "state",
    "handle",
    "url",
    "avatar_url",
    "",
    "\u{0}",
    "ünïcode",
];

fn string(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "a",
        "active",
        "inactive",
        "confirmed",
        "pending",
        " ",
        "\u{0}",
        "\n",
        "é",
        "🦀",
        "'",
        "\"",
        "2026-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "-1",
        "<script>",
        "x",
        "spt_",
        "%00",
        "\\",
        "null",
    ];
    let n = rng.below(8);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(PIECES[rng.below(PIECES.len() as u64) as usize]);
    }
    if rng.below(20) == 0 {
        s.push_str(&"z".repeat(rng.below(5000) as usize));
    }
    s
}

fn value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => {
            let choices = [0i64, 1, -1, 59, 525_600, 525_601, i64::MAX, i64::MIN];
            Value::from(choices[rng.below(choices.len() as u64) as usize])
        }
        3 => Value::from((rng.next() as f64) / 7.0 * if rng.below(2) == 0 { -1.0 } else { 1.0 }),
        4 => Value::String(string(rng)),
        5 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
        _ => object(rng, depth + 1),
    }
}

fn object(rng: &mut Rng, depth: u32) -> Value {
    let mut map = Map::new();
    for _ in 0..rng.below(4) {
        let key = KEYS[rng.below(KEYS.len() as u64) as usize].to_owned();
        map.insert(key, value(rng, depth));
    }
    Value::Object(map)
}

#[test]
fn random_json_bodies_never_get_a_5xx() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (token_id, token) = new_token(&app, "ada", &ada).await;
        let request = app.api(Method::POST, "/login/token", None, None).await;
        let request_id = request.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let targets = [
            (Method::PATCH, "/user/ada".to_owned()),
            (Method::POST, "/user/ada/password".to_owned()),
            (Method::PATCH, format!("/user/ada/token/{token_id}")),
            (Method::POST, "/user/ada/token".to_owned()),
            (Method::PATCH, format!("/login/token/{request_id}")),
            (Method::PATCH, "/user/grace".to_owned()),
        ];
        let seed = std::env::var("SLUICE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_CAFE_u64);
        let mut rng = Rng(seed);
        let mut seen = std::collections::BTreeMap::<u16, usize>::new();
        for i in 0..600 {
            let body = if rng.below(3) == 0 { value(&mut rng, 0) } else { object(&mut rng, 0) };
            let (method, path) = &targets[i % targets.len()];
            let res = app.api(method.clone(), path, Some(&token), Some(body.clone())).await;
            let status = res.status();
            *seen.entry(status.as_u16()).or_default() += 1;
            assert!(
                status < StatusCode::INTERNAL_SERVER_ERROR,
                "seed {seed} case {i}: {method} {path} {body} → {status}"
            );
            if !status.is_success() {
                let model: Value = res.json().await.unwrap_or_else(|e| panic!("seed {seed} case {i}: not JSON: {e}"));
                assert_eq!(model["status"], status.as_u16(), "seed {seed} case {i}: {model}");
            }
        }
        // The generator reaches both sides of the validation.
        assert!(seen.keys().any(|s| (200..300).contains(s)), "{seen:?}");
        assert!(seen.get(&400).copied().unwrap_or(0) > 100, "{seen:?}");
    });
}
