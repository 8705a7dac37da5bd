//! String-literal escape sequences, for both front-ends: one decoder, with the two
//! places where Python and JavaScript differ named.

/// The language whose escape rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Python `str` literals: an unknown escape keeps its backslash (`"\d"` is `\d`);
    /// `\a`, `\UXXXXXXXX` and octal escapes exist.
    Python,
    /// JavaScript string and template literals: an unknown escape drops the backslash
    /// (`"\d"` is `d`); `\u{…}` exists.
    JavaScript,
}

/// Decode the body of a (non-raw) string literal, the quotes already removed. A malformed
/// escape (`\x` without two hex digits, a code point that is no character) is kept as
/// written: the value is then merely unusual, never lost.
pub(crate) fn unescape(body: &str, dialect: Dialect) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some((before, after)) = rest.split_once('\\') {
        out.push_str(before);
        let mut chars = after.chars();
        let Some(c) = chars.next() else {
            // A trailing backslash (only in broken code): keep it.
            out.push('\\');
            rest = "";
            break;
        };
        rest = chars.as_str();
        match c {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'a' if dialect == Dialect::Python => out.push('\u{7}'),
            '\\' | '\'' | '"' => out.push(c),
            // Line continuation.
            '\n' => {}
            '\r' => rest = rest.strip_prefix('\n').unwrap_or(rest),
            'x' => rest = code_point(rest, 2, 'x', &mut out),
            'u' if dialect == Dialect::JavaScript && rest.starts_with('{') => {
                rest = braced_code_point(rest, &mut out);
            }
            'u' => rest = code_point(rest, 4, 'u', &mut out),
            'U' if dialect == Dialect::Python => rest = code_point(rest, 8, 'U', &mut out),
            '0'..='7' if dialect == Dialect::Python => rest = octal(c, rest, &mut out),
            '0' => out.push('\0'),
            other => {
                if dialect == Dialect::Python {
                    out.push('\\');
                }
                out.push(other);
            }
        }
    }
    out.push_str(rest);
    out
}

/// `\xHH`, `\uHHHH`, `\UHHHHHHHH`: exactly `digits` hex digits after the letter.
fn code_point<'a>(rest: &'a str, digits: usize, letter: char, out: &mut String) -> &'a str {
    let decoded = rest
        .get(..digits)
        .filter(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()))
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .and_then(char::from_u32);
    match decoded {
        Some(c) => {
            out.push(c);
            rest.get(digits..).unwrap_or("")
        }
        None => {
            out.push('\\');
            out.push(letter);
            rest
        }
    }
}

/// JavaScript `\u{H…}`, `rest` starting at the brace.
fn braced_code_point<'a>(rest: &'a str, out: &mut String) -> &'a str {
    let decoded = rest
        .strip_prefix('{')
        .and_then(|r| r.split_once('}'))
        .and_then(|(hex, after)| {
            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
            Some((c, after))
        });
    match decoded {
        Some((c, after)) => {
            out.push(c);
            after
        }
        None => {
            out.push_str("\\u");
            rest
        }
    }
}

/// Python `\o`, `\oo`, `\ooo` (the first digit already read).
fn octal<'a>(first: char, rest: &'a str, out: &mut String) -> &'a str {
    let more = rest
        .chars()
        .take(2)
        .take_while(|c| ('0'..='7').contains(c))
        .count();
    let digits: String = std::iter::once(first)
        .chain(rest.chars().take(more))
        .collect();
    match u32::from_str_radix(&digits, 8)
        .ok()
        .and_then(char::from_u32)
    {
        Some(c) => out.push(c),
        None => {
            out.push('\\');
            out.push_str(&digits);
        }
    }
    rest.get(more..).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::Dialect::{JavaScript, Python};
    use super::unescape;

    #[test]
    fn common_escapes() {
        for dialect in [Python, JavaScript] {
            assert_eq!(unescape(r"a\nb\tc\\d", dialect), "a\nb\tc\\d");
            assert_eq!(unescape(r#"\'\""#, dialect), "'\"");
            assert_eq!(unescape(r"\x41\u00e9", dialect), "Aé");
            assert_eq!(unescape("line\\\ncontinued", dialect), "linecontinued");
            assert_eq!(unescape("plain", dialect), "plain");
        }
    }

    #[test]
    fn where_the_languages_differ() {
        assert_eq!(unescape(r"\d+", Python), r"\d+");
        assert_eq!(unescape(r"\d+", JavaScript), "d+");
        assert_eq!(unescape(r"\U0001F600", Python), "\u{1F600}");
        assert_eq!(unescape(r"\u{1F600}", JavaScript), "\u{1F600}");
        assert_eq!(unescape(r"\101\0", Python), "A\0");
        assert_eq!(unescape(r"\0", JavaScript), "\0");
        assert_eq!(unescape(r"\a", Python), "\u{7}");
        assert_eq!(unescape(r"\a", JavaScript), "a");
    }

    #[test]
    fn malformed_escapes_are_kept_as_written() {
        assert_eq!(unescape(r"\xZZ", Python), r"\xZZ");
        assert_eq!(unescape(r"\u12", JavaScript), r"\u12");
        assert_eq!(unescape(r"\u{110000}", JavaScript), r"\u{110000}");
        assert_eq!(unescape(r"\uD800", JavaScript), r"\uD800");
        assert_eq!(unescape("end\\", Python), "end\\");
        assert_eq!(unescape("é\\x", JavaScript), "é\\x");
    }
}
