//! The Notifications page: a switch per e-mail type. A change saves at
//! once and says so; if the save fails the switch goes back and the page
//! says why. System is shown on and cannot be switched.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos::server_fn::ServerFn;

use super::{notification_preferences, set_preference, Kind, Preferences, SetPreference};
use crate::access::use_handle;
use crate::error::AppError;
use crate::ui::{use_live, ErrorPanel, HandleField};

const SYSTEM: &str =
    "Important system notifications related to your Sluice account. System notifications cannot be disabled.";

/// What the Notifications page loads, asked for as soon as its route is
/// chosen, while the page's own code is still on its way.
pub struct NotificationsData {
    loaded: Resource<Result<Preferences, AppError>>,
}

impl NotificationsData {
    pub fn start() -> Self {
        let handle = use_handle();
        Self { loaded: Resource::new(move || handle.get(), notification_preferences) }
    }
}

#[component]
pub fn NotificationsPage(data: NotificationsData) -> impl IntoView {
    let loaded = data.loaded;
    view! {
        <Title text="Notifications"/>
        <h2 class="page-title">"Notifications"</h2>
        <section class="panel" aria-labelledby="notifications-title">
            <h3 id="notifications-title" class="visually-hidden">"E-mail notifications"</h3>
            <p class="muted">"Choose what type of emails you wish to receive from Sluice."</p>
            <Suspense fallback=|| view! { <p class="muted">"Loading your preferences…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(p) => view! { <Choices initial=p/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Choices(initial: Preferences) -> impl IntoView {
    let handle = use_handle();
    let current = RwSignal::new(initial);
    let saving = RwSignal::new(None::<Kind>);
    let saved = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    // Each switch is a form that posts and comes back until the page is
    // live; a refusal comes back in the address, for this action to show.
    let live = use_live();
    let plain = ServerAction::<SetPreference>::new();
    let plain_error = move || plain.value().get().and_then(Result::err);
    let toggle = move |kind: Kind| {
        if saving.get_untracked().is_some() {
            return;
        }
        let before = current.get_untracked();
        let on = !before.get(kind);
        current.set(before.with(kind, on));
        saving.set(Some(kind));
        saved.set(None);
        failed.set(None);
        let h = handle.get_untracked();
        leptos::task::spawn_local(async move {
            match set_preference(h, kind, on).await {
                Ok(now) => {
                    current.set(now);
                    let state = if on { "on" } else { "off" };
                    saved.set(Some(format!("{} turned {state}. Saved.", kind.label())));
                }
                Err(e) => {
                    current.set(before);
                    failed.set(Some(format!("{} was not saved and is back as it was: {e}", kind.label())));
                }
            }
            saving.set(None);
        });
    };
    let rows = Kind::ALL
        .into_iter()
        .map(|kind| {
            let id = format!("pref-{}", kind.key());
            let desc = format!("{id}-help");
            let value = serde_json::to_string(&kind).unwrap_or_default().trim_matches('"').to_owned();
            view! {
                <li class="pref">
                    <div class="pref-text">
                        <label for=id.clone() id=format!("{id}-label") class="pref-label">{kind.label()}</label>
                        <p class="help" id=desc.clone()>{kind.description()}</p>
                    </div>
                    // One switch both ways: a button that posts its form
                    // without script (or before the page is live) and
                    // saves in place once it is.
                    <form method="post" action=SetPreference::PATH class="pref-form" on:submit=move |ev| {
                        if live.get_untracked() {
                            ev.prevent_default();
                            toggle(kind);
                        }
                    }>
                        <HandleField/>
                        <input type="hidden" name="kind" value=value/>
                        <input type="hidden" name="on" value=move || (!current.get().get(kind)).to_string()/>
                        <button type="submit" role="switch" id=id.clone() aria-labelledby=format!("{id}-label") aria-describedby=desc
                            aria-checked=move || current.get().get(kind).to_string()
                            aria-busy=move || (saving.get() == Some(kind)).to_string()></button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="prefs">
            {rows}
            <li class="pref">
                <div class="pref-text">
                    <label for="pref-system" class="pref-label">"System"</label>
                    <p class="help" id="pref-system-help">{SYSTEM}</p>
                </div>
                <input type="checkbox" role="switch" id="pref-system" aria-describedby="pref-system-help" checked disabled/>
            </li>
        </ul>
        <p class="field-ok" role="status">{move || saved.get()}</p>
        <p class="field-error" role="alert">{move || failed.get()}</p>
        {move || plain_error().map(|error| view! { <ErrorPanel error/> })}
    }
}
