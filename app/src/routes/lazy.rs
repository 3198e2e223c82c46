//! Pages whose code loads with their route: the browser's first load
//! carries the shell and the page it opens, and each other page's views
//! come as their own module when someone goes there (the server renders
//! every page whole either way).

/// `lazy_page!(Route, Page)`: `Route` is the lazy route that shows the
/// component `Page`.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <$page/> })
            }
        }
    };
}

use crate::account::WorkspacesTab;
use crate::activity::AuditLog;
use crate::billing::BillingPage;
use crate::cli_login::CliLoginPage;
use crate::credentials::CredentialsPage;
use crate::email_change::EmailLinkPage;
use crate::identity::ConfirmItIsYouPage;
use crate::notifications::NotificationsPage;
use crate::usage::UsagePage;

lazy_page!(WorkspacesRoute, WorkspacesTab);
lazy_page!(AuditLogRoute, AuditLog);
lazy_page!(UsageRoute, UsagePage);
lazy_page!(BillingRoute, BillingPage);
lazy_page!(CredentialsRoute, CredentialsPage);
lazy_page!(NotificationsRoute, NotificationsPage);
lazy_page!(CliLoginRoute, CliLoginPage);
lazy_page!(ConfirmIdentityRoute, ConfirmItIsYouPage);
lazy_page!(EmailLinkRoute, EmailLinkPage);
