//! Integration tests: the real router on port 0, a fresh database per test.

mod api;
mod audit;
mod cli_login;
mod avatar;
mod avatar_upload;
mod billing;
mod config;
mod csrf;
mod deletion;
mod durability;
mod flash;
mod fuzz;
mod handle;
mod harness;
mod leptos_toml;
mod notifications;
mod openapi;
mod password;
mod pages;
mod profile;
mod reset;
mod security;
mod sign_in;
mod tokens;
mod usage;
mod workspaces;
