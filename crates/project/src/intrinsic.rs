//! CloudFormation intrinsic functions, read from the one (long-form) representation that
//! `config.rs` produces for both `!Ref X` and `{Ref: X}`.

use indexmap::IndexMap;

use crate::config::Node;

/// An intrinsic function call found in a template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Intrinsic<'a> {
    /// `Ref: X`: a parameter, resource or pseudo parameter.
    Ref(&'a str),
    /// `Fn::GetAtt: [X, Attr]` or `X.Attr` (the attribute may itself contain dots).
    GetAtt {
        logical_id: &'a str,
        attribute: &'a str,
    },
    /// `Fn::Sub: template` or `Fn::Sub: [template, {var: value}]`.
    Sub {
        template: &'a Node,
        vars: Option<&'a IndexMap<String, Node>>,
    },
    /// `Fn::Join: [delimiter, [items]]`.
    Join { delimiter: &'a str, items: &'a Node },
    /// `Fn::Select: [index, list]`.
    Select { index: &'a Node, list: &'a Node },
    /// `Fn::Split: [delimiter, source]`.
    Split {
        delimiter: &'a str,
        source: &'a Node,
    },
    /// `Fn::ImportValue: name`.
    ImportValue(&'a Node),
    /// `Fn::FindInMap: [map, top key, second key]`.
    FindInMap([&'a Node; 3]),
    /// `Fn::If: [condition, then, else]`.
    If {
        condition: &'a str,
        then: &'a Node,
        otherwise: &'a Node,
    },
    /// A function leastrole does not evaluate (`Fn::Base64`, `Fn::GetAZs`, `Fn::Cidr`…).
    Other { function: &'a str },
    /// A known function with arguments of the wrong shape.
    Malformed { function: &'a str, reason: String },
}

impl<'a> Intrinsic<'a> {
    /// The intrinsic `node` is, if it is one: a mapping with a single `Ref`, `Condition`
    /// or `Fn::*` key.
    pub(crate) fn parse(node: &'a Node) -> Option<Intrinsic<'a>> {
        let Node::Map(m) = node else {
            return None;
        };
        if m.len() != 1 {
            return None;
        }
        let (key, args) = m.first()?;
        let function = key.as_str();
        if function != "Ref" && function != "Condition" && !function.starts_with("Fn::") {
            return None;
        }
        let malformed = |reason: &str| Intrinsic::Malformed {
            function,
            reason: reason.to_string(),
        };
        let items = match args {
            Node::Seq(items) => Some(items.as_slice()),
            _ => None,
        };
        Some(match function {
            "Ref" => match args.as_str() {
                Some(name) => Intrinsic::Ref(name),
                None => malformed("expects a logical id"),
            },
            "Fn::GetAtt" => match (args, items) {
                (Node::String(s), _) => match s.split_once('.') {
                    Some((logical_id, attribute)) => Intrinsic::GetAtt {
                        logical_id,
                        attribute,
                    },
                    None => malformed("expects `LogicalId.Attribute`"),
                },
                (_, Some([Node::String(logical_id), Node::String(attribute)])) => {
                    Intrinsic::GetAtt {
                        logical_id,
                        attribute,
                    }
                }
                _ => malformed("expects `[LogicalId, Attribute]` with literal names"),
            },
            "Fn::Sub" => match (args, items) {
                (Node::String(_), _) => Intrinsic::Sub {
                    template: args,
                    vars: None,
                },
                (_, Some([template, Node::Map(vars)])) => Intrinsic::Sub {
                    template,
                    vars: Some(vars),
                },
                (_, Some([template])) => Intrinsic::Sub {
                    template,
                    vars: None,
                },
                _ => malformed("expects a template string or `[template, {variables}]`"),
            },
            "Fn::Join" => match items {
                Some([Node::String(delimiter), list]) => Intrinsic::Join {
                    delimiter,
                    items: list,
                },
                _ => malformed("expects `[delimiter, [values]]`"),
            },
            "Fn::Select" => match items {
                Some([index, list]) => Intrinsic::Select { index, list },
                _ => malformed("expects `[index, list]`"),
            },
            "Fn::Split" => match items {
                Some([Node::String(delimiter), source]) => Intrinsic::Split { delimiter, source },
                _ => malformed("expects `[delimiter, string]`"),
            },
            "Fn::ImportValue" => Intrinsic::ImportValue(args),
            "Fn::FindInMap" => match items {
                Some([a, b, c]) => Intrinsic::FindInMap([a, b, c]),
                Some([a, b, c, _default]) => Intrinsic::FindInMap([a, b, c]),
                _ => malformed("expects `[map, top-level key, second-level key]`"),
            },
            "Fn::If" => match items {
                Some([Node::String(condition), then, otherwise]) => Intrinsic::If {
                    condition,
                    then,
                    otherwise,
                },
                _ => malformed("expects `[condition, value if true, value if false]`"),
            },
            _ => Intrinsic::Other { function },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;

    /// Parse `a:` of the YAML text and return its intrinsic's Debug text.
    fn both(short: &str, long: &str) -> String {
        let s = parse_yaml(&format!("a: {short}\n")).unwrap();
        let l = parse_yaml(&format!("a:\n  {long}\n")).unwrap();
        let si = Intrinsic::parse(s.get("a").unwrap());
        let li = Intrinsic::parse(l.get("a").unwrap());
        assert_eq!(si, li, "short `{short}` and long `{long}` differ");
        format!("{:?}", si.unwrap())
    }

    #[test]
    fn ref_short_and_long() {
        assert_eq!(both("!Ref Orders", "Ref: Orders"), "Ref(\"Orders\")");
    }

    #[test]
    fn getatt_dotted_and_list_forms() {
        let want = "GetAtt { logical_id: \"Orders\", attribute: \"Arn\" }";
        assert_eq!(both("!GetAtt Orders.Arn", "Fn::GetAtt: Orders.Arn"), want);
        assert_eq!(
            both("!GetAtt [Orders, Arn]", "Fn::GetAtt: [Orders, Arn]"),
            want
        );
        assert!(
            both(
                "!GetAtt Db.Endpoint.Address",
                "Fn::GetAtt: [Db, Endpoint.Address]"
            )
            .contains("Endpoint.Address")
        );
    }

    #[test]
    fn sub_both_forms() {
        assert!(both("!Sub 'x-${AWS::Region}'", "Fn::Sub: 'x-${AWS::Region}'").starts_with("Sub"));
        let d = both(
            "!Sub ['${T}-x', {T: !Ref Orders}]",
            "Fn::Sub: ['${T}-x', {T: {Ref: Orders}}]",
        );
        assert!(d.contains("vars: Some"), "{d}");
    }

    #[test]
    fn join_select_split_import_if_findinmap() {
        assert!(
            both("!Join ['', [a, !Ref B]]", "Fn::Join: ['', [a, {Ref: B}]]").starts_with("Join")
        );
        assert!(both("!Select [0, [a, b]]", "Fn::Select: [0, [a, b]]").starts_with("Select"));
        assert!(both("!Split ['/', a/b]", "Fn::Split: ['/', a/b]").starts_with("Split"));
        assert!(both("!ImportValue Shared", "Fn::ImportValue: Shared").starts_with("ImportValue"));
        assert!(both("!If [IsProd, a, b]", "Fn::If: [IsProd, a, b]").starts_with("If"));
        assert!(both("!FindInMap [M, k, v]", "Fn::FindInMap: [M, k, v]").starts_with("FindInMap"));
        assert_eq!(
            both("!Base64 abc", "Fn::Base64: abc"),
            "Other { function: \"Fn::Base64\" }"
        );
        assert_eq!(
            both("!GetAZs ''", "Fn::GetAZs: ''"),
            "Other { function: \"Fn::GetAZs\" }"
        );
    }

    #[test]
    fn malformed_arguments_are_named() {
        let n = parse_yaml("a: !Join [x]\nb: !GetAtt NoDot\nc: {Ref: X, Other: 1}\n").unwrap();
        assert!(matches!(
            Intrinsic::parse(n.get("a").unwrap()),
            Some(Intrinsic::Malformed { .. })
        ));
        assert!(matches!(
            Intrinsic::parse(n.get("b").unwrap()),
            Some(Intrinsic::Malformed { .. })
        ));
        assert_eq!(Intrinsic::parse(n.get("c").unwrap()), None);
    }
}
