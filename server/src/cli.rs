//! `sluice login` and `sluice whoami`: a command-line client of Sluice's
//! CLI login. `login` asks a Sluice for a login request, prints the page
//! to confirm it on, reads the code shown there, and keeps the temporary
//! token it gets in the user's config dir (0600). `whoami` asks who that
//! token belongs to.

use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("cannot reach {url}: {source}")]
    Unreachable { url: String, source: reqwest::Error },
    #[error("{0}")]
    Refused(String),
    #[error("not signed in: run `sluice login` first")]
    NotSignedIn,
    #[error("cannot use {path}: {source}")]
    Config { path: String, source: std::io::Error },
}

/// What `login` keeps: where, and the token.
#[derive(Debug, Serialize, Deserialize)]
struct Credentials {
    url: String,
    token: String,
}

fn config_dir() -> Result<PathBuf, CliError> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("SLUICE_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("sluice")))
        .or_else(|| var("HOME").map(|h| h.join(".config").join("sluice")))
        .ok_or_else(|| CliError::Usage("no config dir: set SLUICE_CONFIG_DIR or HOME".into()))
}

fn credentials_path() -> Result<PathBuf, CliError> {
    Ok(config_dir()?.join("credentials.json"))
}

fn save(credentials: &Credentials) -> Result<PathBuf, CliError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let path = credentials_path()?;
    let io = |source| CliError::Config { path: path.display().to_string(), source };
    let dir = path.parent().expect("a file in a dir");
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
    let mut file =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&path).map_err(io)?;
    // An older file keeps its mode on open: make sure.
    file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    let body = serde_json::to_vec_pretty(credentials).expect("credentials serialise");
    file.write_all(&body).map_err(io)?;
    Ok(path)
}

fn load() -> Result<Credentials, CliError> {
    let path = credentials_path()?;
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CliError::NotSignedIn),
        Err(source) => return Err(CliError::Config { path: path.display().to_string(), source }),
    };
    serde_json::from_slice(&bytes).map_err(|_| CliError::NotSignedIn)
}

#[derive(Debug, Deserialize)]
struct LoginRequest {
    id: String,
    #[serde(default)]
    token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorModel {
    #[serde(default)]
    detail: String,
    #[serde(default)]
    validation_errors: Vec<FieldError>,
}

#[derive(Debug, Deserialize)]
struct FieldError {
    #[serde(default)]
    location: String,
    #[serde(default)]
    message: String,
}

/// The error body's words, for a person.
async fn refusal(res: reqwest::Response) -> CliError {
    let status = res.status();
    match res.json::<ErrorModel>().await {
        Ok(e) => {
            let field = e.validation_errors.first().map(|f| format!(": {} {}", f.location, f.message));
            CliError::Refused(format!("{} ({status}){}", e.detail, field.unwrap_or_default()))
        }
        Err(_) => CliError::Refused(format!("Sluice answered {status}")),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().expect("an HTTP client")
}

#[derive(Debug, Deserialize)]
struct Actor {
    handle: String,
    #[serde(default)]
    display_name: String,
}

async fn actor(client: &reqwest::Client, url: &str, token: &str) -> Result<Actor, CliError> {
    let endpoint = format!("{url}/api/v0/actor");
    let res = client
        .get(&endpoint)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|source| CliError::Unreachable { url: endpoint.clone(), source })?;
    if res.status() == reqwest::StatusCode::UNAUTHORIZED {
        return Err(CliError::Refused(
            "the kept token no longer works (it expired, or its session was revoked or reset on Credentials & Access): run `sluice login`".into(),
        ));
    }
    if !res.status().is_success() {
        return Err(refusal(res).await);
    }
    res.json().await.map_err(|source| CliError::Unreachable { url: endpoint, source })
}

/// `sluice login`: `input` is where the code is typed (stdin).
pub async fn login(url: Option<String>, input: &mut impl BufRead) -> Result<(), CliError> {
    let url = url
        .or_else(|| std::env::var("SLUICE_PUBLIC_URL").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let url = url.trim_end_matches('/').to_owned();
    let client = client();
    let endpoint = format!("{url}/api/v0/login/token");
    let res = client
        .post(&endpoint)
        .send()
        .await
        .map_err(|source| CliError::Unreachable { url: endpoint.clone(), source })?;
    if !res.status().is_success() {
        return Err(refusal(res).await);
    }
    let request: LoginRequest =
        res.json().await.map_err(|source| CliError::Unreachable { url: endpoint.clone(), source })?;
    println!("Open this page, sign in if asked, and press Confirm:");
    println!("  {url}/login/token?r={}", request.id);
    let token = loop {
        print!("Code shown on the page: ");
        std::io::stdout().flush().ok();
        let mut line = String::new();
        if input.read_line(&mut line).unwrap_or(0) == 0 {
            return Err(CliError::Usage("no code given".into()));
        }
        let code: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let exchange = format!("{endpoint}/{}", request.id);
        let res = client
            .get(&exchange)
            .query(&[("code", code.as_str())])
            .send()
            .await
            .map_err(|source| CliError::Unreachable { url: exchange.clone(), source })?;
        if res.status().is_success() {
            let answer: LoginRequest =
                res.json().await.map_err(|source| CliError::Unreachable { url: exchange.clone(), source })?;
            match answer.token {
                Some(t) => break t,
                None => return Err(CliError::Refused("Sluice sent no token".into())),
            }
        }
        let status = res.status();
        let error = refusal(res).await;
        // A wrong code may be typed again; anything else ends the login.
        if status == reqwest::StatusCode::BAD_REQUEST && error.to_string().contains("more tries") {
            eprintln!("{error}");
            continue;
        }
        return Err(error);
    };
    let path = save(&Credentials { url: url.clone(), token: token.clone() })?;
    let who = actor(&client, &url, &token).await?;
    println!("Signed in to {url} as {} ({}).", who.handle, who.display_name);
    println!("The token is kept in {}.", path.display());
    Ok(())
}

/// `sluice whoami`.
pub async fn whoami() -> Result<(), CliError> {
    let credentials = load()?;
    let who = actor(&client(), &credentials.url, &credentials.token).await?;
    println!("{}", who.handle);
    Ok(())
}
