//! **Known networks**, under Sessions: the networks the account's
//! credentials were used from in the last 90 days, each with **Remove**
//! (a plain form, so it works without script).

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{known_networks, RemoveNetwork};
use crate::access::use_handle;
use crate::ui::{day_and_time, ErrorPanel, HandleField};

#[component]
pub fn KnownNetworks() -> impl IntoView {
    let handle = use_handle();
    let remove = ServerAction::<RemoveNetwork>::new();
    let list = Resource::new(move || (handle.get(), remove.version().get()), |(h, _)| known_networks(h));
    view! {
        <div class="known-networks" role="group" aria-labelledby="networks-title">
            <h3 id="networks-title">"Known networks"</h3>
            <p class="muted">"Where your browsers, CLI logins, API tokens and workspace sign-ins were used from in the last 90 days (an IPv4 /24 or an IPv6 /48). The first use of any of them from another network is e-mailed to you. Remove a network you do not recognise: its next use is e-mailed again."</p>
            {move || remove.value().get().and_then(Result::err).map(|error| view! { <ErrorPanel error/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading networks…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) if l.is_empty() => view! { <p class="empty">"No network yet: the next sign-in records its own."</p> }.into_any(),
                        Ok(l) => view! {
                            <ul class="network-list">
                                {l.into_iter().map(|n| {
                                    let label = format!("Remove {}", n.network);
                                    let used = format!("First used {}, last used {}", day_and_time(&n.first_used_at), day_and_time(&n.last_used_at));
                                    let (shown, marked) = (n.network.clone(), n.network.clone());
                                    view! {
                                        <li class="network" data-network=marked>
                                            <span class="network-name"><code>{shown}</code></span>
                                            <span class="muted">{used}</span>
                                            <ActionForm action=remove attr:class="network-remove">
                                                <HandleField/>
                                                <input type="hidden" name="network" value=n.network/>
                                                <button type="submit" class="button button-danger-outline button-small" aria-label=label>"Remove"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
