//! Notifications (Advanced › Notifications): which e-mails a person gets.
//! Community Updates, Product Updates and Tips & Tricks can be turned off;
//! System cannot (the page shows it on and disabled, the server has no way
//! to turn it off). `/api/v0/user/{handle}/preferences` reads and changes
//! the same choices.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use view::{NotificationsData, NotificationsPage};

/// The e-mail types a person may turn off, as the seed names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    CommunityUpdates,
    ProductUpdates,
    TipsAndTricks,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::CommunityUpdates, Kind::ProductUpdates, Kind::TipsAndTricks];

    pub fn label(self) -> &'static str {
        match self {
            Kind::CommunityUpdates => "Community Updates",
            Kind::ProductUpdates => "Product Updates",
            Kind::TipsAndTricks => "Tips & Tricks",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Kind::CommunityUpdates => "Get notified of community information and events you may be interested in.",
            Kind::ProductUpdates => "Get notified of product updates as they are released.",
            Kind::TipsAndTricks => "Get useful tips & tricks on using Sluice.",
        }
    }

    /// The column, and the API field without its `communication_` prefix.
    pub fn key(self) -> &'static str {
        match self {
            Kind::CommunityUpdates => "community_updates",
            Kind::ProductUpdates => "product_updates",
            Kind::TipsAndTricks => "tips_and_tricks",
        }
    }
}

/// What a person receives, besides System e-mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub community_updates: bool,
    pub product_updates: bool,
    pub tips_and_tricks: bool,
}

impl Preferences {
    pub fn get(&self, kind: Kind) -> bool {
        match kind {
            Kind::CommunityUpdates => self.community_updates,
            Kind::ProductUpdates => self.product_updates,
            Kind::TipsAndTricks => self.tips_and_tricks,
        }
    }

    pub fn with(mut self, kind: Kind, on: bool) -> Self {
        match kind {
            Kind::CommunityUpdates => self.community_updates = on,
            Kind::ProductUpdates => self.product_updates = on,
            Kind::TipsAndTricks => self.tips_and_tricks = on,
        }
        self
    }
}

#[server(prefix = "/sfn", endpoint = "preferences")]
pub async fn notification_preferences(handle: String) -> Result<Preferences, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::read(&state.db, &viewer.id).await?.preferences())
}

/// Turns one e-mail type on or off; answers the choices as saved.
#[server(prefix = "/sfn", endpoint = "set_preference")]
pub async fn set_preference(handle: String, kind: Kind, on: bool) -> Result<Preferences, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    Ok(ssr::update(&state.db, &actor, |p| p.with(kind, on)).await?.preferences())
}
