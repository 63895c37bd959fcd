#!/usr/bin/python3
"""Renders the golden outputs of the chat template tests with Python's Jinja2.

Run with Debian's interpreter, which has Jinja2 (package python3-jinja2):

    /usr/bin/python3 src/engine/template/testdata/gen_golden.py

For every template in <shared>/chat-templates/*.jinja, and in templates/*.jinja beside this
script (templates written for these tests), it renders every conversation of
conversations.json, with and without add_generation_prompt, in an environment configured like
Hugging Face transformers' apply_chat_template (ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks, loop controls and the `generation` tag; HF's tojson,
raise_exception and strftime_now). It also renders the language cases of
language_cases.json. strftime_now uses a fixed clock so that outputs are reproducible; the C++
tests pass the same time.

Each result is {"output": text} or, where Jinja2 raises, {"error": str(exception),
"error_type": exception class name}. Results go to <out>/<template stem>.json (which names the
template and its folder: "shared" or "testdata") and <out>/language_cases.json.
"""

import argparse
import copy
import datetime
import json
import os
import pathlib
import sys

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[3]

# The clock of strftime_now(); chat_template_test.cc uses the same.
FIXED_NOW = datetime.datetime(2024, 7, 26, 14, 5, 9)


class GenerationTag(Extension):
    """HF's `{% generation %}` tag: renders its body like a call block."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        call = self.call_method("_render_body")
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render_body(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def strftime_now(format):
    return FIXED_NOW.strftime(format)


def make_env():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def failure(e):
    return {"error": str(e), "error_type": type(e).__name__}


def render(env, source, context):
    try:
        template = env.from_string(source)
    except Exception as e:  # noqa: BLE001 - any failure is a result to record
        result = failure(e)
        result["stage"] = "parse"
        return result
    try:
        # A fresh copy per case: templates may mutate lists (list.pop is allowed).
        return {"output": template.render(**copy.deepcopy(context))}
    except Exception as e:  # noqa: BLE001
        return failure(e)


def chat_cases(spec):
    """Yields (case name, context) for every conversation, without and with generation prompt."""
    for conv in spec["conversations"]:
        for gen in (False, True):
            context = {
                "messages": conv["messages"],
                "tools": conv.get("tools"),
                "documents": None,
                "add_generation_prompt": gen,
                "bos_token": spec["bos_token"],
                "eos_token": spec["eos_token"],
            }
            context.update(conv.get("extra", {}))
            yield conv["name"] + ("+gen" if gen else ""), context


def write_json(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    shared = pathlib.Path(os.environ.get("SAVOIR_SHARED", REPO.parent / "shared"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--templates", type=pathlib.Path, default=shared / "chat-templates")
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "golden")
    args = parser.parse_args()

    env = make_env()
    with open(HERE / "conversations.json", encoding="utf-8") as f:
        spec = json.load(f)
    args.out.mkdir(parents=True, exist_ok=True)

    shared_templates = sorted(args.templates.glob("*.jinja"))
    if not shared_templates:
        sys.exit(f"no templates in {args.templates}")
    templates = [(p, "shared") for p in shared_templates]
    templates += [(p, "testdata") for p in sorted((HERE / "templates").glob("*.jinja"))]
    for path, folder in templates:
        source = path.read_text(encoding="utf-8")
        cases = {name: render(env, source, context) for name, context in chat_cases(spec)}
        write_json(args.out / (path.stem + ".json"),
                   {"template": path.name, "template_dir": folder, "cases": cases})

    with open(HERE / "language_cases.json", encoding="utf-8") as f:
        language_cases = json.load(f)
    results = {}
    for case in language_cases:
        if case["name"] in results:
            sys.exit(f"duplicate language case {case['name']}")
        results[case["name"]] = render(env, case["template"], case.get("context", {}))
    write_json(args.out / "language_cases.json", results)
    print(f"jinja2 {jinja2.__version__}: {len(templates)} templates, "
          f"{len(language_cases)} language cases -> {args.out}")


if __name__ == "__main__":
    main()
