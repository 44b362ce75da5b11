//! The upload panel: a drop zone with a file picker, the report choice, and the upload's
//! progress. Without JavaScript it is a plain multipart form that the server answers with a
//! redirect to the job; after hydration the file goes up by `XMLHttpRequest` so the page can
//! show how much has been sent.

use leptos::prelude::*;
use pms_domain::ingest::{format_bytes, SALESFORCE_UPLOAD, UPLOAD_REPORTS};

use super::UploadSettings;
use crate::components::icons::{Icon, IconKind};

/// Where an upload has got to. (Only the browser build sends files, so the server build never
/// constructs the later states.)
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum UploadState {
    Idle,
    Sending {
        name: String,
        loaded: f64,
        total: f64,
    },
    /// Every byte sent; waiting for the server to queue the job.
    Starting {
        name: String,
        total: f64,
    },
    Done {
        name: String,
        total: f64,
        job_id: i64,
    },
    Failed(String),
}

/// The message for an `upload_error` code the server redirected a plain form post with.
pub fn upload_error_text(code: &str, max_upload_mb: u64) -> String {
    match code {
        "too_large" => format!("The file is larger than the upload limit of {max_upload_mb} MB. Split it, or ask an administrator to copy it into the drop folder."),
        "no_file" => "Choose a file to upload first.".into(),
        "empty" => "The file is empty.".into(),
        "bad_type" => "Only CSV and Excel files (.csv, .xlsx, .xls) can be loaded.".into(),
        "forbidden" => "Your role may not load data.".into(),
        "bad_request" => "The upload was interrupted or malformed. Try again.".into(),
        _ => "The server could not accept the upload; it has been logged. Try again.".into(),
    }
}

