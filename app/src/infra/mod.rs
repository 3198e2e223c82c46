//! Server-only infrastructure shared by every feature: settings, state,
//! storage, mail, ids, time and the clock of proofs, rate limits, tenants, the audit trail,
//! how a browser is named from its User-Agent and which release of the site's files a page names.

pub mod audit_trail;
pub mod clock;
pub mod csv_text;
pub mod db;
pub mod ids;
pub mod mail;
pub mod rate_limit;
pub mod release;
pub mod relying_party;
pub mod request;
pub mod secret;
pub mod settings;
pub mod state;
pub mod system_mail;
pub mod tenants;
pub mod time;
pub mod usage_meter;
pub mod user_agent;
pub mod vault;
pub mod workspace_storage;

pub use settings::Settings;
pub use state::AppState;
