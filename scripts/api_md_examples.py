#!/usr/bin/env python3
"""Rewrites the "Example (as …)" blocks of docs/api.md from docs/api-examples.json.

Run after `node scripts/api_examples.mjs` re-recorded the examples:

    python3 scripts/api_md_examples.py

Each "### METHOD /pattern" section's example block (the curl command and the
response) is replaced by the recorded one; the prose around it is kept.
A new section gets its block by a line "EXAMPLE" where it should go.
"""
import json
import os
import re
import sys

ROOT = sys.path[0] + '/..'
# Answers that are files: described in one line, fetched with curl -OJ.
BINARY = ('application/octet-stream', 'application/pdf')
WHO = {'admin': 'the admin', 'owner': 'the owner of cus_1', 'anonymous': 'nobody signed in',
       'kraft': 'the owner who just signed up'}


def block(ex, key):
    e = ex[key]
    method = key.split(' ')[0]
    req = e['request']
    binary = e['content_type'] in BINARY
    lines = ['curl -s' + (' -OJ' if binary else '') + ('' if method == 'GET' else f' -X {method}')
             + ' \\']
    if req['path'].endswith('/auth/login'):
        lines.append('  -c jar.txt \\')  # keeps the session cookie for the calls after
    if e['role'] != 'anonymous':
        lines.append('  -b jar.txt \\')
        if method != 'GET':
            lines.append('  -H "X-CSRF-Token: $CSRF" \\')
    for k, v in (req.get('headers') or {}).items():
        lines.append(f"  -H '{k}: {v}' \\")
    if 'idempotency_key' in req:
        lines.append(f"  -H 'Idempotency-Key: {req['idempotency_key']}' \\")
    for k, v in (req.get('form') or {}).items():
        name = re.sub(r' \(\d+ bytes\)$', '', v)
        lines.append(f"  -F '{k}={name}' \\")
    if 'body' in req:
        lines.append("  -H 'Content-Type: application/json' \\")
        body = json.dumps(req['body'], separators=(',', ':'), ensure_ascii=False)
        lines.append(f"  -d '{body}' \\")
    lines.append(f"  'http://127.0.0.1:8080{req['path']}'")
    out = [f"Example (as {WHO[e['role']]}):", '', '```sh', *lines, '```', '']
    if e['status'] == 204:
        out += ['`204`, no body.']
    elif binary:
        out += [f"`{e['status']}`: {e['response']}"]
    elif e['content_type'] == 'application/json':
        out += [f"`{e['status']}`:", '', '```json',
                json.dumps(e['response'], indent=2, ensure_ascii=False), '```']
    else:
        out += [f"`{e['status']}`, `{e['content_type']}`:", '', '```text', e['response'], '```']
    return out


def main():
    ex = json.load(open(f'{ROOT}/docs/api-examples.json'))
    path = f'{ROOT}/docs/api.md'
    lines = open(path).read().split('\n')
    out, i, key, n = [], 0, None, 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^### (GET|POST|PATCH|PUT|DELETE) (\S+)\s*$', line)
        if m:
            key = f'{m.group(1)} {m.group(2)}'
        elif re.match(r'^#{1,3} ', line):
            key = None
        if key in ex and (line.startswith('Example (as ') or line == 'EXAMPLE'):
            j = i + 1
            if line != 'EXAMPLE':
                # the curl block, then the answer: fenced, or one line for a download
                fences, want = 0, 2 if ex[key]['content_type'] in BINARY else 4
                if ex[key]['status'] == 204:
                    want = 2
                while j < len(lines) and fences < want:
                    fences += lines[j].startswith('```')
                    j += 1
                if want == 2:
                    while j < len(lines) and not lines[j].startswith('`'):
                        j += 1
                    j += 1
            out.extend(block(ex, key))
            n += 1
            i = j
            continue
        out.append(line)
        i += 1
    text = '\n'.join(out)  # built whole before the file is touched
    open(path + '.tmp', 'w').write(text)
    os.replace(path + '.tmp', path)
    print(f'docs/api.md: {n} examples written')


if __name__ == '__main__':
    main()
