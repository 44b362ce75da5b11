//! The upload itself, in the browser: an `XMLHttpRequest` (not `fetch`, which reports no upload
//! progress) posting the form to `/ingest/upload`, with a callback per progress event.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest};

/// What the page hears about an upload.
pub struct Callbacks {
    /// Bytes sent so far and the total.
    pub progress: Box<dyn Fn(f64, f64)>,
    /// Every byte has been sent; the server is starting the load.
    pub sent: Box<dyn Fn()>,
    /// The server's answer: the job's number, or a message for the user.
    pub done: Box<dyn Fn(Result<i64, String>)>,
}

fn js_error(_: wasm_bindgen::JsValue) -> String {
    "The browser could not start the upload. Reload the page and try again.".into()
}

/// The job number from the server's answer, or what to tell the user.
fn interpret(status: u16, body: &str) -> Result<i64, String> {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    if (200..300).contains(&status) {
        return json
            .as_ref()
            .and_then(|v| v.get("job_id"))
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| "The server accepted the file but did not say which job loads it. Check the job list.".into());
    }
    let message = json
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(serde_json::Value::as_str)
        .map(|m| {
            let mut chars = m.chars();
            match chars.next() {
                Some(first) => format!(
                    "{}{}.",
                    first.to_uppercase(),
                    chars.as_str().trim_end_matches('.')
                ),
                None => String::new(),
            }
        })
        .filter(|m| !m.is_empty());
    Err(match (status, message) {
        (401, _) => "Your session has ended. Sign in again, then upload the file again.".into(),
        (_, Some(message)) => message,
        (413, None) => "The file is larger than the server accepts.".into(),
        (status, None) => format!("The upload failed (HTTP {status}). Try again."),
    })
}

/// Posts `form` (its file input and report choice) and reports progress through `callbacks`.
pub fn send(form: &HtmlFormElement, callbacks: Callbacks) -> Result<(), String> {
    let data = FormData::new_with_form(form).map_err(js_error)?;
    let xhr = XmlHttpRequest::new().map_err(js_error)?;
    xhr.open_with_async("POST", "/ingest/upload", true)
        .map_err(js_error)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(js_error)?;
    let upload = xhr.upload().map_err(js_error)?;

    let Callbacks {
        progress,
        sent,
        done,
    } = callbacks;
    let done = std::rc::Rc::new(done);

    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() {
            progress(ev.loaded(), ev.total());
        }
    });
    upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let on_sent = Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| sent());
    upload.set_onload(Some(on_sent.as_ref().unchecked_ref()));

    let answered = xhr.clone();
    let done_ok = done.clone();
    let on_load = Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| {
        let status = answered.status().unwrap_or(0);
        let body = answered.response_text().ok().flatten().unwrap_or_default();
        done_ok(interpret(status, &body));
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    let done_err = done.clone();
    let on_error = Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| {
        done_err(Err(
            "The connection was lost during the upload. Check the network and try again.".into(),
        ));
    });
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_error.as_ref().unchecked_ref()));

    xhr.send_with_opt_form_data(Some(&data)).map_err(js_error)?;
    // The request owns its handlers until it ends; one small allocation per upload.
    on_progress.forget();
    on_sent.forget();
    on_load.forget();
    on_error.forget();
    Ok(())
}
