//! How an owner takes bookings from callers: the settings as stored and shown, the changes a
//! person sends (every field optional: what is left out stays as it was), and their checks.

use serde::{Deserialize, Serialize};

/// Weekday names as the API writes them, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Opening and closing time of one day, `HH:MM` local.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    pub start: String,
    pub end: String,
}

/// Working hours per weekday (named `monday` … `sunday`; `null` or absent: closed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default)]
    pub monday: Option<Hours>,
    #[serde(default)]
    pub tuesday: Option<Hours>,
    #[serde(default)]
    pub wednesday: Option<Hours>,
    #[serde(default)]
    pub thursday: Option<Hours>,
    #[serde(default)]
    pub friday: Option<Hours>,
    #[serde(default)]
    pub saturday: Option<Hours>,
    #[serde(default)]
    pub sunday: Option<Hours>,
}

impl WeekHours {
    /// Monday to Friday, 09:00 to 17:00.
    pub fn office() -> Self {
        let day = || {
            Some(Hours {
                start: "09:00".into(),
                end: "17:00".into(),
            })
        };
        Self {
            monday: day(),
            tuesday: day(),
            wednesday: day(),
            thursday: day(),
            friday: day(),
            saturday: None,
            sunday: None,
        }
    }

    /// The days in order, Monday first.
    pub fn days(&self) -> [&Option<Hours>; 7] {
        [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
    }

    /// The hours of the day `index` (Monday = 0), for changing them.
    pub fn day_mut(&mut self, index: usize) -> Option<&mut Option<Hours>> {
        match index {
            0 => Some(&mut self.monday),
            1 => Some(&mut self.tuesday),
            2 => Some(&mut self.wednesday),
            3 => Some(&mut self.thursday),
            4 => Some(&mut self.friday),
            5 => Some(&mut self.saturday),
            6 => Some(&mut self.sunday),
            _ => None,
        }
    }
}

/// An owner's booking settings, as `GET /api/booking/settings` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingSettings {
    /// Callers may book; when off, every slot is answered as unavailable.
    pub enabled: bool,
    /// IANA zone of the working hours and of times callers say.
    pub timezone: String,
    pub hours: WeekHours,
    /// Meeting lengths a caller may ask for, in minutes; the first is the default.
    pub lengths: Vec<i32>,
    /// Free minutes kept before and after every meeting.
    pub buffer_minutes: i32,
    /// A meeting starts at least this many minutes after it is booked.
    pub notice_minutes: i32,
    /// A meeting starts at most this many days ahead.
    pub horizon_days: i32,
    /// Gets a text for each booking, and for each one that needs booking by hand.
    pub business_phone: Option<String>,
    /// Callers get a confirmation text with a link to cancel or move their booking.
    pub confirm_callers: bool,
    /// The Retell agents that book for this owner.
    pub agent_ids: Vec<String>,
    /// Names this owner in webhook URLs (for tools whose arguments come at the root).
    pub webhook_token: String,
}

impl BookingSettings {
    /// What an owner who never saved settings has: off, office hours in `timezone`, 30-minute
    /// meetings, an hour's notice, 60 days ahead.
    pub fn defaults(timezone: &str, webhook_token: String) -> Self {
        Self {
            enabled: false,
            timezone: timezone.to_owned(),
            hours: WeekHours::office(),
            lengths: vec![30],
            buffer_minutes: 0,
            notice_minutes: 60,
            horizon_days: 60,
            business_phone: None,
            confirm_callers: false,
            agent_ids: Vec::new(),
            webhook_token,
        }
    }

    /// The length a caller gets when they name none.
    pub fn default_length(&self) -> i32 {
        self.lengths.first().copied().unwrap_or(30)
    }
}

/// A change to the settings (`PUT /api/booking/settings`, the Booking page): fields left out
/// keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub hours: Option<WeekHours>,
    #[serde(default)]
    pub lengths: Option<Vec<i32>>,
    #[serde(default)]
    pub buffer_minutes: Option<i32>,
    #[serde(default)]
    pub notice_minutes: Option<i32>,
    #[serde(default)]
    pub horizon_days: Option<i32>,
    /// `""` or `null` removes it.
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub business_phone: Option<Option<String>>,
    #[serde(default)]
    pub confirm_callers: Option<bool>,
    #[serde(default)]
    pub agent_ids: Option<Vec<String>>,
}

