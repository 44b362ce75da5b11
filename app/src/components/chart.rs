//! A line chart drawn as inline SVG on the server: it is in the first paint, needs no script,
//! scales with its card (the view box keeps its proportions, so nothing jumps or spills), and
//! screen readers get the summary in its label. The numbers behind every chart are also in a
//! table on the same page.

use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// One line: its legend name, CSS modifier (`chart__line--{tone}`) and a value per point.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub tone: &'static str,
    pub values: Vec<Option<f64>>,
    /// Shade the area between the line and zero (drawdowns).
    pub area: bool,
}

/// Round tick values covering every value and zero: steps of 1, 2 or 5 × 10ⁿ, about four of
/// them (2.5 too), so the axis reads 0%, 25%, 50% rather than −6%, 19%, 43%.
fn ticks(series: &[Series]) -> Vec<f64> {
    let values = series.iter().flat_map(|s| s.values.iter().flatten());
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let rough = ((hi - lo) / 4.0).max(1e-9);
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).floor() as i64;
    let last = (hi / step).ceil().max(first as f64 + 1.0) as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The y-axis range: the first and last tick.
fn y_range(series: &[Series]) -> (f64, f64) {
    let t = ticks(series);
    (
        t.first().copied().unwrap_or(0.0),
        t.last().copied().unwrap_or(1.0),
    )
}

/// SVG path data of one series (gaps where a value is missing).
fn path(values: &[Option<f64>], x: impl Fn(usize) -> f64, y: impl Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                d.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x(i),
                    y(*v)
                ));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// A line chart over `labels` (one per point, shown first, middle and last).
#[component]
pub fn LineChart(
    /// What the chart shows, for assistive technology.
    title: String,
    labels: Vec<String>,
    series: Vec<Series>,
    /// Formats a tick value (e.g. a percentage).
    format: fn(f64) -> String,
) -> impl IntoView {
    let n = labels.len().max(1);
    let (lo, hi) = y_range(&series);
    let span = (hi - lo).max(1e-12);
    let x = move |i: usize| {
        LEFT + if n == 1 {
            0.0
        } else {
            i as f64 * (WIDTH - LEFT - RIGHT) / (n - 1) as f64
        }
    };
    let y = move |v: f64| TOP + (hi - v) / span * (HEIGHT - TOP - BOTTOM);
    let ticks = ticks(&series);
    let x_ticks: Vec<usize> = {
        let mut t = vec![0, n / 2, n - 1];
        t.dedup();
        t
    };
    let legend = series
        .iter()
        .map(|s| view! { <span class=format!("chart__key chart__key--{}", s.tone)>{s.name.clone()}</span> })
        .collect_view();
    let lines = series
        .iter()
        .map(|s| {
            let line = path(&s.values, x, y);
            let area = s.area.then(|| {
                let first = s.values.iter().position(Option::is_some).unwrap_or(0);
                let last = s.values.iter().rposition(Option::is_some).unwrap_or(0);
                format!(
                    "{line}L{:.1},{:.1} L{:.1},{:.1} Z",
                    x(last),
                    y(0.0),
                    x(first),
                    y(0.0)
                )
            });
            view! {
                {area.map(|d| view! { <path class=format!("chart__area chart__area--{}", s.tone) d=d/> })}
                <path class=format!("chart__line chart__line--{}", s.tone) d=line/>
            }
        })
        .collect_view();
    let label = title.clone();
    view! {
        <figure class="chart">
            <div class="chart__legend">{legend}</div>
            <svg class="chart__svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <title>{title}</title>
                {ticks.into_iter().map(|t| view! {
                    <line class=if t.abs() < span * 1e-9 { "chart__grid chart__grid--zero" } else { "chart__grid" }
                        x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t)/>
                    <text class="chart__tick" x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end">{format(t)}</text>
                }).collect_view()}
                {x_ticks.into_iter().map(|i| view! {
                    <text class="chart__tick" x=x(i) y=HEIGHT - 6.0
                        text-anchor=if i == 0 { "start" } else if i + 1 == n { "end" } else { "middle" }>
                        {labels.get(i).cloned().unwrap_or_default()}
                    </text>
                }).collect_view()}
                {lines}
            </svg>
        </figure>
    }
}

