//! The archive itself: `GET /user/{handle}/export.zip`, for the signed-in
//! owner only, a few times an hour, audited (`data.export`). The ZIP is
//! written by `async_zip` into one end of an in-memory pipe whose other
//! end is the response body: what is written waits until the client has
//! read what came before, so memory stays flat however long the log.

use async_zip::tokio::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::{AsyncWriteExt, StreamExt};
use http::request::Parts;
use serde_json::{json, Value};

use crate::activity::export::{records, Format};
use crate::activity::ssr::Query as AuditQuery;
use crate::activity::AuditFilter;
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// Archives one person may download in an hour.
pub const PER_HOUR: i64 = 5;
/// Bytes the pipe holds before the writer waits for the client.
const PIPE_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new().route("/user/{handle}/export.zip", get(download))
}

async fn download(State(state): State<AppState>, Path(handle): Path<String>, parts: Parts) -> Response {
    // Only the owner, signed in; anyone else learns nothing.
    let viewer = match crate::access::session::ssr::viewer(&state, &parts).await {
        Ok(Some((viewer, _))) if viewer.handle == handle => viewer,
        Ok(_) => return (StatusCode::NOT_FOUND, "That page does not exist.").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let limit = Limit { max: PER_HOUR, window_secs: 3600 };
    match rate_limit::hit(&state.db, &format!("export:{}", viewer.id), limit, now_millis()).await {
        Ok(()) => {}
        Err(AppError::RateLimited { retry_after_secs }) => {
            let text = format!("You can download your data {PER_HOUR} times an hour. Try again in a few minutes.");
            return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], text)
                .into_response();
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let actor = Actor::viewer(&viewer, &parts);
    audit_trail::write_own(&state.db, &actor, "data.export", json!({ "format": "zip" })).await;
    let (writer, reader) = tokio::io::duplex(PIPE_BYTES);
    let user_id = viewer.id.clone();
    tokio::spawn(async move {
        if let Err(error) = write(&state, &user_id, &viewer.handle, writer).await {
            // The client sees a cut archive, which no unzip accepts.
            tracing::warn!(%error, "a data export stopped");
        }
    });
    let filename = format!("sluice-{handle}-data.zip");
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(reader)),
    )
        .into_response()
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Writes every part, then the Audit Log, into the archive.
async fn write(state: &AppState, user_id: &str, handle: &str, out: tokio::io::DuplexStream) -> Result<(), Failure> {
    let mut zip = ZipFileWriter::with_tokio(out);
    let parts = [
        ("profile.json", profile(state, user_id).await?),
        ("workspaces.json", workspaces(state, user_id, handle).await?),
        ("tokens.json", tokens(state, user_id).await?),
        ("notifications.json", notifications(state, user_id).await?),
        ("sessions.json", sessions(state, user_id).await?),
        // Names and dates only: a passkey's public key is of no use to its owner.
        ("passkeys.json", serde_json::to_value(crate::identity::passkeys::ssr::list(&state.db, user_id).await?)?),
        ("usage.json", usage(state, user_id).await?),
    ];
    zip.write_entry_whole(ZipEntryBuilder::new("README.txt".into(), Compression::Deflate), readme(handle).as_bytes())
        .await?;
    for (name, value) in parts {
        let bytes = serde_json::to_vec_pretty(&value)?;
        zip.write_entry_whole(ZipEntryBuilder::new(name.into(), Compression::Deflate), &bytes).await?;
    }
    for (name, format) in [("audit_log.json", Format::Json), ("audit_log.csv", Format::Csv)] {
        let query = AuditQuery::parse(&AuditFilter::default(), "")?;
        let mut entry = zip.write_entry_stream(ZipEntryBuilder::new(name.into(), Compression::Deflate)).await?;
        let mut batches = std::pin::pin!(records(state.clone(), user_id.to_owned(), query, format));
        while let Some(batch) = batches.next().await {
            entry.write_all(&batch?).await?;
        }
        entry.close().await?;
    }
    let mut out = zip.close().await?.into_inner();
    tokio::io::AsyncWriteExt::shutdown(&mut out).await?;
    Ok(())
}

fn readme(handle: &str) -> String {
    format!(
        "Your Sluice data ({handle}), as of {when}.\r\n\r\n\
         profile.json        your account: handle, display name, e-mail address, when it was made\r\n\
         workspaces.json     your workspaces and how to reach them (your database password is not included)\r\n\
         tokens.json         your API tokens' names, last four characters and dates (never the token)\r\n\
         notifications.json  which e-mails you receive\r\n\
         sessions.json       the browsers and CLI logins signed in to your account\r\n\
         passkeys.json       your passkeys' names\r\n\
         usage.json          daily compute and storage of your workspaces\r\n\
         audit_log.json      your whole Audit Log (also as audit_log.csv)\r\n",
        when = rfc3339(now_millis()),
    )
}

async fn profile(state: &AppState, user_id: &str) -> Result<Value, sqlx::Error> {
    let (id, handle, display_name, email, created_at): (String, String, String, String, i64) =
        sqlx::query_as("SELECT id, handle, display_name, email, created_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&state.db)
            .await?;
    Ok(json!({ "id": id, "handle": handle, "display_name": display_name, "email": email,
               "created_at": rfc3339(created_at) }))
}

async fn workspaces(state: &AppState, user_id: &str, handle: &str) -> Result<Value, Failure> {
    let overview = crate::database_password::ssr::overview(state, user_id, handle).await?;
    let list = crate::workspaces::ssr::list(state, user_id, handle).await?;
    Ok(Value::Array(
        list.into_iter()
            .map(|ws| {
                let connection = overview.workspaces.iter().find(|c| c.handle == ws.handle);
                json!({
                    "handle": ws.handle, "region": ws.region, "database": ws.database_name,
                    "dns_name": ws.dns_name, "created_at": ws.created_at, "runs_on": ws.runs_on,
                    "connection": connection.map(|c| json!({
                        "host": c.host, "port": c.port, "user": c.user, "database": c.database,
                        "tls": c.tls, "password": "(not included: see Credentials & Access)",
                    })),
                })
            })
            .collect(),
    ))
}

async fn tokens(state: &AppState, user_id: &str) -> Result<Value, Failure> {
    Ok(serde_json::to_value(crate::tokens::ssr::list(&state.db, user_id).await?)?)
}

async fn notifications(state: &AppState, user_id: &str) -> Result<Value, sqlx::Error> {
    let row = crate::notifications::ssr::read(&state.db, user_id).await?;
    Ok(json!({ "community_updates": row.community_updates, "product_updates": row.product_updates,
               "tips_and_tricks": row.tips_and_tricks, "updated_at": rfc3339(row.updated_at) }))
}

async fn sessions(state: &AppState, user_id: &str) -> Result<Value, Failure> {
    Ok(serde_json::to_value(crate::sessions::ssr::list(state, user_id, None).await?)?)
}

async fn usage(state: &AppState, user_id: &str) -> Result<Value, sqlx::Error> {
    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT workspace_handle, usage_date, metric, value FROM usage_daily
         WHERE user_id = $1 ORDER BY usage_date, workspace_handle, metric",
    )
    .bind(user_id)
    .fetch_all(&state.db)
    .await?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|(workspace, day, metric, value)| {
                json!({ "workspace": workspace, "date": &rfc3339(day)[..10], "metric": metric, "value": value })
            })
            .collect(),
    ))
}
