"""Writing a benchmark's section into BENCHMARKS.md (shared by the bench scripts)."""
import os
import re

PATH = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "BENCHMARKS.md"))


def write_section(title, lines):
    """Prints the section and puts it in place of the one headed `## title` (or at the end)."""
    section = "\n".join(lines)
    print(section)
    text = open(PATH).read()
    if "## %s\n" % title in text:
        text = re.sub(r"## %s\n.*?(?=\n## |\Z)" % re.escape(title), lambda _: section.rstrip("\n") + "\n", text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(PATH, "w").write(text)
