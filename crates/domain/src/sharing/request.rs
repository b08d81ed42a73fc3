//! Conditional requests (共享申请): a consumer applies for items of a conditional
//! resource with a purpose, a legal basis, a period and visit quotas; the provider
//! answers within a number of working days — approves (possibly narrower), rejects
//! with a reason, or asks once for more material. An approval becomes a grant.

use crate::error::{Error, Problem, Result};
use crate::labels::coded_enum;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where a request stands.
    RequestState {
        Pending = ("pending", "待审核"),
        MoreInfo = ("more_info", "待补充材料"),
        Approved = ("approved", "已批准"),
        Rejected = ("rejected", "已驳回"),
    }
}

/// Working days a provider has to answer, unless the bureau configures otherwise.
pub const DEFAULT_ANSWER_DAYS: u32 = 10;

/// Days off and working weekend days (调休), as the State Council's calendar sets them.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub holidays: Vec<NaiveDate>,
    pub working_weekends: Vec<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend || self.working_weekends.contains(&d)
    }

    /// Working days from `from` to `to`: those after `from` up to and including `to`,
    /// or, when `to` is past, as many negative as lie after `to` up to `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (start, end, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let counted = start
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= end)
            .filter(|d| self.is_working_day(*d))
            .count() as i64;
        sign * counted
    }

    /// The day by which an answer is due: `days` working days after `from`.
    pub fn add_working_days(&self, from: NaiveDate, days: u32) -> NaiveDate {
        let mut d = from;
        let mut left = days;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

/// What a consumer asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Items wanted, by name or column code.
    pub items: Vec<String>,
    /// Sensitive items wanted in clear (a subset of `items`).
    #[serde(default)]
    pub unmasked: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// Visits a day (1–10,000,000).
    pub daily_quota: i64,
    /// Visits in all (1–10,000,000,000).
    pub total_quota: i64,
}

