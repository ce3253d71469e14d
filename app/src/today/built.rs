//! The Today page's data as built for a user, and how long it stays true without a write.
//!
//! The page is where people land, so its data is reused rather than read again (see
//! `AppState::recent_today`). Writes through Aida drop it at once; what it shows also changes
//! with time alone (a new day, a task's deadline passing) and with the user's profile, which
//! [`BuiltToday::holds_for`] checks.

use chrono::{DateTime, Utc};

use super::api::TodayView;
use crate::auth::model::User;

/// A user's Today data and what it was built from.
#[derive(Debug)]
pub struct BuiltToday {
    pub view: TodayView,
    /// The account as it was: a new timezone, currency or name shows at once.
    user: User,
    built_at: DateTime<Utc>,
    /// The first moment the page would read differently with no write: the next midnight in
    /// the user's timezone, or a listed task's deadline if one comes first.
    changes_at: DateTime<Utc>,
}

impl BuiltToday {
    pub fn new(
        view: TodayView,
        user: &User,
        built_at: DateTime<Utc>,
        changes_at: DateTime<Utc>,
    ) -> Self {
        Self {
            view,
            user: user.clone(),
            built_at,
            changes_at,
        }
    }

    /// Whether this is still `user`'s Today page at `now`.
    pub fn holds_for(&self, user: &User, now: DateTime<Utc>) -> bool {
        self.built_at <= now && now < self.changes_at && self.user == *user
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::auth::model::{AccountStatus, Role};
    use crate::today::api::{AgendaDay, Spending};

    fn user() -> User {
        User {
            id: 7,
            email: "kai@example.com".into(),
            name: "Kai".into(),
            phone: None,
            timezone: "Europe/Paris".into(),
            currency: "EUR".into(),
            default_meeting_minutes: 30,
            reminder_minutes: vec![1440, 60],
            role: Role::User,
            status: AccountStatus::Active,
        }
    }

    fn view() -> TodayView {
        let day = AgendaDay {
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
            label: "Sunday, November 22".into(),
            events: vec![],
        };
        TodayView {
            name: "Kai".into(),
            date_label: day.label.clone(),
            today: day,
            next_days: vec![],
            tasks: vec![],
            more_tasks: 0,
            spending: Spending {
                currency: "EUR".into(),
                this_month_label: "November 2026".into(),
                last_month_label: "October 2026".into(),
                this_month: crate::money::Cents(0),
                last_month: crate::money::Cents(0),
                by_category: vec![],
            },
        }
    }

    #[test]
    fn it_holds_from_when_it_was_built_until_it_changes_for_the_same_account() {
        let built_at = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let changes_at = built_at + Duration::hours(5);
        let built = BuiltToday::new(view(), &user(), built_at, changes_at);
        assert!(built.holds_for(&user(), built_at));
        assert!(built.holds_for(&user(), changes_at - Duration::seconds(1)));
        assert!(
            !built.holds_for(&user(), changes_at),
            "a deadline or midnight passed"
        );
        assert!(
            !built.holds_for(&user(), built_at - Duration::seconds(1)),
            "the clock went back"
        );
        let moved = User {
            timezone: "Asia/Tokyo".into(),
            ..user()
        };
        assert!(!built.holds_for(&moved, built_at), "the profile changed");
    }
}
