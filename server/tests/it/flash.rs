//! What a plain form post must show once (here a new token): sealed into a
//! cookie for the person, shown by the next page, then gone; nobody else's
//! session opens it, and a script's call never gets one.

use crate::harness::*;
use reqwest::Response;

const PAGE: &str = "/user/ada/advanced/credentials";

/// `name=value` of the flash cookie a response sets (not a clearing one).
fn flash_cookie(res: &Response) -> Option<String> {
    set_cookie_headers(res)
        .into_iter()
        .find(|c| c.starts_with("sluice_flash=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

fn clears_flash(res: &Response) -> bool {
    set_cookie_headers(res).iter().any(|c| c.starts_with("sluice_flash=;") && c.contains("Max-Age=0"))
}

/// The full token in a page, if it shows one (masked ones are `spt_…`).
fn token_in(html: &str) -> Option<String> {
    html.match_indices("spt_").find_map(|(start, _)| {
        let token: String =
            html[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        (token.len() > 20).then_some(token)
    })
}

#[test]
fn a_token_made_by_a_plain_form_is_shown_once_on_the_next_page() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;

        let res = app.post_form_from(PAGE, "/sfn/create_token", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), 302);
        assert_eq!(location(&res).trim_end_matches('?'), app.url(PAGE));
        let flash = flash_cookie(&res).expect("a flash cookie");
        let set = set_cookie_headers(&res).join("\n");
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Max-Age=120"), "{set}");
        let body = res.text().await.unwrap();
        assert!(token_in(&body).is_none(), "the redirect's body carries no secret: {body}");
        assert!(!flash.contains("spt_"), "the cookie is sealed");

        // The next page shows it and clears the cookie.
        let both = format!("{ada}; {flash}");
        let page = app.get(PAGE, Some(&both)).await;
        assert_eq!(page.status(), 200);
        assert!(clears_flash(&page));
        let token = token_in(&page.text().await.unwrap()).expect("the new token on the page");
        let actor = app.api(reqwest::Method::GET, "/actor", Some(&token), None).await;
        assert_eq!(actor.status(), 200, "the token shown is the one made");

        // Once: the page after that has only its masked form.
        let again = app.get(PAGE, Some(&ada)).await;
        assert!(token_in(&again.text().await.unwrap()).is_none());
    });
}

#[test]
fn nobody_else_opens_a_flash_and_a_forged_one_is_ignored() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let bob = app.sign_up("bob@example.com", "bob", "Bob").await;
        let res = app.post_form_from(PAGE, "/sfn/create_token", &[("handle", "ada")], &ada).await;
        let flash = flash_cookie(&res).unwrap();

        // Bob's session with Ada's flash: nothing shown, and cleared.
        let page = app.get("/user/bob/advanced/credentials", Some(&format!("{bob}; {flash}"))).await;
        assert_eq!(page.status(), 200);
        assert!(clears_flash(&page));
        assert!(token_in(&page.text().await.unwrap()).is_none());

        // Signed out with it: nothing either.
        let page = app.get("/login", Some(&flash)).await;
        assert!(token_in(&page.text().await.unwrap()).is_none());

        // A flipped byte or garbage does not open and breaks nothing.
        let (name, value) = flash.split_once('=').unwrap();
        let mut bytes = value.as_bytes().to_vec();
        bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
        let forged = format!("{name}={}", String::from_utf8(bytes).unwrap());
        for bad in [forged, "sluice_flash=%%%".to_owned(), "sluice_flash=".to_owned()] {
            let page = app.get(PAGE, Some(&format!("{ada}; {bad}"))).await;
            assert_eq!(page.status(), 200, "{bad}");
            assert!(token_in(&page.text().await.unwrap()).is_none(), "{bad}");
        }
    });
}

#[test]
fn a_script_call_gets_the_secret_in_its_answer_and_no_flash() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/create_token", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), 200);
        assert!(flash_cookie(&res).is_none());
        let body: serde_json::Value = res.json().await.unwrap();
        assert!(body["secret"].as_str().unwrap().starts_with("spt_"));
    });
}
