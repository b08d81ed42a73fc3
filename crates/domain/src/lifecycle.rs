//! The lifecycle of a catalog entry: draft → submitted (registration review) →
//! registered → published → withdrawn, with "returned for changes" from either review.

use crate::error::{Error, Result};
use crate::labels::coded_enum;

coded_enum! {
    /// Where an entry stands in its lifecycle.
    State {
        Draft = ("draft", "草稿"),
        Returned = ("returned", "退回修改"),
        Submitted = ("submitted", "待登记审核"),
        Registered = ("registered", "已登记"),
        Published = ("published", "已发布"),
        Withdrawn = ("withdrawn", "已下架"),
    }
}

coded_enum! {
    /// What someone does to an entry.
    Action {
        Submit = ("submit", "提交审核"),
        Return = ("return", "退回修改"),
        Register = ("register", "登记"),
        Publish = ("publish", "发布"),
        Withdraw = ("withdraw", "下架"),
    }
}

impl State {
    /// May the content of the entry be edited by its own organisation in this state?
    pub fn is_editable(self) -> bool {
        matches!(self, State::Draft | State::Returned)
    }

    /// Is the entry in the published catalog that others can see?
    pub fn is_published(self) -> bool {
        self == State::Published
    }
}

impl Action {
    /// Does this action need a reason (说明)?
    pub fn needs_reason(self) -> bool {
        matches!(self, Action::Return | Action::Withdraw)
    }

    /// Is this a review step that only the bureau takes?
    pub fn is_review(self) -> bool {
        matches!(self, Action::Return | Action::Register | Action::Publish)
    }
}

/// The state an action leads to, or why it cannot be taken now.
pub fn next_state(from: State, action: Action) -> Result<State> {
    use Action::*;
    use State::*;
    let to = match (from, action) {
        (Draft | Returned, Submit) => Submitted,
        (Submitted | Registered, Return) => Returned,
        (Submitted, Register) => Registered,
        (Registered | Withdrawn, Publish) => Published,
        (Published, Withdraw) => Withdrawn,
        _ => {
            return Err(Error::IllegalTransition {
                action: action.label().to_string(),
                from: from.label().to_string(),
            });
        }
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_the_detours() {
        let mut s = State::Draft;
        for a in [
            Action::Submit,
            Action::Return,
            Action::Submit,
            Action::Register,
            Action::Publish,
            Action::Withdraw,
            Action::Publish,
        ] {
            s = next_state(s, a).unwrap();
        }
        assert_eq!(s, State::Published);
    }

    #[test]
    fn illegal_steps_are_refused_with_chinese_reason() {
        let err = next_state(State::Draft, Action::Publish).unwrap_err();
        assert!(err.to_string().contains("草稿"), "{err}");
        assert!(next_state(State::Published, Action::Submit).is_err());
        assert!(next_state(State::Withdrawn, Action::Register).is_err());
    }
}
