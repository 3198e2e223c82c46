//! `sluice lift-second-factor HANDLE`: for an owner who lost every second
//! factor (and every recovery code), an operator stops requiring one at
//! sign-in. It opens the storage the settings name (the server may be
//! running) and leaves a record on the account's Audit Log.

use crate::args::SettingsArgs;

/// Answers what was done, for the terminal.
pub async fn lift_second_factor(args: &SettingsArgs, handle: &str) -> Result<String, String> {
    let config = crate::config::load(args).map_err(|e| e.to_string())?;
    let db = app::infra::db::open(&config.settings).await.map_err(|e| e.to_string())?;
    let operator = ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "an operator".to_owned());
    let done = app::routes::operator::lift_second_factor(&db, handle, &operator).await.map_err(|e| e.to_string())?;
    db.close().await;
    match done {
        None => Err(format!("no account has the handle {handle}")),
        Some(false) => Ok(format!("{handle} does not require a second factor: nothing changed")),
        Some(true) => Ok(format!(
            "{handle} no longer requires a second factor: an e-mail link alone signs in. Recorded in the account's Audit Log."
        )),
    }
}
