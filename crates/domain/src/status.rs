//! How current the store is, for the header's "data as of" line.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::time::{format_ist, format_ist_time};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataStatus {
    /// The latest business date with valuations in the store.
    pub data_as_of: Option<NaiveDate>,
    /// When the last successful load finished.
    pub last_load_at: Option<DateTime<Utc>>,
    /// When the server answered (shows the check really happened).
    pub checked_at: DateTime<Utc>,
    /// The data version: advanced after every change the dashboard reads commits (a load, an
    /// aggregate refresh, an RM reassignment). Exports carry it too, so two people comparing
    /// numbers can tell whether they looked at the same data.
    pub data_version: i64,
}

impl DataStatus {
    /// `Data as of 31 Mar 2026`, or a plain statement that nothing is loaded.
    pub fn headline(&self) -> String {
        match self.data_as_of {
            Some(d) => format!("Data as of {}", d.format("%d %b %Y")),
            None => "No data loaded yet".to_owned(),
        }
    }

    /// Longer explanation for a tooltip.
    pub fn tooltip(&self) -> String {
        let load = match self.last_load_at {
            Some(at) => format!("Last successful load finished {}", format_ist(at)),
            None => "No load has completed yet".to_owned(),
        };
        format!("{load}. Data version {}.", self.data_version)
    }

    /// `v42`: the short data-version stamp.
    pub fn version_label(&self) -> String {
        format!("v{}", self.data_version)
    }

    pub fn checked_at_label(&self) -> String {
        format_ist_time(self.checked_at)
    }
}
