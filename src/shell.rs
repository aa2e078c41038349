//! The local shell. Placeholder until the shell is written.
