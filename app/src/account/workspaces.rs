//! The Workspaces tab: the account's workspaces and their DNS names.

use leptos::prelude::*;

use super::{list_workspaces, use_handle};
use crate::shell::ErrorPanel;

#[component]
pub fn WorkspacesTab() -> impl IntoView {
    let handle = use_handle();
    let workspaces = Resource::new(move || handle.get(), list_workspaces);
    view! {
        <section class="panel" aria-labelledby="workspaces-title">
            <h2 id="workspaces-title">"Workspaces"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading workspaces…"</p> }>
                {move || Suspend::new(async move {
                    match workspaces.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"You have no workspaces yet."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="card-list">
                                {list.into_iter().map(|ws| view! {
                                    <li class="card">
                                        <div class="card-title">{ws.handle.clone()}</div>
                                        <dl class="facts">
                                            <dt>"DNS name"</dt><dd class="mono">{ws.dns_name}</dd>
                                            <dt>"Region"</dt><dd>{ws.region}</dd>
                                            <dt>"Database"</dt><dd class="mono">{ws.database_name}</dd>
                                            <dt>"Created"</dt><dd><time datetime=ws.created_at.clone()>{ws.created_at.get(..10).unwrap_or_default().to_string()}</time></dd>
                                        </dl>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
