//! Outgoing mail: SMTP when `SLUICE_SMTP_URL` is set, otherwise one `.eml`
//! file per message in `$SLUICE_DATA_DIR/outbox/` (for development and tests).
//! Addresses and message bodies (which carry sign-in links) are never logged.

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

use super::ids::new_id;
use super::time::now_millis;
use crate::error::AppError;

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("SLUICE_SMTP_URL: {0}")]
    SmtpUrl(String),
    #[error("cannot create the outbox {path}: {source}")]
    Outbox { path: String, source: std::io::Error },
}

/// A message to one person.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, data_dir: &std::path::Path) -> Result<Self, MailerError> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|b| Self::Smtp(b.build()))
                // The URL may hold a password: name the problem, not the value.
                .map_err(|e| MailerError::SmtpUrl(format!("not a usable SMTP URL ({})", e.kind_label()))),
            None => {
                let dir = data_dir.join("outbox");
                std::fs::create_dir_all(&dir)
                    .map_err(|source| MailerError::Outbox { path: dir.display().to_string(), source })?;
                Ok(Self::Outbox(dir))
            }
        }
    }

    pub async fn send(&self, from: &str, mail: Mail) -> Result<(), AppError> {
        let message = build(from, mail)?;
        match self {
            Self::Smtp(transport) => {
                transport.send(message).await.map_err(|error| {
                    tracing::error!(%error, "SMTP delivery failed");
                    AppError::Internal
                })?;
            }
            Self::Outbox(dir) => {
                // Sortable names: the newest message is the last in the listing.
                let name = format!("{:013}-{}.eml", now_millis(), new_id("m"));
                tokio::fs::write(dir.join(&name), message.formatted()).await.map_err(|error| {
                    tracing::error!(%error, "cannot write to the outbox");
                    AppError::Internal
                })?;
                tracing::info!(file = %name, "mail written to the outbox");
            }
        }
        Ok(())
    }
}

fn build(from: &str, mail: Mail) -> Result<Message, AppError> {
    let from: Mailbox = from.parse().map_err(|_| AppError::Internal)?;
    let to: Mailbox = mail.to.parse().map_err(|_| AppError::invalid("That e-mail address cannot receive mail."))?;
    Message::builder().from(from).to(to).subject(mail.subject).header(ContentType::TEXT_PLAIN).body(mail.body).map_err(
        |error| {
            tracing::error!(%error, "cannot build a message");
            AppError::Internal
        },
    )
}

trait KindLabel {
    fn kind_label(&self) -> &'static str;
}

impl KindLabel for lettre::transport::smtp::Error {
    fn kind_label(&self) -> &'static str {
        if self.is_client() {
            "bad scheme, host or port"
        } else {
            "unusable settings"
        }
    }
}
