//! The one error type of the server-function boundary. Its messages are
//! what a person reads; internal detail is logged on the server, never sent.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthorized,
    #[error("That page does not exist.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("Too many attempts. Try again in {}.", wait(*retry_after_secs))]
    RateLimited { retry_after_secs: u64 },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("Sluice could not be reached. Check your connection and try again.")]
    Unreachable,
    /// The session has not proved who it is in the last 10 minutes.
    #[error("Confirm it is you first: this needs a passkey, an authenticator code or a code from your e-mail in the last 10 minutes.")]
    ConfirmIdentity,
}

/// A wait said the way a person says it.
fn wait(secs: u64) -> String {
    if secs > 90 * 60 {
        format!("{} hour(s)", secs.div_ceil(3600))
    } else {
        format!("{} minute(s)", secs.div_ceil(60).max(1))
    }
}

impl AppError {
    pub fn invalid(message: impl std::fmt::Display) -> Self {
        Self::Invalid(message.to_string())
    }

    /// The HTTP status the error is answered with, by a server function
    /// and by the API alike: said here, once.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 400,
            Self::Unauthorized => 401,
            // A token is its own proof: the API never asks for another,
            // and a page is told to prove itself.
            Self::ConfirmIdentity => 403,
            Self::NotFound => 404,
            Self::RateLimited { .. } => 429,
            Self::Internal | Self::Unreachable => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unreachable,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                Self::Invalid("The form was incomplete. Please fill it in again.".into())
            }
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        Self::Internal
    }
}
