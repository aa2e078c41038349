//! The local adapter: a chat with the bot in the terminal, running the same handlers as Slack.
//!
//! Each line is handled as `/career LINE` would be. Lines starting with `:` are directives for
//! the shell itself: `:as USER` (act as that chat user), `:now DATETIME` (fix the clock),
//! `:tick` (run one scheduler pass at the shell's clock and print every message it delivers,
//! each beginning `[DM to USER]`), `:status USER TEXT [EMOJI] [until DATETIME]` and
//! `:dnd USER until DATETIME` (set someone's simulated chat status and do-not-disturb, which
//! the scheduler asks before each DM), plus `:help` and `:quit`. When stdin is a terminal there is
//! a prompt and history; otherwise the shell reads plain lines (blank lines and `#` comments
//! are skipped) so it can be scripted.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::bot::{Bot, Request};
use crate::chat::{Chat, Delivered, LookupError, Recipient, SendError, SentKeys};
use crate::checkins::away::{DndWindow, Presence, ProfileStatus};
use crate::ids::{ChannelId, UserId};
use crate::reply::Reply;

/// How the shell starts.
#[derive(Debug, Clone, Default)]
pub struct ShellOptions {
    /// `--as USER`.
    pub user: Option<String>,
    /// `--now DATETIME`.
    pub now: Option<String>,
    /// Prompt and history (stdin is a terminal).
    pub interactive: bool,
    /// `--echo`: print each input line (as `> LINE`) before its answer, so a piped
    /// transcript reads as a conversation.
    pub echo: bool,
}

/// Why the shell stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    /// A start-up option was invalid.
    #[error("{0}")]
    Option(String),
    /// Reading input or writing output failed.
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    /// The line editor failed.
    #[error("line editor: {0}")]
    Editor(#[from] rustyline::error::ReadlineError),
}

/// The shell's state: who is talking and what time it is.
pub struct Shell<'b> {
    bot: &'b Bot,
    user: UserId,
    clock: Option<DateTime<Utc>>,
    chat: ShellChat,
}

/// The shell's chat: messages the scheduler delivers are kept and printed by `:tick`.
#[derive(Debug, Default)]
pub struct ShellChat {
    delivered: Mutex<Vec<String>>,
    /// The simulated statuses and do-not-disturb windows, by user id.
    presence: Mutex<HashMap<String, Presence>>,
    /// The outbox keys of the DMs printed, by user: what [`Chat::sent_since`] answers from.
    printed: Mutex<HashMap<String, SentKeys>>,
}

impl ShellChat {
    /// The messages delivered since the last call, each as printed.
    pub fn take(&self) -> Vec<String> {
        match self.delivered.lock() {
            Ok(mut delivered) => std::mem::take(&mut *delivered),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    /// Changes `user`'s simulated presence with `change`.
    pub fn set_presence(&self, user: &str, change: impl FnOnce(&mut Presence)) {
        let mut table = match self.presence.lock() {
            Ok(table) => table,
            Err(poisoned) => poisoned.into_inner(),
        };
        change(table.entry(user.to_owned()).or_default());
    }
}

impl Chat for ShellChat {
    async fn send(
        &self,
        recipient: Recipient<'_>,
        reply: &Reply,
        key: &str,
    ) -> Result<Delivered, SendError> {
        self.send_with_keys(recipient, reply, &[key]).await
    }

    async fn send_with_keys(
        &self,
        recipient: Recipient<'_>,
        reply: &Reply,
        keys: &[&str],
    ) -> Result<Delivered, SendError> {
        let (header, channel) = match recipient {
            Recipient::User(user) => (format!("[DM to {user}]"), format!("D-{user}")),
            Recipient::Channel(channel) => (format!("[Post to #{channel}]"), channel.to_owned()),
        };
        let text = format!("{header}\n{}", reply.to_plain_text());
        let mut delivered = match self.delivered.lock() {
            Ok(delivered) => delivered,
            Err(poisoned) => poisoned.into_inner(),
        };
        delivered.push(text);
        let landed = Delivered {
            channel: Some(ChannelId::new(channel)),
            ts: Some(delivered.len().to_string()),
        };
        if let Recipient::User(user) = recipient {
            let mut printed = match self.printed.lock() {
                Ok(printed) => printed,
                Err(poisoned) => poisoned.into_inner(),
            };
            let keys_of_user = printed.entry(user.to_owned()).or_default();
            for key in keys {
                keys_of_user.insert((*key).to_owned(), landed.clone());
            }
        }
        Ok(landed)
    }

    /// Everything printed to `user` in this shell session (the shell's clock is set by hand,
    /// so `since` is not a reliable bound here).
    async fn sent_since(&self, user: &str, _since: DateTime<Utc>) -> Result<SentKeys, LookupError> {
        let printed = match self.printed.lock() {
            Ok(printed) => printed,
            Err(poisoned) => poisoned.into_inner(),
        };
        Ok(printed.get(user).cloned().unwrap_or_default())
    }

    async fn presence(&self, user: &str, _now: DateTime<Utc>) -> Presence {
        let table = match self.presence.lock() {
            Ok(table) => table,
            Err(poisoned) => poisoned.into_inner(),
        };
        table.get(user).cloned().unwrap_or_default()
    }
}

/// What handling one line produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Text to print.
    Print(String),
    /// Nothing to print (a blank line or a comment).
    Nothing,
    /// Leave the shell.
    Quit,
}

/// The user the shell acts as until `:as` says otherwise.
pub const DEFAULT_USER: &str = "U_LOCAL";

impl<'b> Shell<'b> {
    /// A shell acting as `user` (default `U_LOCAL`) with the real clock unless `now` is given.
    pub fn new(bot: &'b Bot, user: Option<String>, now: Option<&str>) -> Result<Self, String> {
        let clock = now.map(parse_datetime).transpose()?;
        let user = match user {
            Some(user) => UserId::parse(user.trim().trim_start_matches('@'))
                .map_err(|problem| format!("--as: {problem}."))?,
            None => UserId::new(DEFAULT_USER),
        };
        Ok(Self {
            bot,
            user,
            clock,
            chat: ShellChat::default(),
        })
    }

