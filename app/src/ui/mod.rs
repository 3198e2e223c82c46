//! Components every page shares: the top bar, menus, dialogs, the
//! confirmation opener, secrets' reveal and copy buttons, and the panels
//! for loading, errors and not found. Knows no feature.

mod avatar;
mod brand;
mod dialog;
mod handle_field;
mod live;
mod menu;
mod pages;
mod secret;
mod topbar;

pub use avatar::Avatar;
pub use brand::{AuthCard, Brand};
pub use dialog::{close_when_done, ConfirmActions, Dialog};
pub use handle_field::HandleField;
pub use live::{page_title, served_title, typed_before_live, use_live, Confirm};
pub use menu::Menu;
pub use pages::{day_and_time, ErrorPanel, HomeRedirect, Loading, NotFound, NotFoundPage, SignInRedirect, SignedOut};
pub use secret::{copy_text, CopyButton, EyeIcon, RevealButton};
pub use topbar::TopBar;
