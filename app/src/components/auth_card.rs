//! The centred card the sign-in, second-factor and invitation pages share.

use leptos::prelude::*;

#[component]
pub fn AuthCard(subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="login">
            <div class="login__card">
                <div class="login__brand">
                    <span class="sidenav__logo" aria-hidden="true">"₹"</span>
                    <div>
                        <h1>"PMS Intelligence Hub"</h1>
                        <p class="login__hint">{subtitle}</p>
                    </div>
                </div>
                {children()}
            </div>
        </main>
    }
}
