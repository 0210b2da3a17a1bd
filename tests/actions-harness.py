#!/usr/bin/env python3
"""Runs GitHub Actions composite actions and workflows locally, as the runner would.

    actions-harness.py action  ACTION_DIR [options]
    actions-harness.py workflow WORKFLOW.yml [options]
    actions-harness.py eval 'EXPRESSION' [options]
    actions-harness.py lint FILE.yml...           (static checks: exit 1 and one line per problem)
    actions-harness.py scripts OUTDIR FILE.yml... (every run: script to OUTDIR, for shellcheck)

Every `run:` step runs under `bash --noprofile --norc -eo pipefail` (what
`shell: bash` means on a runner), in the workspace (the current directory), with
GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY set to files of
its own and GITHUB_ACTION_PATH to the action's folder. The `${{ }}` expressions
are evaluated from inputs, github.*, env, vars, secrets, steps.*, needs.*, job
and runner, with GitHub's operators, coercions and functions. A `uses:` step
naming one of mlgate's actions (`./actions/NAME` or `OWNER/mlgate/actions/NAME@REF`)
runs that action; any other `uses:` step (checkout, cache, artifacts) is stubbed:
it is logged as stubbed and gives only the outputs that --stub-output names.
Jobs run in `needs` order; `environment:` approvals and `concurrency:` are
logged, not enforced.

The log (steps' output, stubs, annotations) goes to stderr; stdout gets one JSON
object: status, outputs, annotations, summary, steps (and jobs for a workflow).
Exit 0 when the action or workflow succeeded, 1 when it failed, 2 for a harness
error (bad YAML, an expression the harness does not know).

Standard library and PyYAML only.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import yaml

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HARNESS_DIR)


class HarnessError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- expressions

TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^']|'')*')
  | (?P<num>-?(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],.*])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
""", re.X)


def tokenize(text):
    pos, out = 0, []
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise HarnessError("expression %r: unexpected %r at %d" % (text, text[pos], pos))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        val = m.group(kind)
        if kind == "num" and out and (out[-1][0] in ("ident", "num", "str") or out[-1] in (("op", ")"), ("op", "]"))):
            raise HarnessError("expression %r: unexpected number at %d" % (text, m.start()))
        out.append((kind, val))
    out.append(("end", None))
    return out


class Func:
    def __init__(self, name):
        self.name = name


def to_number(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return 0.0
        try:
            return float(int(s, 16)) if s.lower().startswith("0x") else float(s)
        except ValueError:
            return math.nan
    return math.nan


def truthy(v):
    if v is None or v is False:
        return False
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return not (v == 0 or math.isnan(v))
    if isinstance(v, str):
        return v != ""
    return True


def to_string(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, (dict, list)):
        return "Object" if isinstance(v, dict) else "Array"
    return str(v)


def loose_equal(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.upper() == b.upper()
    if type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))
                              and not isinstance(a, bool) and not isinstance(b, bool)):
        if isinstance(a, (dict, list)):
            return a is b
        return a == b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return to_number(a) == to_number(b)