/// Bars over `labels`, rising from zero for positive values (positive tone) and falling for
/// negative ones (negative tone): net flows, say.
#[component]
pub fn BarChart(
    title: String,
    labels: Vec<String>,
    values: Vec<f64>,
    format: fn(f64) -> String,
    /// Where each bar leads (drill-down), if anywhere.
    #[prop(optional)]
    links: Option<Vec<String>>,
) -> impl IntoView {
    let n = values.len().max(1);
    let as_series = Series {
        name: String::new(),
        tone: "",
        values: values.iter().copied().map(Some).collect(),
        area: false,
    };
    let ticks = ticks(std::slice::from_ref(&as_series));
    let (lo, hi) = y_range(std::slice::from_ref(&as_series));
    let span = (hi - lo).max(1e-12);
    let slot = (WIDTH - LEFT - RIGHT) / n as f64;
    let y = move |v: f64| TOP + (hi - v) / span * (HEIGHT - TOP - BOTTOM);
    let x_ticks: Vec<usize> = {
        let mut t = vec![0, n / 2, n - 1];
        t.dedup();
        t
    };
    let label = title.clone();
    view! {
        <figure class="chart">
            <svg class="chart__svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role=if links.is_some() { "group" } else { "img" } aria-label=label>
                <title>{title}</title>
                {ticks.into_iter().map(|t| view! {
                    <line class="chart__grid" x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t)/>
                    <text class="chart__tick" x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end">{format(t)}</text>
                }).collect_view()}
                <line class="chart__grid chart__grid--zero" x1=LEFT x2=WIDTH - RIGHT y1=y(0.0) y2=y(0.0)/>
                {values.iter().enumerate().map(|(i, v)| {
                    let (top, bottom) = if *v >= 0.0 { (y(*v), y(0.0)) } else { (y(0.0), y(*v)) };
                    let class = if *v >= 0.0 { "chart__bar chart__bar--up" } else { "chart__bar chart__bar--down" };
                    let tip = format!("{}: {}", labels.get(i).cloned().unwrap_or_default(), format(*v));
                    // Inside a `<g>` the view builds SVG's `<a>`, not HTML's (which a browser
                    // would not draw inside an `<svg>` created by script); without a link it has
                    // no href and is a plain group.
                    let href = links.as_ref().and_then(|l| l.get(i)).cloned();
                    let aria = href.as_ref().map(|_| format!("{tip}: show this period"));
                    view! {
                        <g>
                            <a href=href.clone() class=href.as_ref().map(|_| "chart__link") aria-label=aria>
                                <rect class=class
                                    x=LEFT + i as f64 * slot + slot * 0.15 width=slot * 0.7 y=top height=(bottom - top).max(0.5)>
                                    <title>{tip}</title>
                                </rect>
                            </a>
                        </g>
                    }
                }).collect_view()}
                {x_ticks.into_iter().map(|i| view! {
                    <text class="chart__tick" x=LEFT + (i as f64 + 0.5) * slot y=HEIGHT - 6.0
                        text-anchor=if i == 0 { "start" } else if i + 1 == n { "end" } else { "middle" }>
                        {labels.get(i).cloned().unwrap_or_default()}
                    </text>
                }).collect_view()}
            </svg>
        </figure>
    }
}

/// One point of a scatter chart: a link to what it stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub href: String,
    pub title: String,
}

/// Points against two percentage axes; each point is a link (a drill-down that works without
/// script), its tooltip names it.
#[component]
pub fn ScatterChart(
    title: String,
    x_label: &'static str,
    y_label: &'static str,
    points: Vec<Point>,
    format: fn(f64) -> String,
) -> impl IntoView {
    let axis = |values: Vec<f64>| {
        let s = Series {
            name: String::new(),
            tone: "",
            values: values.into_iter().map(Some).collect(),
            area: false,
        };
        ticks(std::slice::from_ref(&s))
    };
    let x_ticks = axis(points.iter().map(|p| p.x).collect());
    let y_ticks = axis(points.iter().map(|p| p.y).collect());
    let (x_lo, x_hi) = (x_ticks[0], x_ticks[x_ticks.len() - 1]);
    let (y_lo, y_hi) = (y_ticks[0], y_ticks[y_ticks.len() - 1]);
    let x = move |v: f64| LEFT + (v - x_lo) / (x_hi - x_lo).max(1e-12) * (WIDTH - LEFT - RIGHT);
    let y = move |v: f64| TOP + (y_hi - v) / (y_hi - y_lo).max(1e-12) * (HEIGHT - TOP - BOTTOM);
    let label = title.clone();
    view! {
        <figure class="chart">
            <div class="chart__legend"><span>{format!("↑ {y_label} · → {x_label}")}</span></div>
            // A group, not an image: its points are links.
            <svg class="chart__svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="group" aria-label=label>
                <title>{title}</title>
                {y_ticks.iter().map(|&t| view! {
                    <line class=if t == 0.0 { "chart__grid chart__grid--zero" } else { "chart__grid" } x1=LEFT x2=WIDTH - RIGHT y1=y(t) y2=y(t)/>
                    <text class="chart__tick" x=LEFT - 6.0 y=y(t) + 4.0 text-anchor="end">{format(t)}</text>
                }).collect_view()}
                {x_ticks.iter().map(|&t| view! {
                    <text class="chart__tick" x=x(t) y=HEIGHT - 6.0 text-anchor="middle">{format(t)}</text>
                }).collect_view()}
                {points.into_iter().map(|p| view! {
                    // In a `<g>`, so the `<a>` is SVG's (see BarChart).
                    <g>
                        <a href=p.href.clone()>
                            <circle class="chart__dot" cx=x(p.x) cy=y(p.y) r="4">
                                <title>{format!("{}: {} {}, {} {}", p.title, y_label, format(p.y), x_label, format(p.x))}</title>
                            </circle>
                        </a>
                    </g>
                }).collect_view()}
            </svg>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_lifts_the_pen() {
        let d = path(&[Some(1.0), None, Some(2.0)], |i| i as f64, |v| v);
        assert_eq!(d, "M0.0,1.0 M2.0,2.0 ");
    }

    fn series(values: &[f64]) -> Series {
        Series {
            name: "x".into(),
            tone: "a",
            values: values.iter().copied().map(Some).collect(),
            area: false,
        }
    }

    #[test]
    fn the_axis_shows_zero_and_round_steps_covering_every_value() {
        let t = ticks(&[series(&[-0.06, 0.93])]);
        assert_eq!(t.first().copied(), Some(-0.25));
        assert!(t.last().copied().unwrap_or(0.0) >= 0.93);
        assert!(t.iter().any(|v| v.abs() < 1e-12), "{t:?}");
        let (lo, hi) = y_range(&[series(&[0.5, 0.8])]);
        assert_eq!(lo, 0.0);
        assert!(hi >= 0.8);
    }
}
