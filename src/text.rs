//! Small text helpers shared by the core: normalising names for matching and finding the
//! closest known name for did-you-mean suggestions.

/// Lowercases, drops apostrophes and emoji, turns other punctuation into spaces and collapses
/// whitespace: "What's expected of a 🛠️ Senior-Engineer?" → "whats expected of a senior engineer".
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’' | '‘') {
            // "what's" → "whats": an apostrophe joins, it does not separate.
        } else {
            pending_space = true;
        }
    }
    out
}

/// The largest edit distance at which `candidate` still counts as a typo of a word this long.
pub fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        6..=10 => 2,
        _ => 3,
    }
}

/// Edit distance with transpositions ("hapiness" → "happiness" is 1, "senoir" → "senior"
/// is 1). Optimal string alignment: the restricted Damerau–Levenshtein distance, which is all a
/// typo needs and much cheaper than the unrestricted one (no per-call alphabet map).
pub fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// Whether `typed` is `known` or a plausible typo of it.
pub fn is_typo_of(typed: &str, known: &str) -> bool {
    typed == known || {
        let len = known.chars().count();
        let budget = typo_budget(len.min(typed.chars().count()));
        budget > 0
            && len.abs_diff(typed.chars().count()) <= budget
            && distance(typed, known) <= budget
    }
}

/// The candidate closest to `query` (compared normalised), if it is close enough to suggest.
pub fn closest<'a>(query: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let query = normalize(query);
    let query_len = query.chars().count();
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let normalized = normalize(candidate);
            let len = normalized.chars().count();
            let budget = typo_budget(len).max(2);
            // The distance is at least the difference in length: a query much longer than
            // the candidate (a whole long question) is never close, and costs nothing here.
            if query_len.abs_diff(len) > budget {
                return None;
            }
            let score = distance(&query, &normalized);
            (score <= budget).then_some((score, candidate))
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_case_punctuation_and_emoji() {
        assert_eq!(
            normalize("What's expected of a 🛠️ Senior-Engineer?"),
            "whats expected of a senior engineer"
        );
        assert_eq!(normalize("  Head of …  "), "head of");
    }

    #[test]
    fn typos_are_recognised_within_budget() {
        assert!(is_typo_of("hapiness", "happiness"));
        assert!(is_typo_of("markting", "marketing"));
        assert!(!is_typo_of("sales", "staff"));
        assert!(!is_typo_of("ops", "opt"));
    }

    #[test]
    fn closest_suggests_only_near_names() {
        let known = ["Scope of influence", "Ownership"];
        assert_eq!(closest("ownershp", known), Some("Ownership"));
        assert_eq!(closest("salary", known), None);
    }
}