def compare(a, b, op):
    if isinstance(a, str) and isinstance(b, str):
        x, y = a.upper(), b.upper()
    else:
        x, y = to_number(a), to_number(b)
        if math.isnan(x) or math.isnan(y):
            return False
    return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def lookup(obj, key):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for k, v in obj.items():
            if isinstance(k, str) and isinstance(key, str) and k.lower() == key.lower():
                return v
        return None
    if isinstance(obj, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
        i = int(key)
        return obj[i] if 0 <= i < len(obj) else None
    return None


class Parser:
    """Precedence climbing over GitHub's grammar: || && == != < > <= >= ! () [] ."""

    def __init__(self, text, ctx):
        self.text, self.ctx = text, ctx
        self.toks = tokenize(text)
        self.i = 0

    def peek(self):
        return self.toks[self.i]

    def take(self, kind=None, val=None):
        t = self.toks[self.i]
        if (kind and t[0] != kind) or (val and t[1] != val):
            raise HarnessError("expression %r: expected %s, found %r" % (self.text, val or kind, t[1]))
        self.i += 1
        return t

    def parse(self):
        v = self.or_expr()
        if self.peek()[0] != "end":
            raise HarnessError("expression %r: trailing %r" % (self.text, self.peek()[1]))
        return v

    # Both sides are always parsed (so errors show); values short-circuit as in JavaScript.
    def or_expr(self):
        v = self.and_expr()
        while self.peek() == ("op", "||"):
            self.take()
            r = self.and_expr()
            v = v if truthy(v) else r
        return v

    def and_expr(self):
        v = self.eq_expr()
        while self.peek() == ("op", "&&"):
            self.take()
            r = self.eq_expr()
            v = r if truthy(v) else v
        return v

    def eq_expr(self):
        v = self.cmp_expr()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            r = self.cmp_expr()
            v = loose_equal(v, r) if op == "==" else not loose_equal(v, r)
        return v

    def cmp_expr(self):
        v = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", ">", "<=", ">="):
            op = self.take()[1]
            v = compare(v, self.unary(), op)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self):
        v = self.primary()
        while True:
            t = self.peek()
            if t == ("op", "."):
                self.take()
                nt = self.take()
                if nt[0] != "ident":
                    raise HarnessError("expression %r: expected a property name" % self.text)
                v = lookup(v, nt[1])
            elif t == ("op", "["):
                self.take()
                key = self.or_expr()
                self.take("op", "]")
                v = lookup(v, key)
            elif t == ("op", "(") and isinstance(v, Func):
                self.take()
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.or_expr())
                    while self.peek() == ("op", ","):
                        self.take()
                        args.append(self.or_expr())
                self.take("op", ")")
                v = self.call(v.name, args)
            else:
                return v

    def primary(self):
        kind, val = self.take()
        if kind == "str":
            return val[1:-1].replace("''", "'")
        if kind == "num":
            return to_number(val)
        if kind == "op" and val == "(":
            v = self.or_expr()
            self.take("op", ")")
            return v
        if kind == "ident":
            low = val.lower()
            if low in ("true", "false"):
                return low == "true"
            if low == "null":
                return None
            if self.peek() == ("op", "("):
                return Func(low)
            if low not in self.ctx:
                raise HarnessError("expression %r: unknown context %r" % (self.text, val))
            return self.ctx[low]
        raise HarnessError("expression %r: unexpected %r" % (self.text, val))

    def call(self, name, args):
        status = self.ctx.get("__status__", "success")
        if name == "success":
            return status == "success"
        if name == "failure":
            return status == "failure"
        if name == "always":
            return True
        if name == "cancelled":
            return False
        if name == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(loose_equal(x, needle) for x in hay)
            return to_string(needle).upper() in to_string(hay).upper()
        if name == "startswith":
            return to_string(args[0]).upper().startswith(to_string(args[1]).upper())
        if name == "endswith":
            return to_string(args[0]).upper().endswith(to_string(args[1]).upper())
        if name == "format":
            return format_string(args[0], args[1:])
        if name == "join":
            sep = to_string(args[1]) if len(args) > 1 else ","
            return sep.join(to_string(x) for x in args[0]) if isinstance(args[0], list) else to_string(args[0])
        if name == "tojson":
            return json.dumps(args[0], indent=2)
        if name == "fromjson":
            return json.loads(to_string(args[0]))
        raise HarnessError("expression %r: function %s() is not supported by the harness" % (self.text, name))


def format_string(fmt, args):
    out, i, fmt = [], 0, to_string(fmt)
    while i < len(fmt):
        c = fmt[i]
        if fmt.startswith("{{", i) or fmt.startswith("}}", i):
            out.append(c)
            i += 2
        elif c == "{":
            j = fmt.index("}", i)
            out.append(to_string(args[int(fmt[i + 1:j])]))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def evaluate(expr, ctx):
    return Parser(expr, ctx).parse()


