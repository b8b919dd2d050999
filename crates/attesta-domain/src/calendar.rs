//! Italian civil time: the days of SPEC §4 ("as of today") and §10 (the
//! journey's deadlines) are Europe/Rome days. The domain has no time-zone
//! database; this is the EU's summer-time rule since 1996: Central
//! European Time, with summer time from the last Sunday of March to the
//! last Sunday of October, both at 01:00 UTC.

use time::{Date, OffsetDateTime, UtcOffset, Weekday};

/// Instant `t` on Italian civil time.
pub fn rome_time(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(UtcOffset::UTC);
    let year = t.year();
    let last_sunday = |month: time::Month| {
        let mut d =
            Date::from_calendar_date(year, month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().expect("in range");
        }
        d.with_hms(1, 0, 0).expect("valid").assume_utc()
    };
    let summer = t >= last_sunday(time::Month::March) && t < last_sunday(time::Month::October);
    let offset = UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).expect("valid offset");
    t.to_offset(offset)
}

/// The calendar day in Italy at instant `t` (a minor turns 18 at midnight
/// in Rome, not in UTC).
pub fn rome_date(t: OffsetDateTime) -> Date {
    rome_time(t).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_italian_day_follows_summer_time() {
        // (instant, day in Rome)
        let rows = [
            (datetime!(2026-01-15 22:59 UTC), date!(2026 - 01 - 15)),
            (datetime!(2026-01-15 23:00 UTC), date!(2026 - 01 - 16)),
            (datetime!(2026-07-15 21:59 UTC), date!(2026 - 07 - 15)),
            (datetime!(2026-07-15 22:00 UTC), date!(2026 - 07 - 16)),
            (datetime!(2026-07-16 00:30 +02:00), date!(2026 - 07 - 16)),
        ];
        for (t, want) in rows {
            assert_eq!(rome_date(t), want, "{t}");
        }
    }
}
