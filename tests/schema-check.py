#!/usr/bin/env python3
"""Validates every record the tests kept (tests/helper.bash: keep_record)
against schemas/<kind>.schema.json. JSON files and JSON Lines alike; every
object with a "kind" must have a schema and match it."""
import json
import os
import sys

from jsonschema import Draft202012Validator


def load_schemas(folder):
    schemas = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".schema.json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            schemas[name[: -len(".schema.json")]] = Draft202012Validator(schema)
    return schemas


def records_in(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        yield 1, json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield n, json.loads(line)


def main():
    schemas = load_schemas(sys.argv[1])
    folder = sys.argv[2]
    checked = failed = 0
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        path = os.path.join(folder, name)
        for line, rec in records_in(path):
            if not isinstance(rec, dict) or "kind" not in rec:
                continue
            kind = rec["kind"]
            checked += 1
            if kind not in schemas:
                print(f"schema-check: {name}:{line}: no schema for kind '{kind}'")
                failed += 1
                continue
            for err in schemas[kind].iter_errors(rec):
                where = "/".join(str(p) for p in err.absolute_path)
                print(f"schema-check: {name}:{line}: {kind} at '{where}': {err.message}")
                failed += 1
    print(f"schema-check: {checked} records checked against {len(schemas)} schemas, {failed} problems")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