def split_template(text):
    """The literal and expression parts of a string: [(is_expr, text)]. An
    expression ends at the first }} outside a quoted string, as GitHub reads it."""
    parts, pos = [], 0
    while True:
        start = text.find("${{", pos)
        if start < 0:
            parts.append((False, text[pos:]))
            return parts
        parts.append((False, text[pos:start]))
        i, quoted = start + 3, False
        while i < len(text):
            if text[i] == "'":
                quoted = not quoted
            elif not quoted and text.startswith("}}", i):
                break
            i += 1
        if i >= len(text):
            raise HarnessError("%r: ${{ without its closing }}" % text)
        parts.append((True, text[start + 3:i]))
        pos = i + 2


def interpolate(value, ctx):
    """A YAML value with ${{ }} inside: the expression's value when it is the whole
    string (so that `if:` sees booleans), else the text with each one replaced."""
    if not isinstance(value, str):
        return value
    parts = [p for p in split_template(value.strip()) if p != (False, "")]
    if len(parts) == 1 and parts[0][0]:
        return evaluate(parts[0][1], ctx)
    if not any(is_expr for is_expr, _ in parts):
        return value
    return "".join(to_string(evaluate(t, ctx)) if is_expr else t for is_expr, t in split_template(value))


def interp_str(value, ctx):
    return to_string(interpolate(value, ctx)) if value is not None else ""


STATUS_FUNCS = re.compile(r"\b(success|failure|always|cancelled)\s*\(", re.I)


def condition(cond, ctx):
    if cond is None or cond == "":
        cond = "success()"
    if isinstance(cond, bool):
        return cond
    text = str(cond).strip()
    parts = split_template(text)
    if len(parts) == 3 and parts[0] == (False, "") and parts[2] == (False, "") and parts[1][0]:
        text = parts[1][1]
    if not STATUS_FUNCS.search(text):
        text = "success() && (%s)" % text
    return truthy(evaluate(text, ctx))


# ---------------------------------------------------------------- runner files

