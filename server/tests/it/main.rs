//! Integration tests: the real router on port 0, a fresh database per test.

mod avatar;
mod config;
mod csrf;
mod harness;
mod leptos_toml;
mod pages;
mod profile;
mod sign_in;
mod tokens;
