//! Parameter paths as the tables write them: `Bucket`, `Content.Template.TemplateName`,
//! `TransactItems[].Put.TableName` (every list element), `RequestItems{}` (every map key).

/// One step of a parameter path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    /// A member of an object.
    Member(&'a str),
    /// Every element of a list.
    Each,
    /// Every key of a map (the keys themselves are the values).
    Keys,
}

/// Split a path into steps. Returns `None` for a malformed path (empty member, stray
/// brackets), which table validation reports.
pub fn parse(path: &str) -> Option<Vec<Step<'_>>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let mut member = part;
        let mut suffix = Vec::new();
        loop {
            if let Some(rest) = member.strip_suffix("[]") {
                suffix.push(Step::Each);
                member = rest;
            } else if let Some(rest) = member.strip_suffix("{}") {
                suffix.push(Step::Keys);
                member = rest;
            } else {
                break;
            }
        }
        if member.is_empty()
            || !member
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return None;
        }
        steps.push(Step::Member(member));
        steps.extend(suffix.into_iter().rev());
    }
    Some(steps)
}

/// The first member of a path: the top-level request parameter it reads.
pub fn root(path: &str) -> &str {
    path.split(['.', '[', '{']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_members_lists_and_keys() {
        assert_eq!(parse("Bucket"), Some(vec![Step::Member("Bucket")]));
        assert_eq!(
            parse("TransactItems[].Put.TableName"),
            Some(vec![
                Step::Member("TransactItems"),
                Step::Each,
                Step::Member("Put"),
                Step::Member("TableName")
            ])
        );
        assert_eq!(
            parse("RequestItems{}"),
            Some(vec![Step::Member("RequestItems"), Step::Keys])
        );
    }

    #[test]
    fn rejects_malformed_paths() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("a..b"), None);
        assert_eq!(parse("[]"), None);
        assert_eq!(parse("a b"), None);
    }

    #[test]
    fn root_is_the_first_member() {
        assert_eq!(root("TransactItems[].Put.TableName"), "TransactItems");
        assert_eq!(root("RequestItems{}"), "RequestItems");
        assert_eq!(root("Bucket"), "Bucket");
    }
}
