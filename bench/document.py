"""BENCHMARKS.md, where each benchmark rewrites only its own blocks (between `<!-- name key -->` markers)."""

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def write_block(text: str, *, benchmark: str, key: str, section: str) -> None:
    """Put ``text`` between the markers of ``benchmark`` and ``key``, replacing an earlier run; a new block
    goes at the end of the ``## section`` heading's part (made at the end of the file if missing)."""
    start, end = f"<!-- {benchmark} {key} -->", f"<!-- /{benchmark} {key} -->"
    block = f"{start}\n{text}\n{end}"
    document = README.read_text() if README.exists() else "# Benchmarks\n"
    if start in document:
        head, rest = document.split(start, 1)
        document = head + block + rest.split(end, 1)[1]
    elif f"## {section}" in document:
        head, rest = document.split(f"## {section}", 1)
        following = rest.find("\n## ")
        cut = len(rest) if following < 0 else following
        document = f"{head}## {section}{rest[:cut].rstrip()}\n\n{block}\n{rest[cut:]}"
    else:
        document = f"{document.rstrip()}\n\n## {section}\n\n{block}\n"
    README.write_text(document)
