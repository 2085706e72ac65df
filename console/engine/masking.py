"""The one way the console hides values that may be secrets (environment values, volume
driver options, build arguments): the key stays readable, the value becomes MASK.

Engine functions that return such values mask them unless asked to reveal them; who may
ask is the views' business."""

from __future__ import annotations

import re

MASK = "••••••"

_KEY = r"[A-Za-z_][A-Za-z0-9_.-]*"
# `docker history` lines: the classic builder writes "|2 A=x B=y /bin/sh -c …" for a RUN
# that saw build arguments, BuildKit "RUN |2 A=x B=y /bin/sh -c … # buildkit"; an ARG step
# is "/bin/sh -c #(nop)  ARG A=default" or "ARG A=default".
_RUN_ARGS = re.compile(r"^(?P<lead>\s*(?:RUN\s+)?)\|(?P<count>\d+) (?P<rest>.*)$", re.DOTALL)
_ARG_STEP = re.compile(r"^(?P<lead>\s*(?:/bin/sh -c #\(nop\)\s+)?ARG\s+)(?P<rest>.*)$", re.DOTALL)
_ASSIGNMENT = re.compile(rf"(?P<key>{_KEY})=(?:\"[^\"]*\"|'[^']*'|\S*)")
_ARG_START = re.compile(rf"{_KEY}=")
# Where the command of a RUN begins after its build arguments: the values are not quoted,
# so a value with spaces runs on until the shell (or a path) that starts the command.
_COMMAND_START = re.compile(r"^(?:[/\\\[]|[A-Za-z]:\\|(?:cmd|powershell|pwsh)(?:\.exe)?$)", re.I)


def masked_assignment(text: str) -> str:
    """ "KEY=VALUE" as "KEY=••••••"; a bare "KEY" (no value of its own) stays."""
    key, equals, _ = text.partition("=")
    return f"{key}={MASK}" if equals else text


def masked_assignments(items: list[str] | None) -> list[str]:
    return [masked_assignment(str(item)) for item in items or []]


def masked_values(mapping: dict | None) -> dict:
    """The same keys, every value MASK."""
    return dict.fromkeys(mapping or {}, MASK)


def masked_build_args(created_by: str) -> str:
    """A `docker history` step with the values of its build arguments masked."""
    if run := _RUN_ARGS.match(created_by):
        count = int(run["count"])
        args, command = _split_run_args(run["rest"].split(" "), count)
        masked = [masked_assignment(arg) for arg in args]
        return f"{run['lead']}|{count} " + " ".join([*masked, *command])
    if arg := _ARG_STEP.match(created_by):
        rest = _ASSIGNMENT.sub(lambda m: f"{m['key']}={MASK}", arg["rest"])
        return arg["lead"] + rest
    return created_by


def _split_run_args(tokens: list[str], count: int) -> tuple[list[str], list[str]]:
    """The `count` KEY=VALUE arguments in front of a RUN's command, and the command."""
    args: list[str] = []
    for index, token in enumerate(tokens):
        if len(args) < count and _ARG_START.match(token):
            args.append(token)
        elif args and (len(args) < count or not _COMMAND_START.match(token)):
            args[-1] += " " + token  # a value with a space in it
        else:
            return args, tokens[index:]
    return args, []


def masked_build_cmd(cmd: list | None) -> list | None:
    """An image's recorded build command (`ContainerConfig.Cmd`, the classic builder's
    ["|2", "A=x", "B=y", "/bin/sh", "-c", …]) with the argument values masked."""
    if not cmd or not isinstance(cmd, list) or not re.fullmatch(r"\|\d+", str(cmd[0])):
        return cmd
    count = int(str(cmd[0])[1:])
    return [cmd[0], *masked_assignments(cmd[1 : 1 + count]), *cmd[1 + count :]]
