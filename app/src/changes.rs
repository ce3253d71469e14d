//! What a write changed, said once by the operation that made it, so that one place decides
//! what follows (see [`follow`]): other processes are told; reminders (`reminders::schedule`)
//! and pushes to Google (`google::push::schedule`) are scheduled in the same transaction.

use crate::db::notify::Notice;

/// The kind of record a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Event,
    Task,
    Expense,
}

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Created,
    Updated,
    Deleted,
}

/// One record changed by a write, for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub user_id: i64,
    pub kind: Kind,
    pub id: i64,
    pub op: Op,
}

impl Change {
    pub fn new(user_id: i64, kind: Kind, id: i64, op: Op) -> Self {
        Self {
            user_id,
            kind,
            id,
            op,
        }
    }
}

/// What a transaction's changes cause, decided in one place: every user whose events, tasks
/// or expenses changed is named once, so every process drops what it built from them.
pub fn follow(changes: &[Change]) -> Vec<Notice> {
    let mut users: Vec<i64> = changes.iter().map(|c| c.user_id).collect();
    users.sort_unstable();
    users.dedup();
    users.into_iter().map(Notice::UserData).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_changed_user_is_named_once() {
        let changes = [
            Change::new(3, Kind::Event, 1, Op::Created),
            Change::new(2, Kind::Task, 9, Op::Deleted),
            Change::new(3, Kind::Expense, 4, Op::Updated),
        ];
        assert_eq!(
            follow(&changes),
            vec![Notice::UserData(2), Notice::UserData(3)]
        );
        assert!(follow(&[]).is_empty());
    }
}
