//! What invokes a function, from the configuration: the event sources wired to it
//! (`AWS::Lambda::EventSourceMapping`, Serverless `stream`/`sqs` events) and what kind
//! each is. `check` reads them as framework facts (the reads a poller needs are the
//! framework's, never `unused`); what each trigger carries into the handler's event will
//! grow here.

use crate::ValuePart;
use crate::cfn::Eval;
use crate::config::Node;
use crate::declared::EventSource;

/// The kind of event source an ARN is (`sqs`, `kinesis`, `dynamodb-stream`, `kafka`, `mq`).
pub(crate) fn source_kind(arn: &[ValuePart]) -> Option<&'static str> {
    for p in arn {
        match p {
            ValuePart::Ref {
                resource_type: Some(t),
                attribute,
                ..
            } => {
                return match t.as_str() {
                    "AWS::SQS::Queue" => Some("sqs"),
                    "AWS::Kinesis::Stream" => Some("kinesis"),
                    "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"
                        if attribute.as_deref() == Some("StreamArn") =>
                    {
                        Some("dynamodb-stream")
                    }
                    "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => Some("kafka"),
                    "AWS::AmazonMQ::Broker" => Some("mq"),
                    _ => None,
                };
            }
            ValuePart::Lit(s) => {
                for (service, kind) in [
                    (":sqs:", "sqs"),
                    (":kinesis:", "kinesis"),
                    (":dynamodb:", "dynamodb-stream"),
                    (":kafka:", "kafka"),
                    (":mq:", "mq"),
                ] {
                    if s.contains(service) {
                        return Some(kind);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The event sources `AWS::Lambda::EventSourceMapping`s of the template wire to the
/// function `function_id`.
pub(crate) fn event_source_mappings(eval: &Eval<'_>, function_id: &str) -> Vec<EventSource> {
    let mut out = Vec::new();
    for r in eval.template.resources.values() {
        if r.get("Type").and_then(Node::as_str) != Some("AWS::Lambda::EventSourceMapping") {
            continue;
        }
        let targets = r.at(&["Properties", "FunctionName"]).is_some_and(|n| {
            matches!(eval.value(n, 0).as_slice(),
                [ValuePart::Ref { logical_id, .. }] if logical_id == function_id)
        });
        if !targets {
            continue;
        }
        match r.at(&["Properties", "EventSourceArn"]) {
            Some(arn) => {
                let arn = eval.value(arn, 0);
                let kind = source_kind(&arn).unwrap_or("unknown");
                out.push(EventSource {
                    kind: kind.to_string(),
                    arn,
                });
            }
            None if r.at(&["Properties", "SelfManagedEventSource"]).is_some() => {
                out.push(EventSource {
                    kind: "kafka".to_string(),
                    arn: vec![ValuePart::Unknown("self-managed Kafka brokers".into())],
                });
            }
            None => {}
        }
    }
    out
}
