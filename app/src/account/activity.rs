//! The Activity tab: the account's most recent audit records.

use leptos::prelude::*;

use super::{list_recent_activity, use_handle};
use crate::shell::ErrorPanel;

/// What an action type means, in words a person reads.
fn describe(action_type: &str) -> &str {
    match action_type {
        "user.create" => "Created the account",
        "user.login" => "Signed in",
        "user.update" => "Updated the profile",
        other => other,
    }
}

#[component]
pub fn ActivityTab() -> impl IntoView {
    let handle = use_handle();
    let items = Resource::new(move || handle.get(), list_recent_activity);
    view! {
        <section class="panel" aria-labelledby="activity-title">
            <h2 id="activity-title">"Recent activity"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading activity…"</p> }>
                {move || Suspend::new(async move {
                    match items.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"Nothing has happened on this account yet."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="table">
                                <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|item| view! {
                                        <tr>
                                            <td><time datetime=item.created_at.clone()>{item.created_at.replace('T', " ").chars().take(19).collect::<String>()}</time></td>
                                            <td>{item.actor_display_name}</td>
                                            <td>{describe(&item.action_type).to_owned()} " " <code class="muted">{item.action_type.clone()}</code></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
