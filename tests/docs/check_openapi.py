#!/usr/bin/env python3
"""Checks docs/openapi.yaml: an OpenAPI 3.1 document whose references resolve, whose
operations are complete, and whose every example validates against its schema.

    check_openapi.py docs/openapi.yaml [--routes FILE]

--routes FILE: lines "METHOD /path/{param}" (e.g. the routes the server registers); each must
be documented with that method. Prints every problem and exits 1 if there is any, 0 otherwise.
Needs PyYAML and jsonschema (Debian: python3-yaml, python3-jsonschema).
"""

import argparse
import re
import sys

import jsonschema
import yaml

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def resolve(doc, ref):
    if not ref.startswith("#/"):
        raise KeyError(f"only local references are used: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def walk_refs(doc, node, where, problems):
    if isinstance(node, dict):
        if "$ref" in node:
            try:
                resolve(doc, node["$ref"])
            except (KeyError, TypeError):
                problems.append(f"{where}: unresolved $ref {node['$ref']}")
        for k, v in node.items():
            walk_refs(doc, v, f"{where}/{k}", problems)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk_refs(doc, v, f"{where}/{i}", problems)


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def make_validator(doc, schema):
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def is_datetime(value):
        return not isinstance(value, str) or bool(RFC3339.match(value))

    # Components are reached through the whole document, as "$ref: '#/components/...'" says.
    wrapped = dict(schema)
    resolver = jsonschema.RefResolver.from_schema(doc)
    return jsonschema.Draft202012Validator(wrapped, resolver=resolver, format_checker=checker)


def check_examples(doc, where, media, problems, counter):
    schema = media.get("schema")
    examples = dict(media.get("examples") or {})
    if "example" in media:
        examples["example"] = {"value": media["example"]}
    for name, example in examples.items():
        example = deref(doc, example)
        if "value" not in example:
            problems.append(f"{where} example {name}: no value")
            continue
        counter[0] += 1
        if schema is None:
            problems.append(f"{where} example {name}: no schema to validate against")
            continue
        try:
            for error in make_validator(doc, schema).iter_errors(example["value"]):
                path = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"{where} example {name} at '{path}': {error.message}")
        except Exception as e:  # an unresolvable reference inside the schema, say
            problems.append(f"{where} example {name}: cannot validate: {e}")


def check(doc, routes):
    problems = []
    counter = [0]
    if not str(doc.get("openapi", "")).startswith("3.1."):
        problems.append("openapi must be 3.1.x")
    for key in ("info", "paths", "components"):
        if key not in doc:
            problems.append(f"missing top-level '{key}'")
    walk_refs(doc, doc, "#", problems)
    schemes = doc.get("components", {}).get("securitySchemes", {})
    operation_ids = set()
    documented = set()
    for path, item in doc.get("paths", {}).items():
        declared = set(re.findall(r"{([^}]+)}", path))
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            documented.add((method.upper(), path))
            op_id = op.get("operationId")
            if not op_id:
                problems.append(f"{where}: no operationId")
            elif op_id in operation_ids:
                problems.append(f"{where}: duplicate operationId {op_id}")
            operation_ids.add(op_id)
            if not op.get("summary"):
                problems.append(f"{where}: no summary")
            responses = op.get("responses") or {}
            if not responses:
                problems.append(f"{where}: no responses")
            params = [deref(doc, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            path_params = {p["name"] for p in params if p.get("in") == "path"}
            if path_params != declared:
                problems.append(f"{where}: path parameters {sorted(path_params)} != {sorted(declared)}")
            for p in params:
                if "schema" not in p:
                    problems.append(f"{where}: parameter {p.get('name')} has no schema")
            for requirement in op.get("security", doc.get("security", [])):
                for scheme in requirement:
                    if scheme not in schemes:
                        problems.append(f"{where}: unknown security scheme {scheme}")
            secured = bool(op.get("security", doc.get("security", [])))
            if secured and "401" not in responses:
                problems.append(f"{where}: needs a token but documents no 401")
            body = deref(doc, op.get("requestBody")) if op.get("requestBody") else None
            for media_type, media in ((body or {}).get("content") or {}).items():
                check_examples(doc, f"{where} request {media_type}", media, problems, counter)
            for status, response in responses.items():
                response = deref(doc, response)
                if not re.fullmatch(r"[1-5][0-9][0-9]|default", str(status)):
                    problems.append(f"{where}: bad status {status}")
                if "description" not in response:
                    problems.append(f"{where} {status}: no description")
                for media_type, media in (response.get("content") or {}).items():
                    check_examples(doc, f"{where} {status} {media_type}", media, problems, counter)
                if str(status).startswith(("4", "5")) and "application/json" in (response.get("content") or {}):
                    schema = response["content"]["application/json"].get("schema", {})
                    if schema.get("$ref") != "#/components/schemas/Error":
                        problems.append(f"{where} {status}: errors must use the Error schema")
    for method, path in routes:
        if (method, path) not in documented:
            problems.append(f"route {method} {path} is not documented")
    return problems, counter[0], len(documented)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("--routes")
    args = parser.parse_args()
    try:
        with open(args.spec, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        print(f"{args.spec}: {e}")
        print("openapi: 0 operations, 0 examples checked, 1 problems")
        return 1
    routes = []
    if args.routes:
        with open(args.routes, encoding="utf-8") as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    method, path = line.split()
                    routes.append((method.upper(), path))
    problems, examples, operations = check(doc, routes)
    for p in problems:
        print(p)
    print(f"openapi: {operations} operations, {examples} examples checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
