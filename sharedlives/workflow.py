"""What the workflows share: a refusal that says why, and a possible next
step with the reasons it is not allowed yet."""

from dataclasses import dataclass


class WorkflowRefused(Exception):
    """A step that is not allowed now; ``reasons`` say why, in plain words."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass
class Move:
    to: str
    label: str
    reasons: list[str]  # why it is not allowed yet; empty when it is
    via: str = ""  # the step that makes this move, when it is not a button

    @property
    def allowed(self) -> bool:
        return not self.reasons
