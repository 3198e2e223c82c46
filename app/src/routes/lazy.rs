//! Pages whose code loads with their route: the browser's first load
//! carries the shell and the page it opens, and each other page's views
//! come as their own module when someone goes there (the server renders
//! every page whole either way).

/// `lazy_page!(Route, Page)`: `Route` is the lazy route that shows the
/// component `Page`. `lazy_page!(Route, Page, Data)`: `Data::start()`
/// asks for the page's data when the route is chosen (`data()`), so the
/// request and the page's code travel at once; `Page` takes it as `data`.
macro_rules! lazy_page {
    ($route:ident, $page:ident, $data:ty) => {
        pub struct $route($data);

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self(<$data>::start())
            }

            fn view(this: Self) -> leptos::prelude::AnyView {
                let data = this.0;
                leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <$page data/> })
            }
        }
    };
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

use crate::account::{WorkspacesData, WorkspacesTab};
use crate::activity::{AuditData, AuditLog};
use crate::billing::BillingPage;
use crate::cli_login::CliLoginPage;
use crate::credentials::CredentialsPage;
use crate::email_change::{EmailLinkData, EmailLinkPage};
use crate::identity::{ConfirmItIsYouPage, ProofData};
use crate::login::SecondStepPage;
use crate::networks::NotMePage;
use crate::notifications::{NotificationsData, NotificationsPage};
use crate::usage::{UsageData, UsagePage};

lazy_page!(WorkspacesRoute, WorkspacesTab, WorkspacesData);
lazy_page!(AuditLogRoute, AuditLog, AuditData);
lazy_page!(UsageRoute, UsagePage, UsageData);
lazy_page!(BillingRoute, BillingPage);
lazy_page!(CredentialsRoute, CredentialsPage);
lazy_page!(NotificationsRoute, NotificationsPage, NotificationsData);
lazy_page!(CliLoginRoute, CliLoginPage);
lazy_page!(ConfirmIdentityRoute, ConfirmItIsYouPage, ProofData);
lazy_page!(EmailLinkRoute, EmailLinkPage, EmailLinkData);
lazy_page!(SecondStepRoute, SecondStepPage);
lazy_page!(NotMeRoute, NotMePage);
