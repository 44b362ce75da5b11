//! What every page of every report carries: the firm's branding (logo, name, colours), the
//! title, "data as of" and the data version, who generated it and when, page numbers and the
//! compliance disclaimer.

use chrono::{DateTime, NaiveDate, Utc};
use pms_domain::admin::Branding;
use pms_domain::status::DataStatus;
use pms_domain::time::format_ist;
use serde::Serialize;

use crate::world::LogoImage;

/// Who asked for a report, when, and on which data.
#[derive(Clone, Debug)]
pub struct ReportMeta {
    pub branding: Branding,
    pub logo: Option<LogoImage>,
    pub generated_by: String,
    pub generated_at: DateTime<Utc>,
    pub data: DataStatus,
}

/// The frame as the templates read it.
#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    pub firm: String,
    pub primary: String,
    pub accent: String,
    pub disclaimer: String,
    pub title: String,
    pub subtitle: String,
    pub data_line: String,
    pub generated: String,
    /// typst's name of the logo's format, when there is a logo it can draw.
    pub logo: Option<&'static str>,
    /// Room the footer needs for the disclaimer, in centimetres.
    pub footer_cm: f64,
}

impl ReportMeta {
    pub fn frame(&self, title: &str, subtitle: &str) -> Frame {
        let b = &self.branding;
        let as_of = self
            .data
            .data_as_of
            .map_or_else(|| "no valuations loaded".into(), date);
        Frame {
            firm: b.firm_name.clone(),
            primary: b.primary_colour.clone(),
            accent: b.accent_colour.clone(),
            disclaimer: b.disclaimer.clone(),
            title: title.to_owned(),
            subtitle: subtitle.to_owned(),
            data_line: format!(
                "Data as of {as_of} · data version {}",
                self.data.data_version
            ),
            generated: format!(
                "Generated {} by {}",
                format_ist(self.generated_at),
                self.generated_by
            ),
            logo: self.logo.as_ref().map(|l| l.format),
            footer_cm: footer_height_cm(&b.disclaimer),
        }
    }
}

/// The disclaimer is set in 6.5-point type about 150 characters to a line on A4; the footer
/// also holds the data line and page number.
fn footer_height_cm(disclaimer: &str) -> f64 {
    let lines: usize = disclaimer
        .lines()
        .map(|line| line.chars().count().div_ceil(150).max(1))
        .sum();
    1.4 + 0.3 * lines as f64
}

/// `01 Jul 2025`, as the screens write a date.
pub fn date(day: NaiveDate) -> String {
    day.format("%d %b %Y").to_string()
}
