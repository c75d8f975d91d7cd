#!/usr/bin/env python3
"""Checks a Teams app package independently of the Swift code: exactly three root entries,
the icons' PNG sizes, and manifest.json against an official draft-04 schema (jsonschema).

  check_package.py APP.zip SCHEMA.json     prints "ok: …" or the problems, exit 1 on any
"""
import io
import json
import struct
import sys
import zipfile

import jsonschema

ICON_SIZES = {"color.png": 192, "outline.png": 32}


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24]) + (data[25],)


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    problems = []
    with zipfile.ZipFile(argv[1]) as archive:
        names = archive.namelist()
        if sorted(names) != sorted(["manifest.json"] + list(ICON_SIZES)):
            problems.append("entries are %r" % names)
        manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
        for name, size in ICON_SIZES.items():
            header = png_size(archive.read(name))
            if header is None or header[:2] != (size, size):
                problems.append("%s is %r, expected %dx%d PNG" % (name, header, size, size))
            if name == "outline.png" and header and header[2] not in (4, 6):
                problems.append("outline.png has no alpha channel")
    with open(argv[2], "rb") as handle:
        schema = json.load(handle)
    # The Teams schemas declare draft-04 but use `const` (from draft-06), which a plain draft-04
    # validator ignores; teach it that one keyword so manifestVersion is really checked.
    Validator = jsonschema.validators.extend(
        jsonschema.Draft4Validator, {"const": jsonschema.Draft6Validator.VALIDATORS["const"]}
    )
    validator = Validator(schema, format_checker=jsonschema.FormatChecker())
    for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.path)):
        problems.append("manifest %s: %s" % ("/".join(map(str, error.path)) or "$", error.message))
    if problems:
        print("\n".join(problems))
        return 1
    print("ok: %s has 3 entries and validates against %s" % (argv[1], manifest["manifestVersion"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
