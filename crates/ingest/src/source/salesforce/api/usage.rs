//! The org's API consumption, as Salesforce reports it on every response.

/// Above this share of the daily API allowance we log a warning.
pub const API_USAGE_WARNING_RATIO: f64 = 0.8;

/// The org's API consumption as of the latest response (`Sforce-Limit-Info: api-usage=25/15000`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub limit: u64,
}

impl ApiUsage {
    /// Reads the `api-usage` part of a `Sforce-Limit-Info` header value
    /// (`api-usage=25/15000; per-app-api-usage=…` or `api-usage=25/15000; api-bursts=1/750`).
    pub fn from_header(value: &str) -> Option<Self> {
        let part = value
            .split(';')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("api-usage="))?;
        let (used, limit) = part.split_once('/')?;
        Some(Self {
            used: used.trim().parse().ok()?,
            limit: limit.trim().parse().ok()?,
        })
    }

    /// Share of the allowance used (0 when the limit is 0).
    pub fn ratio(&self) -> f64 {
        if self.limit == 0 {
            0.0
        } else {
            self.used as f64 / self.limit as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_header() {
        assert_eq!(
            ApiUsage::from_header("api-usage=25/15000"),
            Some(ApiUsage {
                used: 25,
                limit: 15000
            })
        );
        assert_eq!(
            ApiUsage::from_header("api-usage=10018/100000; api-bursts=1/750"),
            Some(ApiUsage {
                used: 10018,
                limit: 100000
            })
        );
        assert_eq!(
            ApiUsage::from_header("per-app-api-usage=17/250(appName=x); api-usage=18/5000"),
            Some(ApiUsage {
                used: 18,
                limit: 5000
            })
        );
        assert_eq!(ApiUsage::from_header("nonsense"), None);
    }
}
