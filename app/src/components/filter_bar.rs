//! The dashboard's filter bar: a form for every criterion of [`Filter`] and a chip for each one
//! applied. The filter lives in the URL (the form is a GET; chips and "Clear all" are links),
//! so the back button, a bookmark or a shared link reproduces the view; the viewer's scope
//! always applies on the server, beneath whatever is chosen here.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use pms_domain::error::AppError;
use pms_domain::filter::{Filter, FilterChoices};

use crate::pages::views::SaveViewBar;
use crate::url::query_encode;

#[server(endpoint = "filters/choices")]
pub async fn get_filter_choices() -> Result<FilterChoices, AppError> {
    let (cx, caller) = crate::ssr::use_case()?;
    pms_service::performance::filter_choices(&cx, &caller).await
}

/// The filter a URL describes, or what is wrong with it.
pub fn filter_from(params: &ParamsMap) -> Result<Filter, String> {
    Filter::from_params(|name| params.get(name))
}

/// The filter of the current URL (the unfiltered view when it cannot be read: the bar says
/// why), as a memo every section reads.
pub fn use_filter() -> Memo<Filter> {
    let params = use_query_map();
    Memo::new(move |_| filter_from(&params.read()).unwrap_or_default())
}

/// `path` with the current URL's parameters other than the filter's and the page number
/// (`keep`) followed by `filter`'s.
pub fn href_with(path: &str, keep: &[(String, String)], filter: &Filter) -> String {
    let mut parts: Vec<String> = keep
        .iter()
        .map(|(n, v)| format!("{n}={}", query_encode(v)))
        .collect();
    parts.extend(
        filter
            .to_params()
            .into_iter()
            .map(|(n, v)| format!("{n}={}", query_encode(&v))),
    );
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// The URL of the section at `path` as the current URL shows it, narrowed further by `pairs`
/// (a parameter already set is replaced); `None` if the result is not a valid filter.
pub fn narrowed_href(path: &str, pairs: &[(&str, &str)]) -> Option<String> {
    let params = use_query_map();
    let params = params.read_untracked();
    let current = filter_from(&params).unwrap_or_default();
    let mut query = current.key();
    for (name, value) in pairs {
        query.push_str(&format!("&{name}={}", query_encode(value)));
    }
    let filter = Filter::from_query(&query).ok()?;
    Some(href_with(path, &kept_params(&params), &filter))
}

/// The current URL's parameters that are not the filter's (nor the page number, which a new
/// filter resets).
pub fn kept_params(params: &ParamsMap) -> Vec<(String, String)> {
    params
        .into_iter()
        .filter(|(name, _)| !Filter::PARAMS.contains(&name.as_ref()) && name.as_ref() != "page")
        .map(|(name, value)| (name.to_string(), value.to_owned()))
        .collect()
}

/// The filter's parameters in `params` with `clears` removed: what a chip links to.
fn without(params: &ParamsMap, clears: &[&str]) -> Vec<(String, String)> {
    params
        .into_iter()
        .filter(|(name, _)| !clears.contains(&name.as_ref()) && name.as_ref() != "page")
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| (name.to_string(), value.to_owned()))
        .collect()
}

fn link(path: &str, pairs: &[(String, String)]) -> String {
    href_with(path, pairs, &Filter::default())
}

