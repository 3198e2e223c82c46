//! The binary's settings: `--help` lists them, a bad value stops the start
//! with one line that names it.

use crate::harness::server_process;

#[test]
fn help_lists_every_setting() {
    let out = server_process().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "SLUICE_DATA_DIR",
        "SLUICE_DATABASE_URL",
        "SLUICE_DB_MAX_CONNECTIONS",
        "SLUICE_DB_ACQUIRE_TIMEOUT",
        "SLUICE_DB_IDLE_TIMEOUT",
        "SLUICE_TRUSTED_PROXIES",
        "SLUICE_PUBLIC_URL",
        "SLUICE_SMTP_URL",
        "SLUICE_TENANT_DOMAINS",
        "LEPTOS_SITE_ADDR",
    ] {
        assert!(text.contains(name), "--help lacks {name}");
    }
}

#[test]
fn a_bad_value_stops_the_start_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in [
        ("SLUICE_PUBLIC_URL", "http://sluice.example.com"),
        ("SLUICE_PUBLIC_URL", "not a url"),
        ("SLUICE_SMTP_URL", "mailto:x"),
        ("SLUICE_DATABASE_URL", "mysql://x"),
        ("SLUICE_DB_MAX_CONNECTIONS", "0"),
        ("SLUICE_TRUSTED_PROXIES", "proxy.internal"),
        ("SLUICE_DB_ACQUIRE_TIMEOUT", "soon"),
        ("SLUICE_TENANT_DOMAINS", "example.org"),
        ("SLUICE_SIGN_IN_PER_PEER", "-3"),
        ("SLUICE_SECRET_KEY", "c2hvcnQ="),
        ("SLUICE_PROPAGATION_DELAY", "soon"),
        ("SLUICE_WORKSPACE_CLUSTERS", "us-east-1=postgres://a:b@10.0.1.5/postgres"),
        ("SLUICE_WORKSPACE_CLUSTERS", "us-east-1=https://10.0.1.5/;public=db.example.com:5432"),
        ("SLUICE_CLUSTER_STATEMENT_TIMEOUT", "0"),
        ("LEPTOS_SITE_ADDR", "nowhere"),
    ] {
        let out = server_process().env("SLUICE_DATA_DIR", dir.path()).env(name, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}={value}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
    }
}

/// A cluster that cannot be reached stops the start too, in one line that
/// names the setting and the region, not the password in its URL.
#[test]
fn an_unreachable_workspace_cluster_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = server_process()
        .env("SLUICE_DATA_DIR", dir.path())
        .env(
            "SLUICE_WORKSPACE_CLUSTERS",
            "eu-west-1=postgres://sluice_admin:hunter22@127.0.0.1:1/postgres;public=db.example.com",
        )
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("SLUICE_WORKSPACE_CLUSTERS") && err.contains("eu-west-1") && err.contains("cannot connect"),
        "{err}"
    );
    assert!(!err.contains("hunter22"), "{err}");
}

#[test]
fn unknown_arguments_are_refused() {
    let out = server_process().arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_https_site_without_a_secret_key_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = server_process()
        .env("SLUICE_DATA_DIR", dir.path())
        .env("SLUICE_PUBLIC_URL", "https://sluice.example.com")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("SLUICE_SECRET_KEY") && err.contains("required"), "{err}");
    assert!(!dir.path().join("secret.key").exists(), "no key file is made for production");
}
