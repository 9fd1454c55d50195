"""Validates the module's real answers against openapi.yaml.

Reads a JSON list of {"path", "method", "status", "body"} on stdin (path
is the spec's path template, body the decoded JSON or null) and prints
one line per answer: "ok" or what does not match.  Uses Debian's
python3-yaml and python3-jsonschema (draft 2020-12, OpenAPI 3.1's).
"""

import json
import sys

import jsonschema
import yaml


def main():
    with open(sys.argv[1]) as f:
        spec = yaml.safe_load(f)
    resolver = jsonschema.RefResolver.from_schema(spec)

    def deref(obj):
        while isinstance(obj, dict) and "$ref" in obj:
            obj = resolver.resolve(obj["$ref"])[1]
        return obj

    for answer in json.load(sys.stdin):
        op = spec["paths"].get(answer["path"], {}).get(answer["method"])
        if op is None:
            print("no operation %(method)s %(path)s" % answer)
            continue
        response = deref(op["responses"].get(str(answer["status"])))
        if response is None:
            print("status %(status)s not described" % answer)
            continue
        # application/json, or a JSON type of its own (jwk-set+json)
        content = next((v for k, v in response.get("content", {}).items()
                        if k == "application/json" or k.endswith("+json")),
                       None)
        if content is None:
            print("ok" if answer["body"] is None else "a JSON body where "
                  "none is described")
            continue
        validator = jsonschema.Draft202012Validator(content["schema"],
                                                    resolver=resolver)
        errors = [e.message for e in validator.iter_errors(answer["body"])]
        print("; ".join(errors) if errors else "ok")


main()