    /// The shell's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now)
    }

    /// Handles one input line.
    pub async fn line(&mut self, line: &str) -> Outcome {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Outcome::Nothing;
        }
        if let Some(directive) = line.strip_prefix(':') {
            return self.directive(directive).await;
        }
        let line = line.strip_prefix("/career").map(str::trim).unwrap_or(line);
        if let Ok(crate::bot::command::Command::Stats {
            months,
            png: Some(path),
        }) = crate::bot::command::parse(line)
        {
            return Outcome::Print(self.stats_png(months, &path).await);
        }
        let request = Request {
            user: self.user.clone(),
            text: line.to_owned(),
            now: self.now(),
        };
        Outcome::Print(self.bot.handle(&request).await.to_plain_text())
    }

    async fn directive(&mut self, directive: &str) -> Outcome {
        let (name, argument) = directive
            .split_once(char::is_whitespace)
            .map(|(name, rest)| (name, rest.trim()))
            .unwrap_or((directive, ""));
        match name {
            "as" if !argument.is_empty() => match UserId::parse(argument.trim_start_matches('@')) {
                Ok(user) => {
                    self.user = user;
                    Outcome::Print(format!("Now acting as {}.\n", self.user))
                }
                Err(problem) => Outcome::Print(format!(
                    "`:as` takes one user, e.g. `:as ana`: {problem}. Still acting as {}.\n",
                    self.user
                )),
            },
            "as" => Outcome::Print(format!(
                "Acting as {}. Use `:as USER` to act as someone else.\n",
                self.user
            )),
            "now" if !argument.is_empty() => match parse_datetime(argument) {
                Ok(now) => {
                    self.clock = Some(now);
                    Outcome::Print(format!("Clock set to {}.\n", now.to_rfc3339()))
                }
                Err(message) => Outcome::Print(format!("{message}\n")),
            },
            "now" => Outcome::Print(format!("It is {}.\n", self.now().to_rfc3339())),
            "tick" => self.tick().await,
            "status" => Outcome::Print(self.status(argument)),
            "dnd" => Outcome::Print(self.dnd(argument)),
            "help" => Outcome::Print(DIRECTIVES_HELP.to_owned()),
            "quit" | "q" | "exit" => Outcome::Quit,
            other => Outcome::Print(format!("Unknown directive `:{other}`.\n{DIRECTIVES_HELP}")),
        }
    }
}

impl Shell<'_> {
    /// `stats --png FILE`: the table, and the chart written to FILE, readable only by its
    /// owner (like exports). The same handler as `stats` in Slack, which posts the chart.
    async fn stats_png(&self, months: u32, path: &str) -> String {
        let view =
            match crate::bot::handlers::stats::view(self.bot, &self.user, months, self.now(), true)
                .await
            {
                Ok(view) => view,
                Err(error) => {
                    return crate::bot::handlers::unlogged_error_reply(&error).to_plain_text();
                }
            };
        let mut out = view.reply.to_plain_text();
        let Some(png) = view.png else {
            out.push_str("No conversations were recorded in this time, so no chart was written.\n");
            return out;
        };
        let written = crate::cli::private_file(std::path::Path::new(path))
            .and_then(|mut file| file.write_all(&png));
        match written {
            Ok(()) => out.push_str(&format!(
                "Chart written to {path} ({}×{} PNG).\n",
                crate::checkins::chart::WIDTH,
                crate::checkins::chart::HEIGHT
            )),
            Err(error) => out.push_str(&format!(
                "I could not write the chart to {path} ({error}); choose a file in a folder you can write to.\n"
            )),
        }
        out
    }
}

