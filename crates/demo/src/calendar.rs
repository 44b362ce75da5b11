//! Indian market days: Monday to Friday, less a few holidays that fall on the same date every
//! year (Republic Day, Ambedkar Jayanti, Maharashtra Day, Independence Day, Gandhi Jayanti,
//! Christmas). Festivals that move with the lunar calendar (Holi, Diwali …) are left out: a
//! demo does not need them and they cannot be computed without a table.

use chrono::{Datelike, Days, NaiveDate, Weekday};

const HOLIDAYS: [(u32, u32); 6] = [(1, 26), (4, 14), (5, 1), (8, 15), (10, 2), (12, 25)];

pub(crate) fn is_business_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        && !HOLIDAYS.contains(&(date.month(), date.day()))
}

/// The first business day strictly after `date`.
pub(crate) fn next_business_day(date: NaiveDate) -> NaiveDate {
    let mut d = date;
    loop {
        d = d + Days::new(1);
        if is_business_day(d) {
            return d;
        }
    }
}

/// `dd-mm-yyyy`, the Wealth Spectrum export format.
pub(crate) fn dmy(date: NaiveDate) -> String {
    format!("{:02}-{:02}-{:04}", date.day(), date.month(), date.year())
}

/// The business days of the history, with their `dd-mm-yyyy` text ready for the writers.
pub(crate) struct Calendar {
    pub days: Vec<NaiveDate>,
    pub text: Vec<String>,
}

impl Calendar {
    /// Business days from `start` to `end`, both inclusive.
    pub(crate) fn new(start: NaiveDate, end: NaiveDate) -> Self {
        let days: Vec<NaiveDate> = start
            .iter_days()
            .take_while(|d| *d <= end)
            .filter(|d| is_business_day(*d))
            .collect();
        let text = days.iter().map(|d| dmy(*d)).collect();
        Self { days, text }
    }

    pub(crate) fn len(&self) -> usize {
        self.days.len()
    }

    pub(crate) fn last(&self) -> usize {
        self.days.len().saturating_sub(1)
    }

    /// Index of the first business day on or after `date` (`len()` when past the end).
    pub(crate) fn on_or_after(&self, date: NaiveDate) -> usize {
        self.days.partition_point(|d| *d < date)
    }

    /// The date a trade on day `index` settles (T+1).
    pub(crate) fn settlement(&self, index: usize) -> NaiveDate {
        self.days
            .get(index + 1)
            .copied()
            .unwrap_or_else(|| next_business_day(self.days[index]))
    }

    /// Whether day `index` is the last business day of its month.
    pub(crate) fn is_month_end(&self, index: usize) -> bool {
        let day = self.days[index];
        let next = self
            .days
            .get(index + 1)
            .copied()
            .unwrap_or_else(|| next_business_day(day));
        next.month() != day.month()
    }

    /// The last `count` month-end business days, oldest first.
    pub(crate) fn last_month_ends(&self, count: usize) -> Vec<usize> {
        let mut ends: Vec<usize> = (0..self.len())
            .rev()
            .filter(|i| self.is_month_end(*i))
            .take(count)
            .collect();
        ends.reverse();
        ends
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn weekends_and_fixed_holidays_are_skipped() {
        let cal = Calendar::new(date(2025, 8, 11), date(2025, 8, 18));
        // 15 Aug 2025 is a Friday holiday; 16–17 the weekend.
        let days: Vec<u32> = cal.days.iter().map(|d| d.day()).collect();
        assert_eq!(days, vec![11, 12, 13, 14, 18]);
        assert_eq!(cal.text[0], "11-08-2025");
        assert_eq!(next_business_day(date(2025, 8, 14)), date(2025, 8, 18));
    }

    #[test]
    fn month_ends_are_last_business_days() {
        let cal = Calendar::new(date(2025, 1, 1), date(2025, 6, 10));
        let ends: Vec<NaiveDate> = cal
            .last_month_ends(3)
            .into_iter()
            .map(|i| cal.days[i])
            .collect();
        // 31 May 2025 is a Saturday, so May ends on Friday the 30th; June is not over.
        assert_eq!(
            ends,
            vec![date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 30)]
        );
    }
}
