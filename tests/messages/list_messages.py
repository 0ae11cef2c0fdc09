#!/usr/bin/env python3
"""Lists the messages a user can cause and checks that a test checks each one.

A message is the literal text handed to one of the places that report errors:

  Status::error(...)                    runtime/, compiler/ (the JIT), examples/
  emitOpError(...) / emitError(...)     compiler/ (verifiers, passes, the driver)
  error = ... (an out-parameter)        compiler/ (targets, tracing), examples/
  throw TraceError(...), std::cerr      dsl/ (what only tracing can see)
  static_assert(..., "... [TFM_*]")     dsl/ (DSL misuse; tests/compile_fail/)
  fprintf(stderr, ...), errs()          examples/, tfmc
A lambda or function that hands its string parameter to one of these (`fail`,
`usage`) makes each of its calls that adds a phrase a message of its own; a
one-line helper that returns a string (`prefix(path)`) is read where it is
called. The text is split into pieces where values go in.

Each message gets a fragment: its longest piece (at least 12 characters, no
format placeholders) that no other message holds, or a part of one (without
a "tfmc: " prefix, or either side of a HINT). A message is tested when a test
checks that fragment: a lit directive line (CHECK, expected-error; not RUN,
not CHECK-NOT), the literals of one statement of a C++ test (with the
file's string constants it names), a CMake regular expression
(PASS_REGULAR_EXPRESSION, compile_fail's EXPECT, MATCHES) in tests/ or
examples/; regular-expression escapes (\\[, \\., {{...}}) read as what
they match. Where no piece names a message alone, the test must hold all of
its pieces in that one place.

tests/messages/untestable.txt lists the few messages no input can provoke,
each with its reason. It greps; it builds and runs nothing.

  list_messages.py           prints each untested message, exits 1 if any
  list_messages.py --list    prints every message and the test that checks it
"""

import argparse
import bisect
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE_DIRS = ["compiler", "dsl", "runtime", "examples"]
SOURCE_EXTS = (".cpp", ".hpp", ".h")
ALLOWLIST = os.path.join("tests", "messages", "untestable.txt")
MIN_FRAGMENT = 12  # shorter pieces are too common to name one message

# ---------------------------------------------------------------- C++ lexing


class Source:
    """A C++ file: `code` has comments blanked and literal contents masked
    (same offsets as the text); `literals` are (start, end, value)."""

    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.literals = []
        code = list(text)
        i, n = 0, len(text)
        ident = re.compile(r"(?:u8|u|U|L)?R?$")
        while i < n:
            c = text[i]
            if text.startswith("//", i):
                j = text.find("\n", i)
                j = n if j < 0 else j
                code[i:j] = " " * (j - i)
                i = j
            elif text.startswith("/*", i):
                j = text.find("*/", i + 2)
                j = n if j < 0 else j + 2
                code[i:j] = [ch if ch == "\n" else " " for ch in text[i:j]]
                i = j
            elif c == '"':
                # A prefix (u8, L, R...) belongs to the literal.
                k = i
                while k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_"):
                    k -= 1
                prefix = text[k:i]
                if ident.match(prefix) and prefix.endswith("R"):
                    m = re.compile(r'"([^(\s]{0,16})\(').match(text, i)
                    end = text.find(")" + m.group(1) + '"', m.end())
                    end = n if end < 0 else end + len(m.group(1)) + 2
                    value = text[m.end() : end - len(m.group(1)) - 2]
                else:
                    j = i + 1
                    while j < n and text[j] != '"' and text[j] != "\n":
                        j += 2 if text[j] == "\\" else 1
                    end = min(j + 1, n)
                    value = unescape_c(text[i + 1 : end - 1])
                self.literals.append((i, end, value))
                code[i + 1 : end - 1] = [ch if ch == "\n" else "x" for ch in text[i + 1 : end - 1]]
                i = end
            elif c == "'":
                # A digit separator (1'000) or a character literal.
                if i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                    i += 1
                    continue
                m = re.compile(r"'(\\.[^'\n]{0,8}|[^'\\\n]{1,4})'").match(text, i)
                if not m:
                    i += 1
                    continue
                code[i + 1 : m.end() - 1] = "x" * (m.end() - i - 2)
                i = m.end()
            else:
                i += 1
        self.code = "".join(code)
        self.starts = [lit[0] for lit in self.literals]
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset):
        return bisect.bisect_right(self.line_starts, offset)

    def literals_in(self, begin, end):
        """The literals in [begin, end), adjacent ones joined: [(start, value)]."""
        k = bisect.bisect_left(self.starts, begin)
        groups = []
        last_end = None
        while k < len(self.literals) and self.literals[k][1] <= end:
            s, e, v = self.literals[k]
            if last_end is not None and self.code[last_end:s].strip() == "":
                groups[-1] = (groups[-1][0], groups[-1][1] + v)
            else:
                groups.append((s, v))
            last_end = e
            k += 1
        return groups

    def matching(self, open_at):
        """The offset just past the bracket that closes the one at `open_at`."""
        pairs = {"(": ")", "[": "]", "{": "}"}
        depth = 0
        for j in range(open_at, len(self.code)):
            ch = self.code[j]
            if ch in pairs:
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth == 0:
                    return j + 1
        return len(self.code)

    def expression_end(self, i):
        """Where the expression running from `i` ends: at a `;`, `,`, `?` or
        `:` of its own level, or at a bracket closing an enclosing one."""
        depth = 0
        code = self.code
        while i < len(code):
            ch = code[i]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif depth == 0:
                if ch in ";,?":
                    return i
                if ch == ":" and code[i - 1] != ":" and code[i + 1 : i + 2] != ":":
                    return i
            i += 1
        return i


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def unescape_c(s):
    def one(m):
        e = m.group(1)
        if e[0] == "x":
            return chr(int(e[1:], 16))
        if e[0] in "uU":
            return chr(int(e[1:], 16))
        return ESCAPES.get(e, e)

    return re.sub(r"\\(x[0-9a-fA-F]+|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", one, s)


