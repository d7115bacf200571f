#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's corpus files (patterns and events).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/parse corpus/canonical corpus/eval corpus/relate corpus/scan
python3 - <<'PY'
import hashlib, json, pathlib
root = pathlib.Path('..')
patterns = set()
for name in ['corpus/realworld_patterns.jsonl', 'corpus/conformance.jsonl']:
    for line in (root / name).read_text().splitlines():
        if line.strip():
            patterns.add(json.loads(line)['pattern'])
cases = [json.loads(l) for l in (root / 'corpus/conformance.jsonl').read_text().splitlines() if l.strip()]
def put(target, data):
    path = pathlib.Path('corpus') / target / hashlib.sha1(data).hexdigest()
    path.write_bytes(data)
for p in patterns:
    put('parse', p.encode())
# scan: every configuration file of the corpus, behind a byte that picks the file name
# the target pretends it has (0 json, 1 yaml, 2 tf, 3 tfvars).
for f in sorted(list((root / 'corpus/scan').rglob('*')) + list((root / 'corpus/awscli').rglob('*'))):
    if f.is_file():
        pick = {'.json': 0, '.yaml': 1, '.yml': 1, '.tf': 2, '.tfvars': 3}.get(f.suffix, 4)
        put('scan', bytes([pick]) + f.read_bytes())
for c in cases:
    put('canonical', (c['pattern'] + '\n' + c['event']).encode())
    put('eval', (c['pattern'] + '\n' + c['event']).encode())
PY
echo "seeded: $(ls corpus/parse | wc -l) parse, $(ls corpus/canonical | wc -l) canonical/eval, $(ls corpus/scan | wc -l) scan"
