"""Validate JSON documents against a JSON Schema 2020-12 file.

Usage: validate_json_schema.py SCHEMA [DOCUMENT...]
Checks the schema itself, then each document; prints one line per error
(path: message) and exits 1 if any document is invalid, 2 if the schema is.
Needs Debian's python3-jsonschema (scripts/bootstrap installs it).
"""
import json
import sys

import jsonschema


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        print(f"{argv[1]}: invalid schema: {e.message}")
        return 2
    validator = jsonschema.Draft202012Validator(schema)
    status = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        for error in validator.iter_errors(document):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {where}: {error.message[:200]}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
