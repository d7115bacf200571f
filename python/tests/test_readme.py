"""The Python example of the repository's README.md runs and its assertions hold."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks(section: str) -> list:
    text = README.read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start:end if end != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)


def test_the_from_python_example_runs():
    blocks = python_blocks("From Python")
    assert len(blocks) == 1
    code = compile(blocks[0], f"{README}:From Python", "exec")
    exec(code, {"__name__": "readme_example"})
