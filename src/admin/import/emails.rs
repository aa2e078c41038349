//! Emails in the `user` and `manager` columns: an HR export names people by work email, and
//! the bot knows them by chat user id.
//!
//! Before the rows are checked, every email in the file is turned into a user id: from the
//! database when the email is stored already (so a nightly sync of the same export asks the
//! chat workspace nothing), else through a [`Directory`] (Slack's `users.lookupByEmail`, see
//! `crate::slack::directory`). An email nobody knows is a [`RowError`] on every line that
//! names it, so the file is refused whole, as any other bad row. Without a directory (no Slack
//! configured) an email that is not stored is such an error too, saying Slack is needed.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;

use super::{OrgRow, RowError};
use crate::ids::UserId;
use crate::store::emails::normalise;

/// Why the directory could not answer (as opposed to "nobody has this email").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LookupError(pub String);

/// What a directory lookup gives back: the person's user id, `None` when nobody has the email.
pub type Lookup<'a> =
    Pin<Box<dyn Future<Output = Result<Option<UserId>, LookupError>> + Send + 'a>>;

/// Where emails are turned into chat user ids (Slack in `serve` and the CLI; a map in tests).
pub trait Directory: Send + Sync {
    /// The user id of the person with `email` (lower-cased), or `None` when there is none.
    fn lookup<'a>(&'a self, email: &'a str) -> Lookup<'a>;
}

/// Whether a cell is written as an email (`name@domain.tld`) rather than a user id.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text.contains(char::is_whitespace)
}

/// The rows with every email replaced by its user id, and the email to store for each person.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Each person's email, lower-cased (from the `user` and `manager` cells, and the `email`
    /// column of an export).
    pub emails: HashMap<UserId, String>,
    /// Emails nobody knows, by line.
    pub errors: Vec<RowError>,
    /// How many emails were asked of the directory.
    pub looked_up: usize,
}

/// Replaces the emails in `rows` by user ids; see the module docs. `stored` maps stored
/// emails (lower-cased) to their people. A directory failure stops the import.
pub async fn resolve(
    rows: &mut [OrgRow],
    stored: &HashMap<String, UserId>,
    directory: Option<&dyn Directory>,
) -> Result<Resolved, LookupError> {
    let mut resolved = Resolved::default();
    // Every distinct email, in file order, looked up once.
    let mut wanted: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for row in rows.iter() {
        for cell in [&row.user, &row.manager] {
            if is_email(cell) && seen.insert(normalise(cell)) {
                wanted.push(normalise(cell));
            }
        }
    }
    let mut known: HashMap<String, Option<UserId>> = HashMap::new();
    for email in wanted {
        let id = match (stored.get(&email), directory) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(directory)) => {
                resolved.looked_up += 1;
                directory.lookup(&email).await?
            }
            (None, None) => None,
        };
        known.insert(email, id);
    }
    for row in rows.iter_mut() {
        let mut problems = Vec::new();
        for (cell, column) in [(&mut row.user, "user"), (&mut row.manager, "manager")] {
            if !is_email(cell) {
                continue;
            }
            let email = normalise(cell);
            match known.get(&email).cloned().flatten() {
                Some(id) => {
                    resolved.emails.insert(id.clone(), email);
                    *cell = id.as_str().to_owned();
                }
                None if directory.is_some() => problems.push(format!(
                    "Slack knows nobody with the email {email} ({column}); check the address, or write the person's Slack user id instead."
                )),
                None => problems.push(format!(
                    "{email} ({column}) is not stored yet, and turning an email into a user id needs Slack: set SLACK_BOT_TOKEN, or write the person's user id instead."
                )),
            }
        }
        if problems.is_empty()
            && !row.email.is_empty()
            && !is_email(&row.user)
            && is_email(&row.email)
        {
            resolved
                .emails
                .insert(UserId::new(row.user.clone()), normalise(&row.email));
        } else if !row.email.is_empty() && !is_email(&row.email) {
            problems.push(format!(
                "\"{}\" is not an email address; write it as name@example.com, or leave email empty.",
                row.email
            ));
        }
        resolved
            .errors
            .extend(problems.into_iter().map(|message| RowError {
                line: row.line,
                message,
            }));
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Map(HashMap<String, UserId>);

    impl Directory for Map {
        fn lookup<'a>(&'a self, email: &'a str) -> Lookup<'a> {
            Box::pin(async move { Ok(self.0.get(email).cloned()) })
        }
    }

    fn row(line: u64, user: &str, manager: &str) -> OrgRow {
        OrgRow {
            line,
            user: user.to_owned(),
            manager: manager.to_owned(),
            ..OrgRow::default()
        }
    }

    #[test]
    fn emails_are_told_from_user_ids() {
        assert!(is_email("ana@example.com"));
        assert!(is_email("Ana.Lopez+hr@sub.example.co"));
        for not in [
            "U012AB",
            "ana",
            "@ana",
            "ana@",
            "ana@localhost",
            "a b@x.com",
            "a@.com",
        ] {
            assert!(!is_email(not), "{not}");
        }
    }

    #[tokio::test]
    async fn stored_emails_are_not_looked_up_and_unknown_ones_name_their_line() {
        let directory = Map(HashMap::from([(
            "boss@example.com".to_owned(),
            UserId::new("U_BOSS"),
        )]));
        let stored = HashMap::from([("ana@example.com".to_owned(), UserId::new("U_ANA"))]);
        let mut rows = vec![
            row(2, "boss@example.com", ""),
            row(3, "Ana@Example.com", "boss@example.com"),
            row(4, "ghost@example.com", "boss@example.com"),
        ];
        let resolved = resolve(&mut rows, &stored, Some(&directory))
            .await
            .expect("the directory answers");
        assert_eq!(
            resolved.looked_up, 2,
            "ana is stored; boss and ghost are asked"
        );
        assert_eq!(rows[0].user, "U_BOSS");
        assert_eq!(
            (rows[1].user.as_str(), rows[1].manager.as_str()),
            ("U_ANA", "U_BOSS")
        );
        assert_eq!(resolved.errors.len(), 1);
        assert_eq!(resolved.errors[0].line, 4);
        assert!(resolved.errors[0].message.contains("ghost@example.com"));
        assert_eq!(
            resolved
                .emails
                .get(&UserId::new("U_ANA"))
                .map(String::as_str),
            Some("ana@example.com")
        );
    }

    #[tokio::test]
    async fn without_a_directory_an_unstored_email_says_slack_is_needed() {
        let mut rows = vec![row(2, "new@example.com", "")];
        let resolved = resolve(&mut rows, &HashMap::new(), None)
            .await
            .expect("nothing to ask");
        assert_eq!(resolved.errors.len(), 1);
        assert!(resolved.errors[0].message.contains("needs Slack"));
    }
}
