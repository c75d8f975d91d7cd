#!/usr/bin/env python3
"""A zip bomb shaped like a Teams package, for the tests of every zip reader (CLI deliver and fetch,
the page): manifest.json deflated from SIZE bytes of spaces, its local and central headers
rewritten to declare DECLARED bytes (what a bomb does to get past a size check), and two tiny icons.

  zip_bomb.py OUT [SIZE_MIB]    writes the zip to OUT (400 MiB inflated by default)
"""
import io, sys, zipfile

PNG = b"\x89PNG\r\n\x1a\n"


def bomb(size=400 << 20, declared=100):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("manifest.json", "w", force_zip64=False) as entry:
            for _ in range(size >> 20):
                entry.write(b" " * (1 << 20))
        archive.writestr("color.png", PNG)
        archive.writestr("outline.png", PNG)
    return buffer.getvalue().replace(size.to_bytes(4, "little"), declared.to_bytes(4, "little"))


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as out:
        out.write(bomb((int(sys.argv[2]) if len(sys.argv) > 2 else 400) << 20))