/// A `<select>` of `options` (value, label) named `name`, with "Any" first.
fn select(
    label: &'static str,
    name: &'static str,
    options: Vec<(String, String)>,
    current: Option<String>,
) -> impl IntoView {
    view! {
        <label class="filters__field">
            <span>{label}</span>
            <select name=name>
                <option value="">"Any"</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = current.as_deref() == Some(value.as_str());
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

fn ids(list: &[(i32, String)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect()
}

fn texts(list: &[String]) -> Vec<(String, String)> {
    list.iter().map(|t| (t.clone(), t.clone())).collect()
}

/// A pair of number inputs for a range.
fn range(
    legend: &'static str,
    names: (&'static str, &'static str),
    values: (Option<String>, Option<String>),
) -> impl IntoView {
    view! {
        <fieldset class="filters__range">
            <legend>{legend}</legend>
            <input type="number" step="any" name=names.0 value=values.0 placeholder="from" aria-label=format!("{legend} from")/>
            <span aria-hidden="true">"–"</span>
            <input type="number" step="any" name=names.1 value=values.1 placeholder="to" aria-label=format!("{legend} to")/>
        </fieldset>
    }
}

/// The bar for the section at `path`; `with_period` offers the financial year and date range
/// (for sections whose figures depend on a period).
#[component]
pub fn FilterBar(path: &'static str, #[prop(optional)] with_period: bool) -> impl IntoView {
    let params = use_query_map();
    let choices = Resource::new(|| (), |_| get_filter_choices());
    let problem = Memo::new(move |_| filter_from(&params.read()).err());
    let navigate = use_navigate();

    // With script, stay in the page and leave empty fields out of the URL; without it the
    // form's GET does the same with longer links.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            ev.prevent_default();
            let kept = kept_params(&params.get_untracked());
            let names = kept
                .iter()
                .map(|(n, _)| n.clone())
                .chain(Filter::PARAMS.iter().map(|n| (*n).to_owned()));
            let pairs: Vec<(String, String)> = names
                .filter_map(|name| {
                    let value = data.get(&name).as_string()?;
                    (!value.trim().is_empty()).then_some((name, value))
                })
                .collect();
            navigate(
                &link(path, &pairs),
                leptos_router::NavigateOptions::default(),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &navigate);
    };

    let form = move |names: FilterChoices| {
        let p = params.read_untracked();
        let get = |name: &str| p.get(name).filter(|v| !v.trim().is_empty());
        let kept = kept_params(&p);
        let period = with_period.then(|| {
            let years: Vec<(String, String)> = names
                .financial_years
                .iter()
                .map(|fy| (fy.code(), fy.label()))
                .collect();
            view! {
                {select("Financial year", "fy", years, get("fy"))}
                <label class="filters__field"><span>"From"</span><input type="date" name="from" value=get("from")/></label>
                <label class="filters__field"><span>"To"</span><input type="date" name="to" value=get("to")/></label>
            }
        });
        view! {
            <form class="filters__form" method="get" action=path on:submit=on_submit.clone() data-testid="filter-form">
                {kept.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                {period}
                {select("Strategy", "strategy", ids(&names.strategies), get("strategy"))}
                {select("Investment approach", "approach", ids(&names.approaches), get("approach"))}
                {(names.rms.len() > 1).then(|| select("RM", "rm", ids(&names.rms), get("rm")))}
                {(!names.teams.is_empty()).then(|| select("Team", "team", ids(&names.teams), get("team")))}
                {select("Risk profile", "risk", texts(&names.risk_profiles), get("risk"))}
                {select("State", "state", texts(&names.states), get("state"))}
                <label class="filters__field">
                    <span>"City"</span>
                    <input type="text" name="city" list="filter-cities" value=get("city") autocomplete="off"/>
                    <datalist id="filter-cities">
                        {names.cities.iter().map(|c| view! { <option value=c.clone()></option> }).collect_view()}
                    </datalist>
                </label>
                {select("Asset class held", "asset", texts(&names.asset_classes), get("asset"))}
                {range("Client AUM (₹ lakh)", ("aum_min", "aum_max"), (get("aum_min"), get("aum_max")))}
                {range("TWRR 1Y (%)", ("twrr_min", "twrr_max"), (get("twrr_min"), get("twrr_max")))}
                <div class="filters__actions">
                    <button type="submit" class="button button--primary" data-testid="filter-apply">"Apply filters"</button>
                </div>
            </form>
        }
    };

    let chips = move |names: &FilterChoices| {
        let p = params.read();
        let filter = filter_from(&p).unwrap_or_default();
        let chips = filter.chips(names);
        if chips.is_empty() {
            return None;
        }
        let clear_all = link(path, &kept_params(&p));
        Some(view! {
            <ul class="chips" aria-label="Filters applied" data-testid="filter-chips">
                {chips.into_iter().map(|chip| {
                    let href = link(path, &without(&p, chip.clears));
                    let text = format!("{}: {}", chip.name, chip.value);
                    let label = format!("Remove filter {text}");
                    view! {
                        <li>
                            <a class="chip" href=href aria-label=label>
                                {text}<span class="chip__x" aria-hidden="true">"×"</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
                <li><a class="chip chip--clear" href=clear_all data-testid="filter-clear">"Clear all"</a></li>
            </ul>
        })
    };

    view! {
        <div class="filters">
            {pms_domain::views::Section::from_path(path)
                .map(|section| view! { <SaveViewBar section=section/> })}
            {move || problem.get().map(|message| view! {
                <div class="alert alert--error" role="alert">
                    {format!("This link's filter cannot be read ({message}); showing everything in your view instead.")}
                </div>
            })}
            <Transition fallback=|| ()>
                {move || {
                    let form = form.clone();
                    Suspend::new(async move {
                    let names = choices.await.unwrap_or_default();
                    let applied = filter_from(&params.read()).map(|f| f.chips(&names).len()).unwrap_or(0);
                    view! {
                        <details class="filters__panel" data-testid="filters">
                            <summary class="button">
                                "Filters"
                                {(applied > 0).then(|| view! { <span class="badge">{applied}</span> })}
                            </summary>
                            {form(names.clone())}
                        </details>
                        {chips(&names)}
                    }
                })}}
            </Transition>
        </div>
    }
}
