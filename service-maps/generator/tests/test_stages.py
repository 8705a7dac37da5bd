"""Unit tests of the generator's pure stages on small inline inputs (no pinned package needed).

Run from service-maps/generator: python3 -m unittest discover -s tests -t .
"""

import os
import tempfile
import unittest

import generate
from tests.fakes import FakeServiceReference, dies, make_iam, s3_model


class JmespathToPaths(unittest.TestCase):
    def test_the_forms_botocore_uses_become_table_paths(self):
        self.assertEqual(generate.jmespath_to_paths("keys(RequestItems)"), ["RequestItems{}"])
        self.assertEqual(generate.jmespath_to_paths("Delete.Objects[*].Key"), [])
        self.assertEqual(generate.jmespath_to_paths("Objects[*].Key"), ["Objects[].Key"])
        self.assertEqual(generate.jmespath_to_paths("Entries[*].[Source, Target][]"),
                         ["Entries[].Source", "Entries[].Target"])
        self.assertEqual(generate.jmespath_to_paths("Bucket"), ["Bucket"])
        self.assertEqual(generate.jmespath_to_paths("Config.Name"), ["Config.Name"])

    def test_other_expressions_give_no_path_rather_than_a_wrong_one(self):
        self.assertEqual(generate.jmespath_to_paths("length(Items)"), [])
        self.assertEqual(generate.jmespath_to_paths("Items[?x]"), [])


class Dump(unittest.TestCase):
    def test_output_is_the_same_whatever_the_insertion_order(self):
        a = generate.dump({"b": 1, "a": {"y": [2, 1], "x": "é"}})
        b = generate.dump({"a": {"x": "é", "y": [2, 1]}, "b": 1})
        self.assertEqual(a, b)
        self.assertEqual(a, '{\n "a": {\n  "x": "é",\n  "y": [\n   2,\n   1\n  ]\n },\n "b": 1\n}\n')


class ModelPaths(unittest.TestCase):
    def test_paths_follow_members_lists_and_map_keys(self):
        m = s3_model()
        self.assertTrue(m.path_ok("GetObject", "Bucket"))
        self.assertTrue(m.path_ok("GetObject", "Names[]"))
        self.assertTrue(m.path_ok("PutObject", "Tagging{}"))
        self.assertFalse(m.path_ok("GetObject", "Bucket[]"), "a string is not a list")
        self.assertFalse(m.path_ok("GetObject", "Missing"))
        self.assertFalse(m.path_ok("ListBuckets", "Bucket"), "an operation without input has no paths")


class ArnPlaceholderBinding(unittest.TestCase):
    def setUp(self):
        self.iam = make_iam()
        self.model = s3_model()

    def test_special_bindings_bind_bucket_and_key(self):
        r = generate.resource_rule(self.model, "GetObject", "s3", "object", self.iam)
        self.assertEqual(r, {"type": "object", "arn": "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
                             "bind": {"BucketName": "Bucket", "ObjectName": "Key"}})

    def test_a_placeholder_no_parameter_carries_is_unbound_with_a_reason(self):
        r = generate.resource_rule(self.model, "ListBuckets", "s3", "object", self.iam)
        self.assertNotIn("bind", r)
        self.assertEqual(r["unbound"], {"BucketName": "no request parameter of ListBuckets carries it",
                                        "ObjectName": "no request parameter of ListBuckets carries it"})

    def test_partition_region_and_account_are_never_bound(self):
        r = generate.resource_rule(self.model, "Query", "dynamodb", "table", self.iam)
        self.assertEqual(r["bind"], {"TableName": "TableName"})
        self.assertNotIn("unbound", r)

    def test_an_unknown_resource_type_gives_no_rule(self):
        self.assertIsNone(generate.resource_rule(self.model, "GetObject", "s3", "nosuchtype", self.iam))

    def test_optional_member_splits_a_rule_into_absent_and_present(self):
        rule = {"action": "dynamodb:Query", "access": "Read",
                "resources": [generate.resource_rule(self.model, "Query", "dynamodb", t, self.iam) for t in ("table", "index")]}
        table, index = generate.split_optional(self.model, "Query", rule)
        self.assertEqual(table["when"], {"absent": "IndexName"})
        self.assertEqual([r["type"] for r in table["resources"]], ["table"])
        self.assertEqual(index["when"], {"present": "IndexName"})
        self.assertEqual([r["type"] for r in index["resources"]], ["index"])


