//! Inline SVG icons (no icon font or CDN: the page works offline and under a strict CSP).

use leptos::prelude::*;

/// The icons the navigation and header use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IconKind {
    Summary,
    Clients,
    Portfolio,
    Compliance,
    Refresh,
    Menu,
    Upload,
    Audit,
    Settings,
    Download,
    Bookmark,
    Bell,
}

impl IconKind {
    fn path(self) -> &'static str {
        match self {
            IconKind::Summary => "M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z",
            IconKind::Clients => "M16 11a4 4 0 1 0-4-4 4 4 0 0 0 4 4zm-8 0a3 3 0 1 0-3-3 3 3 0 0 0 3 3zm0 2c-2.3 0-7 1.2-7 3.5V19h7v-2.5c0-.9.4-1.8 1.1-2.5A11 11 0 0 0 8 13zm8 0c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4z",
            IconKind::Portfolio => "M3 17l6-6 4 4 8-8v4h2V3h-8v2h4l-6 6-4-4-7 7z M3 21h18v-2H3z",
            IconKind::Compliance => "M12 2L4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5zm-1.5 14.5L6 12l1.4-1.4 3.1 3.1 6.1-6.1L18 9z",
            IconKind::Refresh => "M17.6 6.4A8 8 0 1 0 19.7 14h-2.1a6 6 0 1 1-1.4-6.2L13 11h7V4z",
            IconKind::Menu => "M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z",
            IconKind::Upload => "M5 20h14v-2H5zm7-16l-5 5h3v5h4v-5h3z",
            IconKind::Audit => "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9zM8 13h8v2H8zm0 4h8v2H8z",
            IconKind::Settings => "M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.6a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1a7.6 7.6 0 0 0 1.7 1L11 21h4l.4-2.6a7.6 7.6 0 0 0 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z",
            IconKind::Download => "M5 20h14v-2H5zm7-2l5-5h-3V4h-4v9H7z",
            IconKind::Bookmark => "M6 2h12a1 1 0 0 1 1 1v19l-7-4-7 4V3a1 1 0 0 1 1-1z",
            IconKind::Bell => "M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z",
        }
    }
}

#[component]
pub fn Icon(kind: IconKind) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=kind.path()/>
        </svg>
    }
}
