//! Leptos.toml (read by the server) and Cargo.toml's metadata (read by
//! cargo-leptos) must describe the same site.

use toml::Value;

fn table(path: &str, dig: &[&str]) -> toml::Table {
    let text = std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut v: Value = toml::from_str(&text).unwrap();
    for key in dig {
        v = match v {
            Value::Array(a) => a.into_iter().next().unwrap(),
            other => other,
        };
        v = v.get(*key).unwrap_or_else(|| panic!("{path} has no {key}")).clone();
    }
    match v {
        Value::Array(a) => a.into_iter().next().unwrap().as_table().unwrap().clone(),
        Value::Table(t) => t,
        other => panic!("{other:?}"),
    }
}

#[test]
fn cargo_leptos_and_the_server_see_the_same_site() {
    let site = table("Leptos.toml", &["package", "metadata", "leptos"]);
    let cargo = table("Cargo.toml", &["workspace", "metadata", "leptos"]);
    // What cargo-leptos 0.3 uses when Cargo.toml leaves a key out.
    let defaults: toml::Table = toml::from_str(
        r#"site-root = "target/site"
           site-pkg-dir = "pkg"
           site-addr = "127.0.0.1:3000"
           reload-port = 3001"#,
    )
    .unwrap();
    assert_eq!(site.get("output-name"), cargo.get("name"), "output-name must equal Cargo.toml's name");
    let shared = [
        "site-root",
        "site-pkg-dir",
        "site-addr",
        "reload-port",
        "style-file",
        "assets-dir",
        "end2end-cmd",
        "end2end-dir",
    ];
    for key in shared {
        let ours = site.get(key).unwrap_or_else(|| panic!("Leptos.toml lacks {key}"));
        let theirs = cargo.get(key).or_else(|| defaults.get(key)).unwrap_or_else(|| panic!("Cargo.toml lacks {key}"));
        assert_eq!(ours, theirs, "{key} differs between Leptos.toml and Cargo.toml");
    }
    for key in cargo.keys() {
        let cargo_only =
            ["name", "bin-package", "bin-exe-name", "lib-package", "lib-profile-release", "always-erase-components"];
        assert!(
            cargo_only.contains(&key.as_str()) || site.contains_key(key),
            "{key} is set only in Cargo.toml: put it in Leptos.toml"
        );
    }
}