fn percent(loaded: f64, total: f64) -> f64 {
    if total > 0.0 {
        (loaded / total * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

#[component]
pub fn UploadPanel(
    info: UploadSettings,
    /// Called with the new job's number once the server has accepted the file.
    on_uploaded: Callback<i64>,
) -> impl IntoView {
    let state = RwSignal::new(UploadState::Idle);
    let chosen = RwSignal::new(None::<(String, f64)>);
    let dragging = RwSignal::new(false);
    let form_ref: NodeRef<leptos::html::Form> = NodeRef::new();
    let input_ref: NodeRef<leptos::html::Input> = NodeRef::new();
    let max_mb = info.max_upload_mb;
    let max_bytes = max_mb as f64 * 1024.0 * 1024.0;
    let busy = move || {
        matches!(
            state.get(),
            UploadState::Sending { .. } | UploadState::Starting { .. }
        )
    };

    // What the file input holds now (after a pick or a drop).
    let read_choice = move || {
        #[cfg(feature = "hydrate")]
        {
            let file = input_ref
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            chosen.set(file.map(|f| (f.name(), f.size())));
            if !busy() {
                state.set(UploadState::Idle);
            }
        }
    };
    let on_change = move |_: leptos::ev::Event| read_choice();
    let on_drag_over = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(true);
    };
    let on_drag_leave = move |_: leptos::ev::DragEvent| dragging.set(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        if let (Some(files), Some(input)) = (
            ev.data_transfer().and_then(|dt| dt.files()),
            input_ref.get_untracked(),
        ) {
            if files.length() > 0 {
                // The dropped file becomes the input's: the form (and the no-JS path) sends it.
                input.set_files(Some(&files));
                read_choice();
            }
        }
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy() {
            return;
        }
        let Some((name, size)) = chosen.get_untracked() else {
            state.set(UploadState::Failed("Choose a file to upload first.".into()));
            return;
        };
        if size > max_bytes {
            state.set(UploadState::Failed(format!(
                "{name} is {} — larger than the upload limit of {} MB. Split it, or ask an administrator to copy it into the drop folder.",
                format_bytes(size as i64),
                max_mb
            )));
            return;
        }
        state.set(UploadState::Sending {
            name: name.clone(),
            loaded: 0.0,
            total: size,
        });
        #[cfg(feature = "hydrate")]
        {
            let Some(form) = form_ref.get_untracked() else {
                return;
            };
            let sending_name = name.clone();
            let starting_name = name.clone();
            let callbacks = super::xhr::Callbacks {
                progress: Box::new(move |loaded, total| {
                    state.try_set(UploadState::Sending {
                        name: sending_name.clone(),
                        loaded,
                        total,
                    });
                }),
                sent: Box::new(move || {
                    state.try_set(UploadState::Starting {
                        name: starting_name.clone(),
                        total: size,
                    });
                }),
                done: Box::new(move |result| match result {
                    Ok(job_id) => {
                        state.try_set(UploadState::Done {
                            name: name.clone(),
                            total: size,
                            job_id,
                        });
                        on_uploaded.run(job_id);
                    }
                    Err(message) => {
                        state.try_set(UploadState::Failed(message));
                    }
                }),
            };
            if let Err(message) = super::xhr::send(&form, callbacks) {
                state.set(UploadState::Failed(message));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (form_ref, name, on_uploaded);
    };

    let progress_view = move || {
        match state.get() {
        UploadState::Idle => ().into_any(),
        UploadState::Failed(message) => view! {
            <p class="alert alert--error" role="alert" data-testid="upload-error">{message}</p>
        }
        .into_any(),
        UploadState::Sending { name, loaded, total } => {
            let pct = percent(loaded, total);
            view! {
                <div class="upload-progress" data-testid="upload-progress" data-state="sending" role="status">
                    <div class="upload-progress__text">
                        <span>{format!("Uploading {name}")}</span>
                        <span class="num">{format!("{pct:.0}% · {} of {}", format_bytes(loaded as i64), format_bytes(total as i64))}</span>
                    </div>
                    <progress max="100" value=pct aria-label="Upload progress"></progress>
                </div>
            }
            .into_any()
        }
        UploadState::Starting { name, total } => view! {
            <div class="upload-progress" data-testid="upload-progress" data-state="starting" role="status">
                <div class="upload-progress__text">
                    <span>{format!("Uploaded {name} — starting the load…")}</span>
                    <span class="num">{format!("100% · {}", format_bytes(total as i64))}</span>
                </div>
                <progress max="100" value="100" aria-label="Upload progress"></progress>
            </div>
        }
        .into_any(),
        UploadState::Done { name, total, job_id } => view! {
            <div class="upload-progress upload-progress--done" data-testid="upload-progress" data-state="done" role="status">
                <div class="upload-progress__text">
                    <span>
                        {format!("Uploaded {name} as ")}
                        <a href=format!("/ingest?job={job_id}")>{format!("job #{job_id}")}</a>
                        "."
                    </span>
                    <span class="num">{format!("100% · {}", format_bytes(total as i64))}</span>
                </div>
                <progress max="100" value="100" aria-label="Upload progress"></progress>
            </div>
        }
        .into_any(),
    }
    };

    let drop_hint = info
        .drop_folder
        .clone()
        .map(|dir| view! { <p class="form-hint">"Files copied into " <code>{dir}</code> " on the server are loaded automatically."</p> });

    view! {
        <section class="card upload-panel" data-testid="upload-panel">
            <h2>"Load a file"</h2>
            <form
                class="upload-form"
                method="post"
                action="/ingest/upload"
                enctype="multipart/form-data"
                node_ref=form_ref
                on:submit=on_submit
            >
                <label
                    class="drop-zone"
                    class:drop-zone--over=move || dragging.get()
                    class:drop-zone--chosen=move || chosen.get().is_some()
                    data-testid="drop-zone"
                    on:dragover=on_drag_over
                    on:dragenter=on_drag_over
                    on:dragleave=on_drag_leave
                    on:drop=on_drop
                >
                    <input
                        type="file"
                        name="file"
                        class="drop-zone__input"
                        accept=".csv,.txt,.xlsx,.xlsm,.xls,.ods"
                        aria-label="Choose a file"
                        data-testid="file-input"
                        node_ref=input_ref
                        on:change=on_change
                    />
                    <span class="drop-zone__icon"><Icon kind=IconKind::Upload/></span>
                    {move || match chosen.get() {
                        Some((name, size)) => view! {
                            <span class="drop-zone__title" data-testid="chosen-file">{name}</span>
                            <span class="drop-zone__hint">{format!("{} · drop another file or click to change", format_bytes(size as i64))}</span>
                        }.into_any(),
                        None => view! {
                            <span class="drop-zone__title">"Drag a CSV or Excel file here"</span>
                            <span class="drop-zone__hint">"or " <span class="drop-zone__pick">"choose a file"</span> " · up to " {max_mb} " MB"</span>
                        }.into_any(),
                    }}
                </label>
                <div class="upload-form__row">
                    <label class="upload-form__report">
                        "Report"
                        <select name="report" data-testid="report-select">
                            <option value="">"Recognise automatically"</option>
                            <optgroup label="Wealth Spectrum">
                                {UPLOAD_REPORTS
                                    .iter()
                                    .map(|(code, label)| view! { <option value=*code>{*label}</option> })
                                    .collect_view()}
                            </optgroup>
                            <option value=SALESFORCE_UPLOAD>"Salesforce export (Data Loader or report)"</option>
                        </select>
                    </label>
                    <button type="submit" class="button button--primary" disabled=busy data-testid="upload-button">
                        <Icon kind=IconKind::Upload/>
                        {move || if busy() { "Uploading…" } else { "Upload" }}
                    </button>
                </div>
                {progress_view}
                <p class="form-hint">
                    "A file is loaded whole or not at all: if any row has a problem, nothing is changed and every problem is listed with its line and column. Loading the same file twice changes nothing."
                </p>
                {drop_hint}
            </form>
        </section>
    }
}
