//! Integration tests: the real router on port 0, a fresh database per test.

// A test or a benchmark: a panic is how it reports what went wrong.
#![allow(clippy::unwrap_used)]
// Signals to the processes the tests start.
#![allow(unsafe_code)]

mod activity;
mod api;
mod api_budget;
mod avatar;
mod avatar_upload;
mod billing;
mod cli_login;
mod clients;
mod cluster_limits;
mod cluster_roles;
mod clusters;
mod config;
mod csrf;
mod data_export;
mod database_password;
mod deletion;
mod display_name;
mod durability;
mod email_change;
mod flash;
mod fuzz;
mod handle;
mod harness;
mod identity;
mod leptos_toml;
mod limits;
mod local_postgres;
mod login;
mod multi_instance;
mod networks;
mod notifications;
mod openapi;
mod pages;
mod proxy;
mod races;
mod reset;
mod second_factor;
mod security;
mod sessions;
mod site_files;
mod thresholds;
mod tokens;
mod upgrade;
mod usage;
mod workspaces;