class Conditions(unittest.TestCase):
    def test_well_formed_conditions_pass(self):
        m = s3_model()
        generate.check_condition(m, "GetObject", {"all": [{"present": "VersionId"}, {"option": "kms"},
                                                          {"any": [{"equals": {"param": "Key", "values": ["a"]}}]}]}, "t")

    def test_a_path_the_operation_lacks_is_rejected(self):
        with dies(self, "condition path `VersionID` is not a parameter of s3 GetObject"):
            generate.check_condition(s3_model(), "GetObject", {"absent": "VersionID"}, "t")

    def test_an_unknown_option_or_condition_kind_is_rejected(self):
        with dies(self, "unknown option 'kmss'"):
            generate.check_condition(s3_model(), "GetObject", {"option": "kmss"}, "t")
        with dies(self, "unknown condition 'present_all'"):
            generate.check_condition(s3_model(), "GetObject", {"present_all": "Key"}, "t")
        with dies(self, "malformed condition"):
            generate.check_condition(s3_model(), "GetObject", {"present": "Key", "absent": "VersionId"}, "t")


SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html"


class Overrides(unittest.TestCase):
    def setUp(self):
        self.iam = make_iam()
        self.model = s3_model()
        self.generic = {"actions": [{"action": "s3:GetObject", "access": "Read"}],
                        "not_needed": [{"action": "s3:GetObjectVersion", "reason": "generic reason"}],
                        "origin": {"kind": "service-reference"}}

    def apply(self, entry):
        return generate.apply_override("s3", self.model, "GetObject", entry, self.iam, self.generic, "overrides/s3.json GetObject")

    def test_an_override_replaces_the_generic_row_and_keeps_its_other_reasons(self):
        out = self.apply({"source": SOURCE, "actions": [
            {"action": "s3:GetObjectVersion", "when": {"present": "VersionId"},
             "resources": [{"type": "object", "bind": {"BucketName": "Bucket", "ObjectName": "Key"}}]}]})
        self.assertEqual(out["origin"], {"kind": "override", "source": SOURCE})
        self.assertEqual(out["actions"], [{
            "action": "s3:GetObjectVersion", "access": "Read", "when": {"present": "VersionId"},
            "resources": [{"type": "object", "arn": "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
                           "bind": {"BucketName": "Bucket", "ObjectName": "Key"}}]}])
        # The generic action the override leaves out is kept as not needed, with why.
        self.assertEqual(out["not_needed"], [{"action": "s3:GetObject",
                                              "reason": "the override for this operation does not need it (see its source)"}])

    def test_without_resources_the_override_gets_the_generic_resource_choice(self):
        out = self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject"}]})
        self.assertEqual(out["actions"][0]["resources"][0]["bind"], {"BucketName": "Bucket", "ObjectName": "Key"})
        self.assertEqual(out["not_needed"], [{"action": "s3:GetObjectVersion", "reason": "generic reason"}])

    def test_keep_generic_adds_to_the_generic_actions_instead_of_replacing_them(self):
        out = self.apply({"source": SOURCE, "keep_generic": True, "actions": [
            {"action": "s3:GetObjectVersion", "when": {"present": "VersionId"}}]})
        self.assertEqual([(a["action"], a.get("when")) for a in out["actions"]],
                         [("s3:GetObject", None), ("s3:GetObjectVersion", {"present": "VersionId"})])
        # Nothing of the generic row is declared not needed.
        self.assertEqual(out["not_needed"], [])
        with dies(self, "keep_generic with no actions to add"):
            self.apply({"source": SOURCE, "keep_generic": True, "no_permission": "x"})

    def test_a_binding_may_carry_a_documented_default(self):
        out = self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [
            {"type": "object", "bind": {"BucketName": {"param": "Bucket", "default": "b"}, "ObjectName": "Key"}}]}]})
        self.assertEqual(out["actions"][0]["resources"][0]["bind"]["BucketName"], {"param": "Bucket", "default": "b"})
        with dies(self, "a binding is a path, {param, parse}, {param, default}, {param, prefix}, {constant} or {event, unknown}"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [
                {"type": "object", "bind": {"BucketName": {"param": "Bucket", "default": "b", "parse": "kms-key-id"}}}]}]})

    def test_a_binding_may_be_a_constant_or_a_parameter_after_fixed_text(self):
        out = self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [
            {"type": "object", "bind": {"BucketName": {"constant": "b"},
                                        "ObjectName": {"param": "Key", "prefix": "in/"}}}]}]})
        self.assertEqual(out["actions"][0]["resources"][0]["bind"],
                         {"BucketName": {"constant": "b"}, "ObjectName": {"param": "Key", "prefix": "in/"}})
        # The parameter after the prefix must still be one of the operation's.
        with dies(self, "binding path `Nope` is not a parameter"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [
                {"type": "object", "bind": {"BucketName": {"constant": "b"},
                                            "ObjectName": {"param": "Nope", "prefix": "in/"}}}]}]})

    def test_every_override_cites_a_source(self):
        with dies(self, "every override needs a `source` URL"):
            self.apply({"actions": [{"action": "s3:GetObject"}]})

    def test_unknown_keys_are_rejected_at_every_level(self):
        with dies(self, "unknown keys ['action_s']"):
            self.apply({"source": SOURCE, "action_s": []})
        with dies(self, "actions[0]: unknown keys ['resource']"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resource": []}]})
        with dies(self, "actions[0] resources[0]: unknown keys"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [{"type": "object", "binds": {}}]}]})

    def test_actions_must_exist_and_be_spelled_as_the_iam_data_spells_them(self):
        with dies(self, "action s3:GetObjects is not in the IAM action list"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObjects"}]})
        with dies(self, "action s3:getobject is spelled s3:GetObject in the IAM data"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:getobject"}]})

    def test_bindings_must_name_parameters_and_placeholders_that_exist(self):
        with dies(self, "binding path `Buckett` is not a parameter of s3 GetObject"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [
                {"type": "object", "bind": {"BucketName": "Buckett"}}]}]})
        with dies(self, "binds ${Key}, which arn:${Partition}:s3:::${BucketName}/${ObjectName} does not have"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [
                {"type": "object", "bind": {"Key": "Key"}}]}]})
        with dies(self, "resource type bucket is not a resource type of s3:GetObject"):
            self.apply({"source": SOURCE, "actions": [{"action": "s3:GetObject", "resources": [{"type": "bucket"}]}]})

    def test_an_override_says_what_is_needed_or_why_nothing_is(self):
        with dies(self, "an override needs actions, `unmapped` or `no_permission`"):
            self.apply({"source": SOURCE})
        with dies(self, "no_permission with actions"):
            self.apply({"source": SOURCE, "no_permission": "unsigned", "actions": [{"action": "s3:GetObject"}]})
        out = self.apply({"source": SOURCE, "no_permission": "the request is unsigned"})
        self.assertEqual(out["no_permission"], "the request is unsigned")
        self.assertEqual(out["actions"], [])


