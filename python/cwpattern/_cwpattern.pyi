# Type stubs for the Rust extension module; the docstrings are on the functions themselves.
from typing import Final, List, Literal, Optional, Tuple, final

from .types import CheckReport, EventInput, Outcome, Parsed, PatternKind, Related, Rule, Verdict

__version__: Final[str]

class PatternError(ValueError):
    message: str
    offset: int
    end: int
    byte_span: Tuple[int, int]
    pattern: str
    rendered: str

@final
class Matcher:
    @property
    def pattern(self) -> str: ...
    @property
    def canonical(self) -> str: ...
    @property
    def kind(self) -> PatternKind: ...
    def matches(self, event: EventInput) -> bool: ...
    def evaluate(self, event: EventInput) -> Outcome: ...

def parse(pattern: str) -> Parsed: ...
def fmt(pattern: str) -> str: ...
def matches(pattern: str, event: EventInput) -> bool: ...
def compile(pattern: str) -> Matcher: ...
def relate(left: str, right: str) -> Related: ...
def check(
    pattern: str,
    rule: str = "iam-policy-changes",
    *,
    version: Optional[str] = None,
    assume: Literal["cloudtrail", "none"] = "cloudtrail",
    noise: bool = True,
) -> CheckReport: ...
def verdict(
    pattern: str,
    rule: str = "iam-policy-changes",
    *,
    version: Optional[str] = None,
    assume: Literal["cloudtrail", "none"] = "cloudtrail",
) -> Verdict: ...
def rules() -> List[Rule]: ...
