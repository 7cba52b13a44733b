"""A REST side that answers from a script: the syncer's rules tested in milliseconds, no server.

Each answer is keyed by (method, path); a list of answers is served in
turn (the last one repeats), an exception in the script is raised.  Every
call is recorded, so a test can say which requests a rule led to.  The
real-server tests stay: these only reach the cases a real server will not
produce on demand (a page whose seq goes back, a malformed page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ScriptedRest:
    script: Mapping[tuple[str, str], Any]
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    _served: dict[tuple[str, str], int] = field(default_factory=dict)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        key = (method, path)
        self.calls.append((method, path, dict(kwargs.get("params") or {})))
        if key not in self.script:
            raise AssertionError(f"unscripted request {method} {path}")
        answers = self.script[key]
        if isinstance(answers, list):
            turn = self._served.get(key, 0)
            self._served[key] = turn + 1
            answer = answers[min(turn, len(answers) - 1)]
        else:
            answer = answers
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def paths(self) -> list[str]:
        return [path for _method, path, _params in self.calls]