/// The Booking page's form: every field as typed. A day's hours are written `09:00-17:00`
/// (empty: closed); lengths and agents are lists separated by commas or spaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub enabled: Option<String>,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub monday: String,
    #[serde(default)]
    pub tuesday: String,
    #[serde(default)]
    pub wednesday: String,
    #[serde(default)]
    pub thursday: String,
    #[serde(default)]
    pub friday: String,
    #[serde(default)]
    pub saturday: String,
    #[serde(default)]
    pub sunday: String,
    #[serde(default)]
    pub lengths: String,
    #[serde(default)]
    pub buffer_minutes: String,
    #[serde(default)]
    pub notice_minutes: String,
    #[serde(default)]
    pub horizon_days: String,
    #[serde(default)]
    pub business_phone: String,
    #[serde(default)]
    pub confirm_callers: Option<String>,
    #[serde(default)]
    pub agent_ids: String,
}

/// A day's hours as the form writes them: `09:00-17:00`, or empty when closed.
pub fn hours_text(hours: &Option<Hours>) -> String {
    hours
        .as_ref()
        .map(|h| format!("{}-{}", h.start, h.end))
        .unwrap_or_default()
}

/// Limits of the settings.
pub const MAX_LENGTH_MINUTES: i32 = 480;
pub const MAX_LENGTHS: usize = 6;
pub const MAX_BUFFER_MINUTES: i32 = 240;
pub const MAX_NOTICE_MINUTES: i32 = 60 * 24 * 30;
pub const MAX_HORIZON_DAYS: i32 = 365;
pub const MAX_AGENTS: usize = 20;

/// A Retell agent id: letters, digits, `_` and `-`, at most 64 of them.
pub fn is_agent_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(feature = "ssr")]
mod check {
    use chrono::NaiveTime;
    use chrono_tz::Tz;

    use super::*;
    use crate::error::{AppError, Validator};

    fn clock(text: &str) -> Option<NaiveTime> {
        NaiveTime::parse_from_str(text.trim(), "%H:%M").ok()
    }

    impl SettingsForm {
        /// The change the form asks for: every field, as typed.
        pub fn into_change(self) -> Result<SettingsChange, AppError> {
            let mut v = Validator::default();
            let mut hours = WeekHours::default();
            let days = [
                &self.monday,
                &self.tuesday,
                &self.wednesday,
                &self.thursday,
                &self.friday,
                &self.saturday,
                &self.sunday,
            ];
            for (i, typed) in days.into_iter().enumerate() {
                let typed = typed.trim();
                if typed.is_empty() {
                    continue;
                }
                match typed.split_once('-') {
                    Some((start, end)) => {
                        if let Some(day) = hours.day_mut(i) {
                            *day = Some(Hours {
                                start: start.trim().to_owned(),
                                end: end.trim().to_owned(),
                            });
                        }
                    }
                    None => v.fail(
                        "hours",
                        format!("{}: write hours like 09:00-17:00", WEEKDAYS[i]),
                    ),
                }
            }
            let list = |text: &str| -> Vec<String> {
                text.split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            let lengths: Vec<i32> = list(&self.lengths)
                .iter()
                .filter_map(|l| {
                    let parsed = l.parse().ok();
                    if parsed.is_none() {
                        v.fail("lengths", "write lengths in minutes, like 30, 60");
                    }
                    parsed
                })
                .collect();
            let mut number = |typed: &str, field: &str| -> Option<i32> {
                let parsed = typed.trim().parse().ok();
                if parsed.is_none() {
                    v.fail(field, "write a whole number");
                }
                parsed
            };
            let buffer_minutes = number(&self.buffer_minutes, "buffer_minutes");
            let notice_minutes = number(&self.notice_minutes, "notice_minutes");
            let horizon_days = number(&self.horizon_days, "horizon_days");
            v.finish(SettingsChange {
                enabled: Some(self.enabled.is_some()),
                timezone: Some(self.timezone),
                hours: Some(hours),
                lengths: Some(lengths),
                buffer_minutes,
                notice_minutes,
                horizon_days,
                business_phone: Some(Some(self.business_phone)),
                confirm_callers: Some(self.confirm_callers.is_some()),
                agent_ids: Some(list(&self.agent_ids)),
            })
        }
    }