impl Scope {
    /// Checks a requested scope on its own; every problem at once.
    pub fn check(&self, today: NaiveDate) -> Result<()> {
        let mut problems = Vec::new();
        if self.items.is_empty() {
            problems.push(Problem::new("items", "请选择申请的信息项"));
        }
        if let Some(u) = self.unmasked.iter().find(|u| !self.items.contains(u)) {
            problems.push(Problem::new(
                "unmasked",
                format!("明文信息项“{u}”不在申请的信息项中"),
            ));
        }
        if self.valid_to < self.valid_from {
            problems.push(Problem::new("valid_to", "有效期结束日期早于开始日期"));
        }
        if self.valid_to < today {
            problems.push(Problem::new("valid_to", "有效期已过"));
        }
        if (self.valid_to - self.valid_from).num_days() > 366 * 3 {
            problems.push(Problem::new("valid_to", "有效期最长三年"));
        }
        if !(1..=10_000_000).contains(&self.daily_quota) {
            problems.push(Problem::new(
                "daily_quota",
                "每日访问次数应在1到10000000之间",
            ));
        }
        if !(1..=10_000_000_000).contains(&self.total_quota) || self.total_quota < self.daily_quota
        {
            problems.push(Problem::new(
                "total_quota",
                "访问总次数应在1到100亿之间，且不少于每日次数",
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }

    /// An approval may narrow what was asked, never widen it.
    pub fn check_within(&self, asked: &Scope) -> Result<()> {
        let mut problems = Vec::new();
        if let Some(i) = self.items.iter().find(|i| !asked.items.contains(i)) {
            problems.push(Problem::new("items", format!("信息项“{i}”不在申请范围内")));
        }
        if let Some(i) = self.unmasked.iter().find(|i| !asked.unmasked.contains(i)) {
            problems.push(Problem::new("unmasked", format!("明文信息项“{i}”未被申请")));
        }
        if self.valid_from < asked.valid_from || self.valid_to > asked.valid_to {
            problems.push(Problem::new("valid_to", "批准的有效期超出了申请的有效期"));
        }
        if self.daily_quota > asked.daily_quota || self.total_quota > asked.total_quota {
            problems.push(Problem::new(
                "total_quota",
                "批准的访问次数超出了申请的次数",
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }
}

/// A provider's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Approve,
    Reject,
    /// Ask once for more material (all that is missing, at once).
    AskMore,
}

/// The state an answer moves a request to; refuses answers that do not fit.
pub fn answer(
    state: RequestState,
    asked_before: bool,
    a: Answer,
    note: &str,
) -> Result<RequestState> {
    if !matches!(state, RequestState::Pending) {
        return Err(Error::Conflict(format!(
            "申请处于“{}”状态，不能再审核",
            state.label()
        )));
    }
    match a {
        Answer::Approve => Ok(RequestState::Approved),
        Answer::Reject if note.trim().chars().count() < 4 => {
            Err(Error::invalid("note", "驳回须写明理由（至少4个字）"))
        }
        Answer::Reject => Ok(RequestState::Rejected),
        Answer::AskMore if asked_before => Err(Error::Conflict(
            "补充材料只能要求一次，请一次性列明所需材料".into(),
        )),
        Answer::AskMore if note.trim().is_empty() => {
            Err(Error::invalid("note", "请列明需要补充的全部材料"))
        }
        Answer::AskMore => Ok(RequestState::MoreInfo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_left_skip_weekends_and_holidays_and_count_working_weekends() {
        // 2026-09-28 is a Monday; 10-01 to 10-07 are the National Day holidays and
        // 10-10 (a Saturday) is worked instead.
        let cal = Calendar {
            holidays: (1..=7).map(|day| d(2026, 10, day)).collect(),
            working_weekends: vec![d(2026, 10, 10)],
        };
        assert_eq!(cal.working_days_between(d(2026, 9, 28), d(2026, 9, 28)), 0);
        assert_eq!(cal.working_days_between(d(2026, 9, 28), d(2026, 9, 30)), 2);
        assert_eq!(cal.working_days_between(d(2026, 9, 28), d(2026, 10, 9)), 4);
        assert_eq!(cal.working_days_between(d(2026, 9, 28), d(2026, 10, 10)), 5);
        assert_eq!(
            cal.working_days_between(d(2026, 10, 12), d(2026, 10, 8)),
            -3
        );
        let due = cal.add_working_days(d(2026, 9, 28), 10);
        assert_eq!(cal.working_days_between(d(2026, 9, 28), due), 10);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn deadlines_count_working_days_with_the_holiday_calendar() {
        let plain = Calendar::default();
        // Tuesday 1 December 2026 + 10 working days = Tuesday 15 December.
        assert_eq!(plain.add_working_days(d(2026, 12, 1), 10), d(2026, 12, 15));
        // Around the 2026 National Day holiday (1–7 October off, Sunday 27 September
        // and Saturday 10 October worked).
        let cal = Calendar {
            holidays: (1..=7).map(|day| d(2026, 10, day)).collect(),
            working_weekends: vec![d(2026, 9, 27), d(2026, 10, 10)],
        };
        assert!(cal.is_working_day(d(2026, 9, 27)) && !cal.is_working_day(d(2026, 10, 5)));
        // From Friday 25 September: 27, 28, 29, 30 Sep, 8, 9, 10, 12, 13, 14 Oct.
        assert_eq!(cal.add_working_days(d(2026, 9, 25), 10), d(2026, 10, 14));
    }

    fn scope() -> Scope {
        Scope {
            items: vec!["xm".into(), "gmsfhm".into()],
            unmasked: vec!["gmsfhm".into()],
            valid_from: d(2026, 12, 1),
            valid_to: d(2027, 11, 30),
            daily_quota: 1000,
            total_quota: 100_000,
        }
    }

    #[test]
    fn approvals_narrow_but_never_widen() {
        let asked = scope();
        asked.check(d(2026, 12, 1)).unwrap();
        let mut narrower = scope();
        narrower.items.truncate(1);
        narrower.unmasked.clear();
        narrower.daily_quota = 10;
        narrower.check_within(&asked).unwrap();
        let mut wider = scope();
        wider.items.push("lxdh".into());
        wider.total_quota = 200_000;
        let Err(Error::Invalid(p)) = wider.check_within(&asked) else {
            panic!("wider scope accepted")
        };
        assert_eq!(p.len(), 2);
        let mut bad = scope();
        bad.unmasked = vec!["lxdh".into()];
        bad.valid_to = d(2026, 1, 1);
        bad.daily_quota = 0;
        let Err(Error::Invalid(p)) = bad.check(d(2026, 12, 1)) else {
            panic!()
        };
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn answers_follow_the_rules() {
        use RequestState::*;
        assert_eq!(
            answer(Pending, false, Answer::Approve, "").unwrap(),
            Approved
        );
        assert!(
            answer(Pending, false, Answer::Reject, "不").is_err(),
            "a reason is required"
        );
        assert_eq!(
            answer(Pending, false, Answer::Reject, "用途与条件不符").unwrap(),
            Rejected
        );
        assert_eq!(
            answer(Pending, false, Answer::AskMore, "请补充授权书").unwrap(),
            MoreInfo
        );
        assert!(
            answer(Pending, true, Answer::AskMore, "再补充").is_err(),
            "only once"
        );
        assert!(answer(Approved, false, Answer::Reject, "撤回批准").is_err());
        assert!(
            answer(MoreInfo, true, Answer::Approve, "").is_err(),
            "waits for the material"
        );
    }
}
