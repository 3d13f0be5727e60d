#!/usr/bin/env python3
"""The error messages' catalogue (i18n/<lang>/errors.json) from the C sources.

Every message the API answers is made from a printf format that is a string
literal: err_set(d, e, field, FMT, ...), http_problem_msg(r, e, FMT, ...),
http_upload_fail(r, e, FMT, ...) and http_field_error(f, name, FMT, ...).
This script finds them all (calls split over lines, adjacent literals,
PRId64-style macros, `c ? "a" : "b"`), and keys each by a stable id: the
first 12 hex digits of the 64-bit FNV-1a hash of the format's bytes (as the
compiler stores it), the same id src/base/err.c computes at run time. The
English template is the format with its conversions numbered as holes
("must be at most %zu bytes" -> "must be at most {1} bytes"). The problem
titles (http_problem_title in src/http/server.c, else the error's code) are
"errors.title.<code>".

    errors_catalogue.py            rewrite i18n/en/errors.json; list German
                                   entries missing or stale; exit 1 if any
    errors_catalogue.py --check    the same without writing (lint)
    errors_catalogue.py --c-header the formats as a C table for the unit test
    errors_catalogue.py --list     id, holes, file:line and format, one a line
"""
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

# The functions that take a message format, and the index of the format
# among their arguments.
FORMAT_FUNCTIONS = {'err_set': 3, 'http_problem_msg': 2, 'http_upload_fail': 2,
                    'http_field_error': 2}

# <inttypes.h> on x86-64 glibc (LP64): what the macros expand to.
PRI_MACROS = {}
for conv in 'diouxX':
    for bits, length in (('8', 'hh'), ('16', 'h'), ('32', ''), ('64', 'l')):
        PRI_MACROS[f'PRI{conv}{bits}'] = length + conv
    PRI_MACROS[f'PRI{conv}MAX'] = 'l' + conv
    PRI_MACROS[f'PRI{conv}PTR'] = 'l' + conv

CONVERSION = re.compile(r"%([-+ #0']*)(\*|[0-9]+)?(?:\.(\*|[0-9]*))?(hh|h|ll|l|z|j|t|L)?([diouxXcspfFgGeEaA%])")


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def format_id(fmt_bytes):
    return ('%016x' % fnv1a64(fmt_bytes))[:12]


def template(fmt):
    """The format with its conversions as holes {1} {2} …, and their count;
    None when a conversion is not one err.c knows."""
    out, n, i = [], 0, 0
    while i < len(fmt):
        c = fmt[i]
        if c != '%':
            out.append(c)
            i += 1
            continue
        m = CONVERSION.match(fmt, i)
        if m is None:
            return None, 0
        if m.group(5) == '%':
            out.append('%')
        else:
            n += 1
            out.append('{%d}' % n)
        i = m.end()
    return ''.join(out), n


def strip_comments(text):
    """Comments become spaces (newlines kept, so lines still count)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def call_arguments(text, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren."""
    args, depth, start, i = [], 0, open_paren + 1, open_paren
    while i < len(text):
        c = text[i]
        if c in '"\'':
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            i = j + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append(text[start:i])
                return args
        elif c == ',' and depth == 1:
            args.append(text[start:i])
            start = i + 1
        i += 1
    return args


ESCAPES = {'n': b'\n', 't': b'\t', 'r': b'\r', '\\': b'\\', '"': b'"', "'": b"'", '?': b'?',
           'a': b'\a', 'b': b'\b', 'f': b'\f', 'v': b'\v'}