    impl SettingsChange {
        /// `current` with this change applied and checked. Times are written back as `HH:MM`,
        /// agent ids trimmed and without repeats, the phone in E.164.
        pub fn apply(self, current: &BookingSettings) -> Result<BookingSettings, AppError> {
            let mut next = current.clone();
            let mut v = Validator::default();
            if let Some(enabled) = self.enabled {
                next.enabled = enabled;
            }
            if let Some(tz) = self.timezone {
                match tz.trim().parse::<Tz>() {
                    Ok(zone) => next.timezone = zone.name().to_owned(),
                    Err(_) => v.fail("timezone", "choose a time zone like America/Toronto"),
                }
            }
            if let Some(mut hours) = self.hours {
                for (i, name) in WEEKDAYS.iter().enumerate() {
                    let Some(Some(day)) = hours.day_mut(i) else {
                        continue;
                    };
                    match (clock(&day.start), clock(&day.end)) {
                        (Some(start), Some(end)) if start < end => {
                            day.start = start.format("%H:%M").to_string();
                            day.end = end.format("%H:%M").to_string();
                        }
                        (Some(_), Some(_)) => {
                            v.fail("hours", format!("{name} must close after it opens"));
                        }
                        _ => v.fail("hours", format!("{name}: write times as HH:MM, like 09:00")),
                    }
                }
                next.hours = hours;
            }
            if let Some(mut lengths) = self.lengths {
                let mut seen = std::collections::HashSet::new();
                lengths.retain(|l| seen.insert(*l));
                v.check(
                    !lengths.is_empty() && lengths.len() <= MAX_LENGTHS,
                    "lengths",
                    "give one to six meeting lengths",
                );
                v.check(
                    lengths.iter().all(|l| (5..=MAX_LENGTH_MINUTES).contains(l)),
                    "lengths",
                    "meetings last 5 to 480 minutes",
                );
                next.lengths = lengths;
            }
            let mut minutes = |value: Option<i32>, field: &str, max: i32, slot: &mut i32| {
                if let Some(m) = value {
                    if (0..=max).contains(&m) {
                        *slot = m;
                    } else {
                        v.fail(field, format!("must be 0 to {max}"));
                    }
                }
            };
            minutes(
                self.buffer_minutes,
                "buffer_minutes",
                MAX_BUFFER_MINUTES,
                &mut next.buffer_minutes,
            );
            minutes(
                self.notice_minutes,
                "notice_minutes",
                MAX_NOTICE_MINUTES,
                &mut next.notice_minutes,
            );
            if let Some(days) = self.horizon_days {
                if (1..=MAX_HORIZON_DAYS).contains(&days) {
                    next.horizon_days = days;
                } else {
                    v.fail("horizon_days", "must be 1 to 365");
                }
            }
            if let Some(phone) = self.business_phone {
                next.business_phone = match phone.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(typed) => {
                        let tz = next.timezone.parse().unwrap_or(chrono_tz::UTC);
                        match crate::phones::model::read(typed, tz) {
                            Ok(number) => Some(number),
                            Err(e) => {
                                v.fail(
                                    "business_phone",
                                    e.field_message("phone").unwrap_or_default(),
                                );
                                None
                            }
                        }
                    }
                };
            }
            if let Some(confirm) = self.confirm_callers {
                next.confirm_callers = confirm;
            }
            if let Some(ids) = self.agent_ids {
                let mut seen = std::collections::HashSet::new();
                let ids: Vec<String> = ids
                    .iter()
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty() && seen.insert(id.clone()))
                    .collect();
                v.check(
                    ids.iter().all(|id| is_agent_id(id)),
                    "agent_ids",
                    "an agent id has letters, digits, _ and - (at most 64)",
                );
                v.check(ids.len() <= MAX_AGENTS, "agent_ids", "at most 20 agents");
                next.agent_ids = ids;
            }
            v.finish(next)
        }
    }

    impl BookingSettings {
        /// The zone, or UTC if the stored name is no longer known.
        pub fn tz(&self) -> Tz {
            self.timezone.parse().unwrap_or(chrono_tz::UTC)
        }

        /// The rules the scheduler applies to callers.
        pub fn rules(&self) -> crate::scheduling::Rules {
            use crate::scheduling::{DayHours, Rules, WeekHours as Hours};
            let mut week = Hours::closed();
            for (i, day) in self.hours.days().into_iter().enumerate() {
                week.days[i] = day
                    .as_ref()
                    .and_then(|h| Some(DayHours::new(clock(&h.start)?, clock(&h.end)?)));
            }
            let mut rules = Rules::new(self.tz(), week);
            rules.buffer = chrono::Duration::minutes(i64::from(self.buffer_minutes));
            rules.min_notice = chrono::Duration::minutes(i64::from(self.notice_minutes));
            rules.horizon = chrono::Duration::days(i64::from(self.horizon_days));
            rules.step = chrono::Duration::minutes(30);
            rules
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn current() -> BookingSettings {
        BookingSettings::defaults("America/Toronto", "tok".into())
    }

    #[test]
    fn a_change_keeps_what_it_leaves_out() {
        let change = SettingsChange {
            enabled: Some(true),
            buffer_minutes: Some(15),
            ..SettingsChange::default()
        };
        let next = change.apply(&current()).unwrap();
        assert!(next.enabled);
        assert_eq!(next.buffer_minutes, 15);
        assert_eq!(next.hours, WeekHours::office());
        assert_eq!(next.lengths, vec![30]);
    }

    #[test]
    fn bad_values_name_their_field() {
        let change = SettingsChange {
            timezone: Some("Mars/Olympus".into()),
            lengths: Some(vec![0]),
            buffer_minutes: Some(-5),
            horizon_days: Some(0),
            business_phone: Some(Some("call me".into())),
            agent_ids: Some(vec!["no spaces allowed".into()]),
            hours: Some(WeekHours {
                monday: Some(Hours {
                    start: "17:00".into(),
                    end: "09:00".into(),
                }),
                ..WeekHours::default()
            }),
            ..SettingsChange::default()
        };
        let err = change.apply(&current()).unwrap_err();
        for field in [
            "timezone",
            "lengths",
            "buffer_minutes",
            "horizon_days",
            "business_phone",
            "agent_ids",
            "hours",
        ] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn values_are_written_one_way() {
        let change = SettingsChange {
            hours: Some(WeekHours {
                saturday: Some(Hours {
                    start: " 9:30".into(),
                    end: "12:00".into(),
                }),
                ..WeekHours::default()
            }),
            lengths: Some(vec![30, 60, 30]),
            business_phone: Some(Some("(416) 555-0199".into())),
            agent_ids: Some(vec![" agent_a ".into(), "agent_a".into(), "".into()]),
            ..SettingsChange::default()
        };
        let next = change.apply(&current()).unwrap();
        assert_eq!(next.hours.saturday.unwrap().start, "09:30");
        assert_eq!(next.hours.monday, None);
        assert_eq!(next.lengths, vec![30, 60]);
        assert_eq!(next.business_phone.as_deref(), Some("+14165550199"));
        assert_eq!(next.agent_ids, vec!["agent_a".to_owned()]);
    }

    #[test]
    fn the_form_is_read_as_typed() {
        let form = SettingsForm {
            enabled: Some("on".into()),
            timezone: "Europe/Paris".into(),
            monday: "9:00 - 12:30".into(),
            lengths: "30, 60 90".into(),
            buffer_minutes: "10".into(),
            notice_minutes: "0".into(),
            horizon_days: "30".into(),
            agent_ids: "agent_a, agent_b".into(),
            ..SettingsForm::default()
        };
        let next = form.into_change().unwrap().apply(&current()).unwrap();
        assert!(next.enabled && !next.confirm_callers);
        assert_eq!(next.timezone, "Europe/Paris");
        assert_eq!(hours_text(&next.hours.monday), "09:00-12:30");
        assert_eq!(next.hours.tuesday, None);
        assert_eq!(next.lengths, vec![30, 60, 90]);
        assert_eq!(next.agent_ids, vec!["agent_a", "agent_b"]);
        assert_eq!(next.business_phone, None);

        let bad = SettingsForm {
            monday: "nine to five".into(),
            lengths: "half an hour".into(),
            buffer_minutes: "ten".into(),
            ..SettingsForm::default()
        };
        let err = bad.into_change().unwrap_err();
        for field in ["hours", "lengths", "buffer_minutes", "notice_minutes"] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn the_rules_follow_the_settings() {
        let mut s = current();
        s.buffer_minutes = 10;
        s.notice_minutes = 120;
        let rules = s.rules();
        assert_eq!(rules.buffer, chrono::Duration::minutes(10));
        assert_eq!(rules.min_notice, chrono::Duration::hours(2));
        assert!(rules.hours.get(chrono::Weekday::Sat).is_none());
        assert_eq!(
            rules.hours.get(chrono::Weekday::Mon).unwrap().start,
            chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        );
    }
}