/// What `:tick` says on a read-only database.
const TICK_READ_ONLY: &str =
    "No reminder pass was run and nothing was sent: this database is read-only.";

const DIRECTIVES_HELP: &str = "Shell directives:\n  :as USER        act as that chat user (people are written @USER in commands)\n  :now DATETIME   set the clock (RFC 3339, e.g. 2026-03-02T09:00:00Z, or a date)\n  :tick           run one reminder pass at the shell's clock and print what it sends\n  :status USER TEXT [EMOJI] [until DATETIME]\n                  set USER's chat status (`:status USER` clears it)\n  :dnd USER until DATETIME\n                  put USER in do-not-disturb from now until then (`:dnd USER off` ends it)\n  :help           this list\n  :quit           leave (or Ctrl-D)\nAnything else is handled as `/career LINE`; try `help`.\n";

impl Shell<'_> {
    /// `:tick`: one scheduler pass; prints each delivered message, then a summary. A pass
    /// writes (it plans and settles outbox rows), so on a read-only database it is not run.
    async fn tick(&mut self) -> Outcome {
        let now = self.now();
        if self.bot.store().is_read_only() {
            return Outcome::Print(format!("{TICK_READ_ONLY}\n"));
        }
        match crate::scheduler::tick(self.bot, &self.chat, now).await {
            Ok(report) => {
                let mut out = String::new();
                for message in self.chat.take() {
                    out.push_str(&message);
                    out.push('\n');
                }
                let deferred = if report.deferred.is_empty() {
                    String::new()
                } else {
                    format!(", {} deferred", report.deferred.len())
                };
                out.push_str(&format!(
                    "(scheduler pass at {}: {} planned, {} sent, {} to retry, {} failed{deferred})\n",
                    now.to_rfc3339(),
                    report.planned,
                    report.sent,
                    report.retried,
                    report.failed
                ));
                for held in &report.deferred {
                    out.push_str(&format!(
                        "  {} for {}: {}\n",
                        held.key, held.recipient, held.reason
                    ));
                }
                Outcome::Print(out)
            }
            Err(crate::store::StoreError::ReadOnly) => {
                Outcome::Print(format!("{TICK_READ_ONLY}\n"))
            }
            Err(error) => {
                tracing::error!(%error, "scheduler pass failed");
                Outcome::Print(format!("{}\n", crate::bot::error::INTERNAL_ERROR_REPLY))
            }
        }
    }
}

impl Shell<'_> {
    /// `:status USER TEXT [EMOJI] [until DATETIME]`: sets (or, with nothing after USER,
    /// clears) USER's simulated status.
    fn status(&self, argument: &str) -> String {
        const USAGE: &str = "write `:status USER TEXT [EMOJI] [until DATETIME]`, e.g. `:status ana On holiday :palm_tree: until 2026-05-06T18:00:00Z`, or `:status ana` to clear it";
        let (user, rest) = split_user(argument);
        let user = match UserId::parse(user.trim_start_matches('@')) {
            Ok(user) => user,
            Err(problem) => return format!("`:status` needs a user first ({problem}); {USAGE}.\n"),
        };
        if rest.is_empty() {
            self.chat
                .set_presence(user.as_str(), |presence| presence.status = None);
            return format!("{user}'s status is cleared.\n");
        }
        let (rest, expires) = match split_until(rest) {
            Ok(parts) => parts,
            Err(message) => return format!("{message}; {USAGE}.\n"),
        };
        let (text, emoji) = match rest.rsplit_once(char::is_whitespace) {
            Some((text, last)) if is_emoji(last) => (text.trim(), last),
            _ if is_emoji(rest) => ("", rest),
            _ => (rest, ""),
        };
        let status = ProfileStatus {
            text: text.to_owned(),
            emoji: emoji.to_owned(),
            expires,
        };
        let until = expires
            .map(|at| format!(" until {}", at.to_rfc3339()))
            .unwrap_or_default();
        let shown = [emoji, text]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        self.chat
            .set_presence(user.as_str(), |presence| presence.status = Some(status));
        format!("{user}'s status is now \"{shown}\"{until}.\n")
    }

    /// `:dnd USER until DATETIME`: do-not-disturb from the shell's clock until then; `:dnd
    /// USER off` ends it.
    fn dnd(&self, argument: &str) -> String {
        const USAGE: &str = "write `:dnd USER until DATETIME`, e.g. `:dnd ana until 2026-05-04T11:00:00Z`, or `:dnd ana off`";
        let (user, rest) = split_user(argument);
        let user = match UserId::parse(user.trim_start_matches('@')) {
            Ok(user) => user,
            Err(problem) => return format!("`:dnd` needs a user first ({problem}); {USAGE}.\n"),
        };
        if rest.eq_ignore_ascii_case("off") {
            self.chat
                .set_presence(user.as_str(), |presence| presence.dnd = None);
            return format!("{user} is no longer in do-not-disturb.\n");
        }
        let end = match split_until(rest) {
            Ok(("", Some(end))) => end,
            Ok(_) => return format!("`:dnd` takes `until DATETIME` after the user; {USAGE}.\n"),
            Err(message) => return format!("{message}; {USAGE}.\n"),
        };
        let start = self.now();
        if end <= start {
            return format!(
                "{} is not after the shell's clock ({}); {USAGE}.\n",
                end.to_rfc3339(),
                start.to_rfc3339()
            );
        }
        self.chat.set_presence(user.as_str(), |presence| {
            presence.dnd = Some(DndWindow { start, end });
        });
        format!("{user} is in do-not-disturb until {}.\n", end.to_rfc3339())
    }
}