def decode_literal(body):
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        e = body[i + 1]
        if e == 'x':
            m = re.match(r'[0-9a-fA-F]+', body[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif e in '01234567':
            m = re.match(r'[0-7]{1,3}', body[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out += ESCAPES[e]
            i += 2
    return bytes(out)


TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))', re.S)


def literal_formats(arg):
    """The formats an argument can be: adjacent literals and PRI macros, or
    the two arms of `cond ? A : B`; None when it is not made of literals."""
    arg = arg.strip()
    depth, q = 0, -1
    i = 0
    while i < len(arg):
        c = arg[i]
        if c == '"':
            j = i + 1
            while arg[j] != '"':
                j += 2 if arg[j] == '\\' else 1
            i = j + 1
            continue
        if c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
        elif c == '?' and depth == 0 and q < 0:
            q = i
        elif c == ':' and depth == 0 and q >= 0:
            a, b = literal_formats(arg[q + 1:i]), literal_formats(arg[i + 1:])
            return None if a is None or b is None else a + b
        i += 1
    while arg.startswith('(') and arg.endswith(')'):
        arg = arg[1:-1].strip()
    out, pos = b'', 0
    while pos < len(arg):
        m = TOKEN.match(arg, pos)
        if m is None or m.end() == pos:
            return None
        if m.group(2) is not None:
            if m.group(2) not in PRI_MACROS:
                return None
            out += PRI_MACROS[m.group(2)].encode()
        else:
            out += decode_literal(m.group(1))
        pos = m.end()
        if arg[pos:].strip() == '':
            break
    return [out] if pos > 0 else None


def source_files():
    for top in ('src',):
        for d, _, files in sorted(os.walk(os.path.join(ROOT, top))):
            for f in sorted(files):
                if f.endswith('.c') or f.endswith('.h'):
                    yield os.path.join(d, f)


def extract():
    """(formats, problems): formats maps the bytes of each format to the
    places it is used, in the order first met."""
    formats, problems = {}, []
    call = re.compile(r'\b(' + '|'.join(FORMAT_FUNCTIONS) + r')\s*\(')
    for path in source_files():
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding='utf-8') as fh:
            text = strip_comments(fh.read())
        for m in call.finditer(text):
            line = text.count('\n', 0, m.start()) + 1
            args = call_arguments(text, m.end() - 1)
            index = FORMAT_FUNCTIONS[m.group(1)]
            if len(args) <= index:
                problems.append(f'{rel}:{line}: {m.group(1)} with too few arguments')
                continue
            found = literal_formats(args[index])
            if found is None:
                # The functions' own declarations and definitions.
                if re.search(r'\bconst\s+char\s*\*', args[index]):
                    continue
                problems.append(f'{rel}:{line}: {m.group(1)} with a format that is not a '
                                f'literal: {args[index].strip()}')
                continue
            # An empty format makes no message ("" when there is none).
            for fmt in filter(None, found):
                formats.setdefault(fmt, []).append(f'{rel}:{line}')
    return formats, problems


def titles():
    """code -> English title, for every error code."""
    with open(os.path.join(ROOT, 'src/base/base.h'), encoding='utf-8') as fh:
        codes = re.findall(r'X\((ERR_[A-Z_]+),\s*\d+,\s*"([a-z_]+)"\)', fh.read())
    with open(os.path.join(ROOT, 'src/http/server.c'), encoding='utf-8') as fh:
        text = fh.read()
    body = text[text.index('http_problem_title(enum err e)'):]
    body = body[:body.index('\n}\n')]
    named = dict(re.findall(r'case (ERR_[A-Z_]+):\s*return "([^"]*)";', body))
    return {code: named.get(name, code) for name, code in codes if name != 'ERR_OK'}


def catalogue(formats):
    """The English catalogue: titles, then the formats in source order."""
    en, problems = {}, []
    for code, title in sorted(titles().items()):
        en[f'errors.title.{code}'] = title
    for fmt, places in formats.items():
        text = fmt.decode('utf-8')
        tpl, _ = template(text)
        if tpl is None:
            problems.append(f'{places[0]}: a conversion err.c cannot keep: {text!r}')
            continue
        if re.search(r'\{[0-9]+\}', text):
            problems.append(f'{places[0]}: a format with a literal hole: {text!r}')
            continue
        key = f'errors.{format_id(fmt)}'
        if key in en and en[key] != tpl:
            problems.append(f'{places[0]}: id {key} of two formats')
        en[key] = tpl
    return en, problems


def c_string(b):
    out = []
    for ch in b:
        if ch in (0x22, 0x5c):
            out.append('\\' + chr(ch))
        elif 0x20 <= ch < 0x7f:
            out.append(chr(ch))
        else:
            out.append('\\%03o' % ch)
    return '"' + ''.join(out) + '"'


def holes(text):
    return sorted(set(re.findall(r'\{[0-9]+\}', text)))


def main(argv):
    formats, problems = extract()
    en, more = catalogue(formats)
    problems += more
    if '--c-header' in argv:
        print('/* generated by scripts/errors_catalogue.py --c-header: do not edit */')
        print('static const char *const error_formats[] = {')
        for fmt, places in formats.items():
            print(f'    {c_string(fmt)}, /* {places[0]} */')
        print('};')
        return 0
    if '--list' in argv:
        for fmt, places in formats.items():
            tpl, n = template(fmt.decode('utf-8'))
            print(f'{format_id(fmt)}\t{n}\t{places[0]}\t{fmt.decode("utf-8")}')
        return 0
    en_path = os.path.join(ROOT, 'i18n/en/errors.json')
    text = json.dumps(en, ensure_ascii=False, indent=2) + '\n'
    if '--check' in argv:
        try:
            with open(en_path, encoding='utf-8') as fh:
                if fh.read() != text:
                    problems.append('i18n/en/errors.json is stale: run scripts/errors_catalogue.py')
        except FileNotFoundError:
            problems.append('i18n/en/errors.json is missing: run scripts/errors_catalogue.py')
    else:
        with open(en_path, 'w', encoding='utf-8') as fh:
            fh.write(text)
    try:
        with open(os.path.join(ROOT, 'i18n/de/errors.json'), encoding='utf-8') as fh:
            de = json.load(fh)
    except FileNotFoundError:
        de = {}
    missing = [k for k in en if k not in de]
    stale = [k for k in de if k not in en]
    wrong = [k for k in en if k in de and holes(en[k]) != holes(de[k])]
    for k in missing:
        problems.append(f'de lacks {k}: {en[k]}')
    for k in stale:
        problems.append(f'de has {k}, which no format has any more: {de[k]}')
    for k in wrong:
        problems.append(f'de {k} has holes {holes(de[k])}, English {holes(en[k])}')
    for p in problems:
        print(p, file=sys.stderr)
    n_formats = len([k for k in en if not k.startswith('errors.title.')])
    print(f'{len(formats)} formats ({n_formats} in the catalogue), {len(en) - n_formats} titles; '
          f'German: {len(en) - len(missing)} of {len(en)} translated, {len(stale)} stale',
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