def read_kv_file(path):
    """GITHUB_OUTPUT / GITHUB_ENV syntax: name=value, or name<<DELIM ... DELIM."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "":
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise HarnessError("%s: no closing delimiter %r for %r" % (path, delim, name))
            i += 1
            out[name] = "\n".join(body)
        elif "=" in line:
            name, val = line.split("=", 1)
            out[name] = val
        else:
            raise HarnessError("%s: malformed line %r" % (path, line))
    return out


COMMAND_RE = re.compile(r"^::(error|warning|notice|debug|add-mask|group|endgroup|set-output|save-state)( [^:]*)?::(.*)$")


def unescape_data(s):
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse_command(line):
    m = COMMAND_RE.match(line)
    if not m:
        return None
    props = {}
    for part in (m.group(2) or "").strip().split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            props[k.strip()] = unescape_data(v).replace("%3A", ":").replace("%2C", ",")
    return {"command": m.group(1), "properties": props, "message": unescape_data(m.group(3))}


# ---------------------------------------------------------------- the runner

class Job:
    """State shared by every step of one job, nested actions included."""

    def __init__(self, h, name, env):
        self.h = h
        self.name = name
        self.env = dict(env)          # workflow + job env (+ GITHUB_ENV additions)
        self.path_extra = []          # GITHUB_PATH additions, newest first
        self.summary = []
        self.annotations = []
        self.step_log = []
        self.counter = 0


class Harness:
    def __init__(self, args):
        self.args = args
        self.workspace = os.path.abspath(args.workspace or os.getcwd())
        self.state = os.path.abspath(args.state) if args.state else tempfile.mkdtemp(prefix="actions-harness.")
        os.makedirs(self.state, exist_ok=True)
        self.runner_temp = os.path.join(self.state, "runner-temp")
        os.makedirs(self.runner_temp, exist_ok=True)
        self.stub_outputs = {}
        for spec in args.stub_output:
            key, val = split_kv(spec, "--stub-output")
            sid, _, name = key.partition(".")
            if not name:
                raise HarnessError("--stub-output %r: want STEP_ID.NAME=VALUE" % spec)
            self.stub_outputs.setdefault(sid, {})[name] = val
        self.secrets = {"GITHUB_TOKEN": "ghs_harness_token"}
        self.secrets.update(dict(split_kv(s, "--secret") for s in args.secret))
        self.vars = dict(split_kv(s, "--var") for s in args.var)
        self.github = {
            "server_url": "https://github.com", "api_url": "https://api.github.com",
            "repository": "example/churn", "repository_owner": "example",
            "run_id": "1000", "run_number": "7", "run_attempt": "1",
            "actor": "octocat", "triggering_actor": "octocat",
            "workflow": "harness", "job": "", "sha": "0" * 40,
            "ref": "refs/heads/main", "ref_name": "main", "event_name": args.event,
            "workspace": self.workspace, "token": self.secrets["GITHUB_TOKEN"],
            "action_path": "", "event": {},
        }
        for spec in args.github:
            k, v = split_kv(spec, "--github")
            self.github[k] = v
        if args.event_json:
            with open(args.event_json, encoding="utf-8") as f:
                self.github["event"] = json.load(f)
        self.env_override = dict(split_kv(s, "--env") for s in args.env)
        self.runner = {"os": "Linux", "arch": "X64", "temp": self.runner_temp,
                       "tool_cache": os.path.join(self.state, "tool-cache"), "name": "harness"}

    def base_process_env(self, job, action_path=""):
        env = dict(os.environ)
        g = self.github
        env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": self.workspace,
            "GITHUB_REPOSITORY": g["repository"], "GITHUB_REPOSITORY_OWNER": g["repository_owner"],
            "GITHUB_RUN_ID": g["run_id"], "GITHUB_RUN_NUMBER": g["run_number"],
            "GITHUB_RUN_ATTEMPT": g["run_attempt"], "GITHUB_ACTOR": g["actor"],
            "GITHUB_TRIGGERING_ACTOR": g["triggering_actor"], "GITHUB_WORKFLOW": g["workflow"],
            "GITHUB_JOB": job.name, "GITHUB_SHA": g["sha"], "GITHUB_REF": g["ref"],
            "GITHUB_REF_NAME": g["ref_name"], "GITHUB_EVENT_NAME": g["event_name"],
            "GITHUB_SERVER_URL": g["server_url"], "GITHUB_API_URL": g["api_url"],
            "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "RUNNER_TEMP": self.runner_temp,
            "RUNNER_TOOL_CACHE": self.runner["tool_cache"], "GITHUB_ACTION_PATH": action_path,
        })
        env.update(job.env)
        if job.path_extra:
            env["PATH"] = os.pathsep.join(job.path_extra + [env.get("PATH", "")])
        return env

    def context(self, job, extra):
        ctx = {"github": dict(self.github, job=job.name), "runner": self.runner,
               "secrets": self.secrets, "vars": self.vars, "env": dict(job.env),
               "job": {"status": "success"}, "matrix": {}, "strategy": {}}
        ctx.update(extra)
        return ctx

    # -------------------------------------------------------------- steps

    def run_steps(self, job, steps, scope, action_path=""):
        """Runs a list of steps (a job's or a composite action's). `scope` holds
        the contexts this list sees (inputs, needs, ...). Returns (status, steps ctx)."""
        steps_ctx, status = {}, "success"
        for index, step in enumerate(steps or []):
            job.counter += 1
            sid = step.get("id") or "__step%d" % index
            base = self.context(job, dict(scope, steps=steps_ctx, __status__=status))
            if action_path:
                base["github"]["action_path"] = action_path
            name = step.get("name") or step.get("uses") or (step.get("run") or "").split("\n")[0]
            record = {"id": step.get("id"), "name": name, "job": job.name,
                      "action": os.path.relpath(action_path, REPO_ROOT) if action_path else None}
            if not condition(step.get("if"), base):
                log("[harness] skip step %r (if: %s)" % (name, step.get("if")))
                steps_ctx[sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                record.update(outcome="skipped", conclusion="skipped")
                job.step_log.append(record)
                continue
            step_env = {k: interp_str(v, base) for k, v in (step.get("env") or {}).items()}
            base["env"].update(step_env)
            if "uses" in step:
                outcome, outputs = self.run_uses(job, step, sid, base, step_env, record)
            elif "run" in step:
                outcome, outputs = self.run_script(job, step, base, step_env, action_path)
            else:
                raise HarnessError("step %r has neither run nor uses" % name)
            conclusion = outcome
            if outcome == "failure" and truthy(interpolate(step.get("continue-on-error", False), base)):
                conclusion = "success"
            steps_ctx[sid] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}
            record.update(outcome=outcome, conclusion=conclusion, outputs=outputs)
            job.step_log.append(record)
            if conclusion == "failure":
                status = "failure"
        return status, steps_ctx

    def run_uses(self, job, step, sid, base, step_env, record):
        uses = step["uses"]
        with_ = {k: interp_str(v, base) for k, v in (step.get("with") or {}).items()}
        local = self.resolve_action(uses)
        if local:
            record["uses"] = uses
            log("[harness] run action %s with %s" % (uses, json.dumps(with_, sort_keys=True)))
            saved = dict(job.env)
            job.env.update(step_env)
            result = self.run_action(job, local, with_)
            # Step env is the step's own; GITHUB_ENV additions made inside stay.
            for k in step_env:
                if k in saved:
                    job.env[k] = saved[k]
                elif job.env.get(k) == step_env[k]:
                    del job.env[k]
            return result["status"], result["outputs"]
        record["uses"] = uses
        record["stubbed"] = True
        outputs = dict(self.stub_outputs.get(step.get("id") or "", {}))
        log("[harness] STUBBED uses: %s with %s -> outputs %s"
            % (uses, json.dumps(with_, sort_keys=True), json.dumps(outputs, sort_keys=True)))
        return "success", outputs

    def resolve_action(self, uses):
        m = re.fullmatch(r"\./(.+?)/?", uses)
        if m:
            for root in (self.workspace, REPO_ROOT):
                d = os.path.join(root, m.group(1))
                if os.path.exists(os.path.join(d, "action.yml")):
                    return d
            raise HarnessError("uses: %s: no action.yml there" % uses)
        m = re.fullmatch(r"[^/@]+/mlgate/(actions/[^@]+)@.+", uses)
        if m:
            return os.path.join(REPO_ROOT, m.group(1))
        return None

    def run_script(self, job, step, base, step_env, action_path):
        shell = step.get("shell")
        if shell is None and action_path:
            raise HarnessError("composite run step %r without shell:" % step.get("name"))
        # A workflow step without shell: runs under `bash -e {0}` on Linux; shell: bash
        # under `bash --noprofile --norc -eo pipefail {0}`.
        if shell is None:
            argv = ["bash", "-e"]
        elif shell == "bash":
            argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
        else:
            raise HarnessError("shell %r: the harness runs bash steps only" % shell)
        script = interp_str(step["run"], base)
        n = job.counter
        files = {k: os.path.join(self.state, "%s-%d-%s" % (job.name or "action", n, k.lower()))
                 for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE")}
        for f in files.values():
            open(f, "w").close()
        script_file = os.path.join(self.state, "%s-%d.sh" % (job.name or "action", n))
        with open(script_file, "w", encoding="utf-8") as f:
            f.write(script)
        env = self.base_process_env(job, action_path)
        env.update(step_env)
        env.update(files)
        cwd = self.workspace
        if step.get("working-directory"):
            cwd = os.path.join(self.workspace, interp_str(step["working-directory"], base))
        log("[harness] run step %r" % (step.get("name") or script.split("\n")[0]))
        proc = subprocess.Popen(argv + [script_file],
                                cwd=cwd, env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            sys.stderr.write(line + "\n")
            cmd = parse_command(line)
            if cmd and cmd["command"] in ("error", "warning", "notice"):
                job.annotations.append({"level": cmd["command"], "title": cmd["properties"].get("title"),
                                        "message": cmd["message"], "job": job.name})
        rc = proc.wait()
        outcome = "success" if rc == 0 else "failure"
        if rc != 0:
            log("[harness] step exited with status %d" % rc)
            job.annotations.append({"level": "error", "title": None, "job": job.name,
                                    "message": "Process completed with exit code %d." % rc})
        outputs = read_kv_file(files["GITHUB_OUTPUT"])
        job.env.update(read_kv_file(files["GITHUB_ENV"]))
        with open(files["GITHUB_PATH"], encoding="utf-8") as f:
            job.path_extra = [p for p in f.read().split("\n") if p][::-1] + job.path_extra
        with open(files["GITHUB_STEP_SUMMARY"], encoding="utf-8") as f:
            text = f.read()
        if text:
            job.summary.append(text)
        return outcome, outputs

    # -------------------------------------------------------------- actions

    def run_action(self, job, action_dir, with_):
        action_dir = os.path.abspath(action_dir)
        path = os.path.join(action_dir, "action.yml")
        with open(path, encoding="utf-8") as f:
            action = yaml.safe_load(f)
        runs = action.get("runs") or {}
        if runs.get("using") != "composite":
            raise HarnessError("%s: not a composite action" % path)
        ctx = self.context(job, {"steps": {}})
        ctx["github"]["action_path"] = action_dir
        inputs = {}
        for name, spec in (action.get("inputs") or {}).items():
            spec = spec or {}
            if name in with_:
                inputs[name] = with_[name]
            else:
                if spec.get("required") and "default" not in spec:
                    log("[harness] warning: input %r is required and not supplied" % name)
                inputs[name] = interp_str(spec.get("default", ""), ctx)
        for name in with_:
            if name not in inputs:
                log("[harness] warning: unexpected input %r" % name)
                job.annotations.append({"level": "warning", "title": None, "job": job.name,
                                        "message": "Unexpected input(s) '%s'" % name})
        status, steps_ctx = self.run_steps(job, runs.get("steps"), {"inputs": inputs}, action_dir)
        octx = self.context(job, {"inputs": inputs, "steps": steps_ctx})
        outputs = {name: interp_str((spec or {}).get("value"), octx)
                   for name, spec in (action.get("outputs") or {}).items()}
        return {"status": status, "outputs": outputs}

    # -------------------------------------------------------------- workflows

    def run_workflow(self, path):
        with open(path, encoding="utf-8") as f:
            wf = yaml.safe_load(f)
        on = wf.get("on", wf.get(True)) or {}
        event = self.github["event_name"]
        if isinstance(on, dict) and event not in on:
            raise HarnessError("%s: not triggered by %r" % (path, event))
        inputs = {}
        spec_inputs = ((on.get("workflow_dispatch") or {}).get("inputs") or {}) if isinstance(on, dict) else {}
        given = dict(split_kv(s, "--input") for s in self.args.input)
        for name, spec in spec_inputs.items():
            spec = spec or {}
            raw = given.pop(name, spec.get("default"))
            if spec.get("required") and raw is None:
                raise HarnessError("workflow input %r is required" % name)
            if spec.get("type") == "boolean":
                raw = raw if isinstance(raw, bool) else str(raw).lower() == "true"
            if spec.get("type") == "choice" and raw is not None and str(raw) not in [str(o) for o in spec.get("options", [])]:
                raise HarnessError("workflow input %r: %r is not one of its options" % (name, raw))
            inputs[name] = raw if isinstance(raw, bool) or raw is None else str(raw)
        if given:
            raise HarnessError("unknown workflow input(s): %s" % ", ".join(sorted(given)))
        if event == "workflow_dispatch":
            self.github["event"] = dict(self.github["event"], inputs=inputs)
        else:
            inputs = {}   # the inputs context is empty outside workflow_dispatch
        if wf.get("concurrency"):
            log("[harness] concurrency: %s (logged, not enforced)" % json.dumps(wf["concurrency"]))
        top = Job(self, "", {})
        wctx = self.context(top, {"inputs": inputs})
        wenv = {k: interp_str(v, wctx) for k, v in (wf.get("env") or {}).items()}
        wenv.update(self.env_override)
        jobs_result, annotations, summary, steps_log = {}, [], [], []
        for jid in job_order(wf.get("jobs") or {}):
            spec = wf["jobs"][jid]
            needs = spec.get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            needs_ctx = {n: {"result": jobs_result[n]["result"], "outputs": jobs_result[n]["outputs"]} for n in needs}
            dep_status = "success" if all(jobs_result[n]["result"] == "success" for n in needs) else "failure"
            job = Job(self, jid, wenv)
            ctx = self.context(job, {"inputs": inputs, "needs": needs_ctx, "__status__": dep_status})
            if not condition(spec.get("if"), ctx):
                log("[harness] skip job %s (if: %s)" % (jid, spec.get("if")))
                jobs_result[jid] = {"result": "skipped", "outputs": {}}
                continue
            if spec.get("environment"):
                env_name = interpolate(spec["environment"], ctx)
                if isinstance(env_name, dict):
                    env_name = interp_str(env_name.get("name"), ctx)
                log("[harness] job %s: environment %r: approval by its required reviewers STUBBED" % (jid, env_name))
            if spec.get("concurrency"):
                log("[harness] job %s: concurrency %s (logged, not enforced)" % (jid, json.dumps(spec["concurrency"])))
            job.env.update({k: interp_str(v, ctx) for k, v in (spec.get("env") or {}).items()})
            job.env.update(self.env_override)
            log("[harness] === job %s" % jid)
            status, steps_ctx = self.run_steps(job, spec.get("steps"), {"inputs": inputs, "needs": needs_ctx})
            octx = self.context(job, {"inputs": inputs, "needs": needs_ctx, "steps": steps_ctx})
            outputs = {k: interp_str(v, octx) for k, v in (spec.get("outputs") or {}).items()}
            jobs_result[jid] = {"result": status, "outputs": outputs}
            annotations += job.annotations
            summary += job.summary
            steps_log += job.step_log
        failed = any(j["result"] == "failure" for j in jobs_result.values())
        return {"status": "failure" if failed else "success", "jobs": jobs_result,
                "annotations": annotations, "summary": "".join(summary), "steps": steps_log}

    def run_single_action(self, action_dir):
        job = Job(self, self.args.job, self.env_override)
        with_ = dict(split_kv(s, "--input") for s in self.args.input)
        result = self.run_action(job, action_dir, with_)
        result.update(annotations=job.annotations, summary="".join(job.summary), steps=job.step_log,
                      env=job.env, path=job.path_extra)
        return result


def job_order(jobs):
    done, order = set(), []

    def visit(j, stack):
        if j in done:
            return
        if j in stack:
            raise HarnessError("jobs: needs cycle through %r" % j)
        if j not in jobs:
            raise HarnessError("jobs: unknown job %r in needs" % j)
        needs = jobs[j].get("needs") or []
        for n in [needs] if isinstance(needs, str) else needs:
            visit(n, stack + [j])
        done.add(j)
        order.append(j)

    for j in jobs:
        visit(j, [])
    return order


# ---------------------------------------------------------------- static checks

def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def all_steps(doc):
    """(where, step) for every step of an action or a workflow."""
    if "runs" in doc:
        for i, st in enumerate((doc["runs"] or {}).get("steps") or []):
            yield "step %d" % (i + 1), st
    for jid, job in (doc.get("jobs") or {}).items():
        for i, st in enumerate(job.get("steps") or []):
            yield "job %s step %d" % (jid, i + 1), st


INPUT_REF_RE = re.compile(r"\binputs\.([A-Za-z0-9_-]+)")


def lint(path):
    """Problems, one string each: a ${{ }} expression inside a run: script (script
    injection), a composite run step without shell: bash, an input or output without
    a description, an output without a value, an inputs.X that is not declared."""
    doc = load_yaml(path)
    problems = []
    for where, st in all_steps(doc):
        run = st.get("run")
        if run is not None and "${{" in str(run):
            problems.append("%s: %s (%s): ${{ }} inside run:; pass it through env:" % (path, where, st.get("name")))
        if "runs" in doc and run is not None and st.get("shell") != "bash":
            problems.append("%s: %s: a composite run step needs shell: bash" % (path, where))
    if "runs" in doc:
        declared = doc.get("inputs") or {}
        for name, spec in declared.items():
            if not (spec or {}).get("description"):
                problems.append("%s: input %s has no description" % (path, name))
        for name, spec in (doc.get("outputs") or {}).items():
            if not (spec or {}).get("description"):
                problems.append("%s: output %s has no description" % (path, name))
            if not (spec or {}).get("value"):
                problems.append("%s: output %s has no value" % (path, name))
        if not doc.get("description"):
            problems.append("%s: no description" % path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for ref in sorted(set(INPUT_REF_RE.findall(text))):
            if ref not in declared:
                problems.append("%s: inputs.%s is used but not declared" % (path, ref))
    return problems


def extract_scripts(path, outdir):
    """Writes every run: script of a file to outdir, as bash with the runner's flags."""
    doc = load_yaml(path)
    base = re.sub(r"[^A-Za-z0-9]+", "-", os.path.relpath(path, REPO_ROOT)).strip("-")
    n = 0
    for where, st in all_steps(doc):
        if st.get("run") is None:
            continue
        n += 1
        out = os.path.join(outdir, "%s-%d.sh" % (base, n))
        with open(out, "w", encoding="utf-8") as f:
            f.write("#!/bin/bash\n# %s: %s\nset -eo pipefail\n%s" % (path, where, st["run"]))
        print(out)