# ---------------------------------------------------------------- messages

PRINTF = re.compile(
    r"%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGsScp%]"
)
STRING_TYPE = re.compile(
    r"(?:const\s+)?(?:std::string|std::string_view|llvm::Twine|Twine|llvm::StringRef|StringRef"
    r"|const\s+char\s*\*|char\s*\*)\s*&{0,2}\s*(\w+)\s*$"
)
# Glue at a piece's ends ("': " in "'" + name + "': "), left and right.
LEFT_EDGES, RIGHT_EDGES = " \t'\":,;)", " \t'\":,;("
KEYWORDS = {"if", "for", "while", "switch", "return", "catch", "sizeof", "else", "do"}

# An item of a message's text: ("lit", text), ("alt", text) (one of several
# a condition picks), ("param", name) or ("break", None),
# where a value made elsewhere goes in.
BREAK = ("break", None)


class Message:
    def __init__(self, path, line, kind, items):
        self.path, self.line, self.kind = path, line, kind
        self.pieces = pieces_of(items)
        self.alternatives = set(pieces_of(items, alternatives=True))
        self.fragment = None  # the piece the tests must hold
        self.candidates = []  # [(piece, longer pieces of other messages holding it)]
        self.context = []  # the other pieces a test must hold with a weak fragment
        self.tested_at = None
        self.allowed = None

    def where(self):
        return "%s:%d" % (self.path, self.line)


def pieces_of(items, alternatives=False):
    """The literal runs of `items`, stripped of their glue; with
    `alternatives`, only those that are one of several (`c ? "a" : "b"`)."""
    pieces, run, alt = [], "", False
    for kind, value in items + [BREAK]:
        if kind in ("lit", "alt"):
            run += value
            alt |= kind == "alt"
            continue
        for part in run.split("\n"):
            part = part.lstrip(LEFT_EDGES).rstrip(RIGHT_EDGES)
            if part and (alt or not alternatives):
                pieces.append(part)
        run, alt = "", False
    return pieces