class GenericPass(unittest.TestCase):
    def test_the_service_reference_mapping_gives_the_base_action_with_its_resources(self):
        iam = make_iam()
        sr = FakeServiceReference({("s3", "get_object"): ("s3", "GetObject", [
            {"Service": "s3", "Name": "GetObject"}, {"Service": "s3", "Name": "GetObjectVersion"}])})
        gen = generate.Generic(iam, sr, lambda op: {"GetObject": "get_object"}[op], "2026-01-01")
        res = generate.operation_iam("s3", s3_model(), "GetObject", "s3", None, iam, gen)
        self.assertEqual(res["origin"], {"kind": "service-reference"})
        base, version = res["actions"]
        self.assertEqual((base["action"], base["when"]), ("s3:GetObject", {"absent": "VersionId"}))
        self.assertEqual((version["action"], version["when"]), ("s3:GetObjectVersion", {"present": "VersionId"}))

    def test_an_operation_nothing_maps_says_why_with_the_data_dates(self):
        iam = make_iam()
        gen = generate.Generic(iam, FakeServiceReference(), lambda op: "put_object", "2026-01-01")
        res = generate.operation_iam("s3", s3_model(), "PutObject", "s3", None, iam, gen)
        # Same-name action in the IAM data.
        self.assertEqual(res["origin"], {"kind": "same-name"})
        self.assertEqual([a["action"] for a in res["actions"]], ["s3:PutObject"])
        res = generate.operation_iam("s3", s3_model(), "ListBuckets", "s3", None, iam, gen)
        self.assertEqual(res["actions"], [])
        self.assertEqual(res["unmapped"], "no IAM action known: the operation is not in the service reference "
                                          f"({generate.SR_DATE}) and the IAM data (2026-01-01) has no s3:ListBuckets")


