#!/usr/bin/env python3
"""Edits a safetensors file's metadata in place, as a damaged or hand-edited
checkpoint would have it: edit_metadata.py FILE KEY=VALUE (set) or KEY=
(remove). The tensors' data is kept byte for byte."""
import json
import struct
import sys

path, edit = sys.argv[1], sys.argv[2]
key, value = edit.split("=", 1)
with open(path, "rb") as f:
    blob = f.read()
(n,) = struct.unpack("<Q", blob[:8])
header = json.loads(blob[8 : 8 + n])
meta = header.setdefault("__metadata__", {})
if value:
    meta[key] = value
else:
    meta.pop(key, None)
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + blob[8 + n :])