def split_top(src, b, e, seps):
    """[b, e) split at the separators of its own bracket level: [(b, e)]."""
    parts, depth, i, start = [], 0, b, b
    code = src.code
    while i < e:
        ch = code[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if code.startswith(sep, i) and not (
                    sep == "+" and (code[i + 1 : i + 2] in ("+", "=") or code[i - 1 : i] == "+")
                ):
                    parts.append((start, i))
                    start = i + len(sep)
                    i = start - 1
                    break
        i += 1
    parts.append((start, e))
    return parts


UNWRAP = re.compile(r"(?:std::|llvm::)?(?:string|move|Twine|string_view|StringRef)\s*\(")


def term_items(src, b, e, params):
    """The items of one operand of `+` or `<<`."""
    code = src.code
    while True:
        while b < e and code[b].isspace():
            b += 1
        while e > b and code[e - 1].isspace():
            e -= 1
        for tail in (".str()", ".c_str()"):
            if code[b:e].endswith(tail):
                e -= len(tail)
        m = UNWRAP.match(code, b, e)
        open_at = m.end() - 1 if m else b
        if code[open_at : open_at + 1] == "(" and src.matching(open_at) == e:
            b, e = open_at + 1, e - 1
            continue
        break
    if len(split_top(src, b, e, ("+", "<<"))) > 1:
        return expression_items(src, b, e, params)
    call = re.match(r"(\w+)\s*\(", code[b:e])
    if call and call.group(1) in src.helpers and src.matching(b + call.end() - 1) == e:
        return src.helpers[call.group(1)]  # its text, where its arguments go in breaks
    groups = src.literals_in(b, e)
    if len(groups) == 1 and re.fullmatch(r'(?:(?:u8|u|U|L)?R?"[^"]*"\s*)+', code[b:e]):
        return [("lit", groups[0][1])]
    if re.fullmatch(r"\w+", code[b:e]) and code[b:e] in params:
        return [("param", code[b:e])]
    items = [BREAK]  # text chosen at run time: each literal one of its options
    for _, value in groups:
        items += [("alt", value), BREAK]
    return items


def expression_items(src, b, e, params=()):
    items = []
    for tb, te in split_top(src, b, e, ("+", "<<")):
        items += term_items(src, tb, te, params)
    return items


def printf_items(src, args, params):
    """fprintf(stderr, format, values...): the format, a %s of a parameter
    standing for it."""
    if len(args) < 2:
        return []
    groups = src.literals_in(*args[1])
    if not groups:
        return []
    fmt = "".join(v for _, v in groups)
    values = args[2:]
    items, k = [], 0
    pos = 0
    for m in PRINTF.finditer(fmt):
        items.append(("lit", fmt[pos : m.start()]))
        pos = m.end()
        if m.group() == "%%":
            items.append(("lit", "%"))
            continue
        value = term_items(src, *values[k], params) if k < len(values) else [BREAK]
        items += value if value and value[0][0] == "param" and len(value) == 1 else [BREAK]
        k += 1
    items.append(("lit", fmt[pos:]))
    return items


TOOLS = os.path.join("compiler", "tools")
# (kind, pattern, directories, how its text is taken). The pattern ends at
# the opening bracket of the call, or where an assigned expression starts.
SINKS = [
    ("status", r"\bStatus::error\s*\(", SOURCE_DIRS, "call"),
    ("diagnostic", r"\b(?:emitOpError|emitError)\s*\(", ["compiler"], "chain"),
    ("trace", r"\bthrow\s+TraceError\s*\(", ["dsl"], "call"),
    ("stderr", r"\bstd::cerr\s*<<", ["dsl", "examples"], "stream"),
    ("stderr", r"\bllvm::errs\(\)\s*<<(?=[^;]*\"[^\";]*\berror\b)", [TOOLS], "stream"),
    ("stderr", r"\bfprintf\s*\(\s*stderr\s*,", ["examples"], "printf"),
    ("static_assert", r"\bstatic_assert\s*\(", ["dsl"], "assert"),
    # std::string &error, targetError, r.error, what: an error made here
    # and reported by the caller.
    ("error", r"(?<![=!<>\w])(?:\w+\.)?(?:error|\w+Error|what)\s*=(?!=)", ["compiler", "examples"],
     "assign"),
]


def sink_items(src, m, how, params=()):
    """(end of the sink's text, its items)."""
    code = src.code
    if how in ("call", "printf", "assert", "chain"):
        open_at = code.rfind("(", 0, m.end())
        close = src.matching(open_at)
        args = split_top(src, open_at + 1, close - 1, (",",))
        if how == "printf":
            return close, printf_items(src, args, params)
        if how == "assert":
            groups = [v for _, v in src.literals_in(open_at, close) if "[TFM_" in v]
            return close, [("lit", v) for v in groups]
        items = []
        for k, a in enumerate(args):
            items += ([BREAK] if k else []) + expression_items(src, a[0], a[1], params)
        if how == "chain":
            end = src.expression_end(close)
            if code[close:end].lstrip().startswith("<<"):
                items += expression_items(src, code.index("<<", close) + 2, end, params)
            close = end
        return close, items
    if how == "stream":
        end = code.find(";", m.end())
        return end, expression_items(src, m.end(), end, params)
    if how == "assign":
        end = src.expression_end(m.end())
        if re.match(r"\s*(?:\w+::)*Status::error", code[m.end() : end]):
            return end, []
        return end, expression_items(src, m.end(), end, params)
    raise ValueError(how)


def in_areas(path, dirs):
    return any(path == d or path.startswith(d + os.sep) for d in dirs)


DEFINITIONS = [
    # auto fail = [&](const std::string& what) { ... }
    re.compile(r"\bauto\s+(\w+)\s*=\s*\[[^\]]*\]\s*(\()"),
    # Status check_spec(const std::string& at, ...) { ... }
    re.compile(
        r"^[ \t]*(?:(?:inline|static|constexpr)\s+)*[\w:]+(?:<[^;{}()]*>)?[&*]?\s+"
        r"(?:\w+::)*(\w+)\s*(\()",
        re.M,
    ),
]


# What may stand between the parameters and the body: `const`, `-> T`.
BEFORE_BODY = re.compile(r"\s*(?:const\s*)?(?:noexcept\s*)?(?:->\s*[\w:<>]+\s*)?")


def find_wrappers(src, sinks):
    """Lambdas and functions that hand a string parameter to a sink; their
    calls are the messages. {name: (definition span, parameter names by
    position, [(sink offset, template items)])}."""
    wrappers = {}
    for pattern in DEFINITIONS:
        for m in pattern.finditer(src.code):
            name = m.group(1)
            if name in KEYWORDS:
                continue
            params_end = src.matching(m.start(2))
            params = []
            for b, e in split_top(src, m.start(2) + 1, params_end - 1, (",",)):
                t = STRING_TYPE.search(src.code[b:e].split("=")[0])
                params.append(t.group(1) if t else None)
            names = [p for p in params if p]
            body_open = src.code.find("{", params_end)
            if not names or body_open < 0:
                continue
            if not BEFORE_BODY.fullmatch(src.code[params_end:body_open]):
                continue
            body_end = src.matching(body_open)
            templates = []
            for offset, sm, how in sinks:
                if body_open < offset < body_end:
                    _, items = sink_items(src, sm, how, tuple(names))
                    if any(k == "param" for k, _ in items):
                        templates.append((offset, items))
            if templates:
                wrappers[name] = ((m.start(), body_end), params, templates)
    return wrappers


HELPER = re.compile(
    r"^(?:inline\s+|static\s+)*std::string\s+(\w+)\s*(\([^()]*\))\s*(?:const\s*)?\{\s*return\b",
    re.M,
)


def find_helpers(src):
    """Functions of the file that only return a string built of literals and
    their arguments (`std::string prefix(path) { return "tfm: weights '" ...; }`):
    {name: items}, read where a message calls them."""
    helpers = {}
    for m in HELPER.finditer(src.code):
        end = src.code.find(";", m.end())
        one_return = re.fullmatch(r"\s*\}", src.code[end + 1 : src.code.find("}", end) + 1])
        if one_return and src.literals_in(m.end(), end):
            helpers[m.group(1)] = expression_items(src, m.end(), end)
    return helpers


def file_messages(src):
    src.helpers = {}  # (read while the helpers themselves are read)
    src.helpers = find_helpers(src)
    sinks = []  # (offset, match, how, kind)
    for kind, pattern, dirs, how in SINKS:
        if in_areas(src.path, dirs):
            sinks += [(m.start(), m, how, kind) for m in re.finditer(pattern, src.code)]
    sinks.sort(key=lambda s: s[0])
    wrappers = find_wrappers(src, [(o, m, how) for o, m, how, _ in sinks])
    sink_at = {o for o, _, _, _ in sinks}
    found = []  # (offset, kind, items)
    templated = set()
    for name, ((dbegin, dend), params, templates) in wrappers.items():
        for m in re.finditer(r"(?<![\w.>:])%s\s*\(" % re.escape(name), src.code):
            if dbegin <= m.start() < dend or m.start() in sink_at:
                continue
            head = src.code[max(0, m.start() - 40) : m.start()]
            if re.search(r"\b(?:auto|int|Status|bool|void|LogicalResult)\s+$", head):
                continue  # a declaration, not a call
            open_at = m.end() - 1
            args = split_top(src, open_at + 1, src.matching(open_at) - 1, (",",))
            for offset, template in templates:
                items, own = [], False
                for kind, value in template:
                    if kind == "param":
                        k = params.index(value)
                        arg = expression_items(src, *args[k]) if k < len(args) else [BREAK]
                        # A phrase of its own ("an input gradient"), not a
                        # key that the template names ("vector_bits").
                        own |= any(a[0] in ("lit", "alt") and " " in a[1].strip() for a in arg)
                        items += arg
                    else:
                        items.append((kind, value))
                if own:  # else the call's message is the template's own
                    found.append((m.start(), "wrapped:" + name, items))
                    templated.add(offset)
    for offset, m, how, kind in sinks:
        if offset not in templated:
            found.append((offset, kind, sink_items(src, m, how)[1]))
    found.sort(key=lambda f: f[0])
    return [Message(src.path, src.line(o), kind, items) for o, kind, items in found]


def collect_messages(root):
    messages = []
    for top in SOURCE_DIRS:
        for dirpath, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(SOURCE_EXTS):
                    path = os.path.relpath(os.path.join(dirpath, f), root)
                    with open(os.path.join(root, path), encoding="utf-8") as fh:
                        messages += file_messages(Source(path, fh.read()))
    # A message says something of its own: not only a short prefix that
    # longer messages hold ("tfm: jit: " + an error made elsewhere).
    pool = [(m, p) for m in messages for p in m.pieces]
    kept = []
    for m in messages:
        if not m.pieces or max(len(p) for p in m.pieces) < 4:
            continue
        prefix_only = max(len(p) for p in m.pieces) < MIN_FRAGMENT and all(
            any(o is not m and p in q and p != q for o, q in pool) for p in m.pieces
        )
        if not prefix_only:
            kept.append(m)
    return kept


def choose_fragments(messages):
    """Each message's candidate fragments, best first: its pieces of at least
    MIN_FRAGMENT characters that no other message holds, longest first; only
    where it has none, its shorter pieces of its own; and only where it has
    none of those either, the pieces it shares. With each, the longer pieces of
    other messages that hold it (a test of those does not test this one)."""
    pool = [(m, p) for m in messages for p in m.pieces]
    for m in messages:
        pieces = sorted(set(m.pieces), key=lambda p: (-len(p), p))
        supers = {p: sorted({q for (o, q) in pool if o is not m and p in q}) for p in pieces}
        own = [p for p in pieces if p not in supers[p]]
        # A test may check a part of a piece: the message without the
        # program's prefix ("seed_walkthrough: "), or without its hint.
        parts = []
        for p in own:
            for q in parts_of(p):
                held = any(o is not m and q in r for o, r in pool)
                if len(q) >= MIN_FRAGMENT and q not in parts and not held:
                    parts.append(q)
        chosen = parts or own or pieces
        m.candidates = [(p, [q for q in supers.get(p, []) if q != p]) for p in chosen]
        m.fragment = chosen[0]
        # A fragment that does not name the message alone (short, or other
        # messages hold it too) counts only with the rest of its text.
        if not parts:
            m.context = [p for p in m.pieces if len(p) >= 4 and p not in m.alternatives]


def parts_of(piece):
    """`piece`, then without its leading "name: " prefixes, then the message
    and the hint on either side of " ---> HINT: "."""
    out = [piece]
    rest = piece
    while True:
        m = re.match(r"[\w.:/<>-]*\w: (?=\S)", rest)
        if not m or m.end() >= len(rest):
            break
        rest = rest[m.end() :]
        out.append(rest)
    for p in list(out):
        out += [h.strip() for h in p.split("---> HINT:") if h.strip() and h.strip() != p]
    return out


# ---------------------------------------------------------------- tests


class Chunk:
    """What a test checks in one place: a lit directive line, the literals of
    a C++ statement, a CMake regular expression. `variants`: as written, and
    with regular-expression escapes read."""

    def __init__(self, path, line, text):
        self.path, self.line = path, line
        self.variants = {text, unescape_regex(text)}


def unescape_regex(s):
    # FileCheck's {{regex}} and [[#...]] aside, a backslash before a
    # punctuation character matches that character (regex, CMake, C).
    s = re.sub(r"\{\{(.*?)\}\}", lambda m: m.group(1), s)
    prev = None
    while prev != s:
        prev = s
        s = re.sub(r"\\([^A-Za-z0-9])", r"\1", s)
    return s


LIT_DIRECTIVE = re.compile(
    r"(?://|#|;)\s*(?:expected-(?:error|warning|note|remark)\b"
    r"|[A-Za-z0-9_]+(?:-(?:NEXT|SAME|DAG|LABEL|EMPTY))?:)"
)
LIT_NOT = re.compile(r"(?://|#|;)\s*(?:[A-Za-z0-9_]+-NOT|RUN):")
CONSTANT = re.compile(
    r"\b(?:constexpr|const)\s+(?:static\s+)?[\w:<>]+\s*\*?\s*(?:const\s+)?(\w+)\s*="
)
LITERAL_CODE = re.compile(r'(?:u8|u|U|L)?R?"[^"]*"')  # a literal, as Source.code masks it
CMAKE_REGEX = re.compile(
    r"\b(?:PASS_REGULAR_EXPRESSION|EXPECT|MATCHES)\s+(\"(?:[^\"\\]|\\.)*\"|\[(=*)\[.*?\]\2\])", re.S
)


def cmake_value(v):
    if v.startswith("["):
        eq = len(v) - len(v.lstrip("[=")) - 2  # [==[ ... ]==]
        return v[eq + 2 : len(v) - eq - 2]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), v[1:-1])