class Validation(unittest.TestCase):
    """The schema (service-maps/schema/tables.schema.json, the real file) for the shape, the
    hand checks for what a schema cannot say."""

    schema = generate.load_schema()

    def table(self, **op_extra):
        op = {"boto3": "get_object", "js": "getObject", "origin": {"kind": "same-name"},
              "actions": [{"action": "s3:GetObject", "access": "Read", "resources": [
                  {"type": "object", "arn": "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
                   "bind": {"BucketName": "Bucket"}, "unbound": {"ObjectName": "why"}}]}]}
        op.update(op_extra)
        return {"schema": 1, "service": "s3", "api_version": "2006-03-01", "iam_prefix": "s3",
                "sdk": {"boto3": "s3"}, "operations": {"GetObject": op}}

    def errors(self, value, kind="ServiceTable"):
        return generate.schema_errors(value, {"$ref": f"#/$defs/{kind}"}, self.schema, "")

    def test_a_well_formed_table_passes_both(self):
        self.assertEqual(self.errors(self.table()), [])
        generate.validate_service(self.table(), {"s3:GetObject"}, "services/s3.json")

    def test_an_unknown_or_misspelled_field_is_rejected(self):
        self.assertEqual(self.errors(self.table(paginater=True)), ["/operations/GetObject: unknown field 'paginater'"])
        with dies(self, "services/s3.json does not match ServiceTable", "unknown field 'paginater'"):
            generate.schema_check(self.table(paginater=True), self.schema, "ServiceTable", "services/s3.json")

    def test_types_enums_and_required_fields_are_checked(self):
        t = self.table(paginator=1, origin={"kind": "guessed"})
        t["schema"] = True  # not the integer 1, though Python has True == 1
        del t["sdk"]["boto3"]
        self.assertEqual(sorted(self.errors(t)), [
            "/operations/GetObject/origin/kind: 'guessed' is not one of "
            "['service-reference', 'same-name', 'override', 'unmapped', 'unsigned']",
            "/operations/GetObject/paginator: not of type boolean",
            "/schema: must be 1",
            "/sdk: missing fields ['boto3']",
        ])

    def test_a_condition_is_exactly_one_known_kind(self):
        ok = {"any": [{"equals": {"param": "A.B[]", "values": ["x"]}}, {"option": "kms"}]}
        self.assertEqual(self.errors(ok, "Condition"), [])
        for bad in ({"present": "A", "absent": "B"}, {"present_all": "A"}, {"equals": {"param": "A", "value": ["x"]}}):
            self.assertEqual(self.errors(bad, "Condition"),
                             ["/: matches 0 of the 7 allowed forms, not exactly one"], bad)

    def test_a_keyword_the_validator_does_not_implement_stops_it(self):
        with dies(self, "keywords this validator does not implement: ['pattern']"):
            generate.schema_errors("x", {"type": "string", "pattern": "^a"}, {}, "")

    def test_an_action_missing_from_the_iam_list_is_rejected(self):
        with dies(self, "s3:GetObject not in the IAM action list"):
            generate.validate_service(self.table(), set(), "services/s3.json")

    def test_a_placeholder_neither_bound_nor_explained_is_rejected(self):
        t = self.table()
        del t["operations"]["GetObject"]["actions"][0]["resources"][0]["unbound"]
        with dies(self, "placeholder ObjectName neither bound nor explained"):
            generate.validate_service(t, {"s3:GetObject"}, "services/s3.json")

    def test_condition_paths_must_be_well_formed(self):
        generate.vcond({"any": [{"equals": {"param": "A.B[]", "values": ["x"]}}, {"option": "kms"}]}, "w")
        with dies(self, "malformed path"):
            generate.vcond({"present": "A..B"}, "w")
        with dies(self, "`equals` lists nothing"):
            generate.vcond({"equals": {"param": "A", "values": []}}, "w")


class WriteOrCheck(unittest.TestCase):
    def test_check_lists_changes_and_stale_files_without_writing(self):
        with tempfile.TemporaryDirectory() as out:
            os.makedirs(os.path.join(out, "services"))
            for rel, text in (("services/a.json", "old\n"), ("services/gone.json", "{}\n"), ("index.json", "same\n")):
                with open(os.path.join(out, rel), "w", encoding="utf-8") as f:
                    f.write(text)
            outputs = {"services/a.json": "new\n", "services/b.json": "b\n", "index.json": "same\n"}
            changed = generate.write_or_check(outputs, out, check=True)
            self.assertEqual(changed, ["services/a.json", "services/b.json", "services/gone.json (stale)"])
            with open(os.path.join(out, "services/a.json"), encoding="utf-8") as f:
                self.assertEqual(f.read(), "old\n")
            self.assertFalse(os.path.exists(os.path.join(out, "services/b.json")))
            # Writing makes the folder exactly the outputs; a second run changes nothing.
            generate.write_or_check(outputs, out, check=False)
            self.assertEqual(sorted(os.listdir(os.path.join(out, "services"))), ["a.json", "b.json"])
            self.assertEqual(generate.write_or_check(outputs, out, check=True), [])


if __name__ == "__main__":
    unittest.main()