def split_kv(spec, opt):
    if "=" not in spec:
        raise HarnessError("%s %r: want NAME=VALUE" % (opt, spec))
    k, v = spec.split("=", 1)
    return k, v


def main(argv):
    p = argparse.ArgumentParser(description="Run GitHub composite actions and workflows locally.")
    p.add_argument("mode", choices=["action", "workflow", "eval", "lint", "scripts"])
    p.add_argument("target", help="action folder, workflow file, expression (eval), "
                   "YAML file (lint), or output folder (scripts)")
    p.add_argument("files", nargs="*", help="YAML files (lint, scripts)")
    p.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                   help="job environment (for a workflow: overrides its env)")
    p.add_argument("--github", action="append", default=[], metavar="KEY=VALUE", help="github context value")
    p.add_argument("--event", default="push", help="github.event_name (default: push)")
    p.add_argument("--event-json", help="github.event payload")
    p.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--stub-output", action="append", default=[], metavar="STEP_ID.NAME=VALUE",
                   help="an output of a stubbed uses: step")
    p.add_argument("--job", default="harness", help="GITHUB_JOB for a single action")
    p.add_argument("--workspace", help="GITHUB_WORKSPACE (default: the current directory)")
    p.add_argument("--state", help="folder for the runner's files (default: a new temp folder)")
    args = p.parse_args(argv)
    try:
        if args.mode == "lint":
            problems = [p for f in [args.target] + args.files for p in lint(f)]
            for prob in problems:
                print(prob)
            return 1 if problems else 0
        if args.mode == "scripts":
            for f in args.files:
                extract_scripts(f, args.target)
            return 0
        h = Harness(args)
        if args.mode == "eval":
            ctx = h.context(Job(h, args.job, h.env_override), {"inputs": dict(split_kv(s, "--input") for s in args.input)})
            print(json.dumps(interpolate(args.target, ctx)))
            return 0
        if args.mode == "action":
            result = h.run_single_action(args.target)
        else:
            result = h.run_workflow(args.target)
    except (HarnessError, OSError, yaml.YAMLError, KeyError, IndexError, ValueError) as e:
        print("actions-harness: %s" % e, file=sys.stderr)
        return 2
    result["state"] = h.state
    print(json.dumps(result, indent=1, sort_keys=True))
    return 0 if result["status"] == "success" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