def collect_chunks(root):
    chunks = []
    test_files = []
    for dirpath, dirs, files in os.walk(os.path.join(root, "tests")):
        dirs.sort()
        if os.path.relpath(dirpath, root) == os.path.join("tests", "messages"):
            files = ["CMakeLists.txt"]  # not the allowlist, nor this script
        test_files += [os.path.join(dirpath, f) for f in sorted(files)]
    for dirpath, _, files in os.walk(os.path.join(root, "examples")):
        test_files += [os.path.join(dirpath, f) for f in files if f == "CMakeLists.txt"]
    lit_root = os.path.join(root, "tests", "lit") + os.sep
    for full in test_files:
        path = os.path.relpath(full, root)
        try:
            with open(full, encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, OSError):
            continue
        name = os.path.basename(full)
        if name == "CMakeLists.txt" or name.endswith(".cmake"):
            for m in CMAKE_REGEX.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                chunks.append(Chunk(path, line, cmake_value(m.group(1))))
        elif full.startswith(lit_root) and name.endswith((".mlir", ".test", ".ll", ".cpp")) and (
            "RUN:" in text or "expected-" in text or "CHECK" in text
        ):
            for n, line in enumerate(text.split("\n"), 1):
                if LIT_DIRECTIVE.search(line) and not LIT_NOT.search(line):
                    chunks.append(Chunk(path, n, line))
        elif name.endswith(SOURCE_EXTS):
            # One chunk per statement: its literals, one a line (a message
            # checked piece by piece around the values it holds).
            # A constant of the file (`constexpr std::string_view kHint = "...";`)
            # is read where a statement names it.
            src = Source(path, text)
            bounds = [0] + [m.end() for m in re.finditer(r"[;{}]", src.code)] + [len(text)]
            constants = {}
            for m in CONSTANT.finditer(src.code):
                end = src.code.find(";", m.end())
                groups = src.literals_in(m.end(), end)
                if groups and not LITERAL_CODE.sub("", src.code[m.end() : end]).strip():
                    constants[m.group(1)] = "".join(v for _, v in groups)
            for b, e in zip(bounds, bounds[1:]):
                groups = src.literals_in(b, e)
                named = [c for n, c in constants.items() if re.search(r"\b%s\b" % n, src.code[b:e])]
                if groups or named:
                    line = src.line(groups[0][0] if groups else b)
                    chunks.append(Chunk(path, line, "\n".join([v for _, v in groups] + named)))
    return chunks