/// The first word and the rest, trimmed.
fn split_user(argument: &str) -> (&str, &str) {
    argument
        .split_once(char::is_whitespace)
        .map(|(user, rest)| (user, rest.trim()))
        .unwrap_or((argument, ""))
}

/// `TEXT until DATETIME` as the text and the time; the text alone when there is no `until`.
fn split_until(text: &str) -> Result<(&str, Option<DateTime<Utc>>), String> {
    let lower = text.to_ascii_lowercase();
    let at = if lower.starts_with("until ") {
        Some(0)
    } else {
        lower.rfind(" until ").map(|at| at + 1)
    };
    let Some(at) = at else {
        return Ok((text, None));
    };
    let when = parse_datetime(&text[at + "until ".len()..])?;
    Ok((text[..at].trim(), Some(when)))
}

/// Whether `word` is written as an emoji (`:palm_tree:`).
fn is_emoji(word: &str) -> bool {
    word.len() > 2 && word.starts_with(':') && word.ends_with(':') && !word.contains(' ')
}

/// Reads an RFC 3339 time ("2026-03-02T09:00:00+01:00"), a naive date-time (taken as UTC) or
/// a date (midnight UTC).
pub fn parse_datetime(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(time.and_utc());
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    Err(format!(
        "\"{text}\" is not a date or time; write RFC 3339 (2026-03-02T09:00:00Z) or a date (2026-03-02)"
    ))
}

/// Runs the shell on stdin and stdout until end of input or `:quit`.
pub async fn run(bot: &Bot, options: ShellOptions) -> Result<(), ShellError> {
    let mut shell =
        Shell::new(bot, options.user, options.now.as_deref()).map_err(ShellError::Option)?;
    if options.interactive {
        run_interactive(&mut shell).await
    } else {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let written = run_script(&mut shell, stdin.lock(), stdout.lock(), options.echo).await;
        match written {
            // The reader went away (`career-bot shell | head`): nothing is left to say to it.
            Err(ShellError::Io(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

/// Reads lines from `input` and writes every answer to `output`, each followed by a blank line.
/// With `echo`, each line that gets an answer is first written as `> LINE`.
pub async fn run_script(
    shell: &mut Shell<'_>,
    input: impl BufRead,
    mut output: impl Write,
    echo: bool,
) -> Result<(), ShellError> {
    for line in input.lines() {
        let line = line?;
        let outcome = shell.line(&line).await;
        if echo && matches!(outcome, Outcome::Print(_)) {
            writeln!(output, "> {}", line.trim())?;
        }
        match outcome {
            Outcome::Print(text) => {
                output.write_all(text.as_bytes())?;
                if !text.ends_with('\n') {
                    output.write_all(b"\n")?;
                }
                output.write_all(b"\n")?;
                output.flush()?;
            }
            Outcome::Nothing => {}
            Outcome::Quit => break,
        }
    }
    Ok(())
}

async fn run_interactive(shell: &mut Shell<'_>) -> Result<(), ShellError> {
    let mut editor = rustyline::DefaultEditor::new()?;
    let history = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .map(|home| home.join(".career-bot_history"));
    if let Some(path) = &history {
        // No history yet is normal on first use.
        let _ = editor.load_history(path);
    }
    println!(
        "career-bot shell, acting as {}. Ask a question, or type `help` or `:help`. Ctrl-D to leave.",
        shell.user
    );
    loop {
        match editor.readline("career> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                match shell.line(&line).await {
                    Outcome::Print(text) => println!("{}", text.trim_end()),
                    Outcome::Nothing => {}
                    Outcome::Quit => break,
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    Ok(())
}