def tested_at(fragment, supers, context, chunks):
    """The first chunk holding `fragment` other than inside one of `supers`,
    and holding each piece of `context` too."""
    for c in chunks:
        for v in c.variants:
            if not all(p in v for p in context):
                continue
            i = v.find(fragment)
            while i >= 0:
                inside = False
                for s in supers:
                    k = s.find(fragment)
                    while k >= 0 and not inside:
                        inside = v.startswith(s, i - k) if i - k >= 0 else False
                        k = s.find(fragment, k + 1)
                    if inside:
                        break
                if not inside:
                    return c
                i = v.find(fragment, i + 1)
    return None


def read_allowlist(root):
    """[(path, fragment, reason, line)]: `path: fragment  # reason`."""
    entries = []
    full = os.path.join(root, ALLOWLIST)
    if not os.path.exists(full):
        return entries, []
    errors = []
    with open(full, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"(\S+?):\s+(.*?)\s+#\s*(\S.*)$", line)
            if not m:
                errors.append("%s:%d: expected 'path: fragment  # reason'" % (ALLOWLIST, n))
                continue
            entries.append((m.group(1), m.group(2), m.group(3), n))
    return entries, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="every message and where it is tested")
    parser.add_argument("--root", default=ROOT, help="the source tree (default: this script's)")
    args = parser.parse_args()

    messages = collect_messages(args.root)
    choose_fragments(messages)
    chunks = collect_chunks(args.root)
    allow, errors = read_allowlist(args.root)
    for m in messages:
        for p, supers in m.candidates:
            c = tested_at(p, supers, m.context, chunks)
            if c:
                m.tested_at = "%s:%d" % (c.path, c.line)
                break
    # An allowlist line names the one message of its file with a piece equal
    # to its fragment, else the one with a piece that holds it.
    for path, fragment, reason, n in allow:
        mine = [m for m in messages if m.path == path]
        named = [m for m in mine if fragment in m.pieces] or [
            m for m in mine if any(fragment in p for p in m.pieces)
        ]
        if not named:
            errors.append("%s:%d: '%s' names no message of %s" % (ALLOWLIST, n, fragment, path))
        elif len(named) > 1:
            errors.append(
                "%s:%d: '%s' names %d messages of %s (%s): quote more of one"
                % (ALLOWLIST, n, fragment, len(named), path, ", ".join(str(m.line) for m in named))
            )
        elif named[0].tested_at:
            errors.append(
                "%s:%d: '%s' is tested at %s: take it off the list"
                % (ALLOWLIST, n, fragment, named[0].tested_at)
            )
        else:
            named[0].allowed = reason

    untested = [m for m in messages if not m.tested_at and not m.allowed]

    if args.list:
        for m in messages:
            status = (
                "tested at " + m.tested_at
                if m.tested_at
                else ("untestable: " + m.allowed if m.allowed else "UNTESTED")
            )
            print("%s: [%s] %s\n    %s" % (m.where(), m.kind, m.fragment, status))
    else:
        for m in untested:
            print("%s: %s" % (m.where(), m.fragment))
    for e in errors:
        print(e)
    tested = sum(1 for m in messages if m.tested_at)
    allowed = sum(1 for m in messages if m.allowed)
    print(
        "%d messages: %d tested, %d untestable (%s), %d untested"
        % (len(messages), tested, allowed, ALLOWLIST, len(untested))
    )
    return 1 if untested or errors else 0


if __name__ == "__main__":
    sys.exit(main())
