"""The `docker run` form: every flag is text parsed by `runspec`, so each problem is a
field error naming the bad item before anything reaches the engine."""

from __future__ import annotations

from django import forms

from console.engine import runspec
from console.engine.run import RunSpec
from console.web.forms import SpecField

MAX_ENV_FILE = 1024 * 1024
# How many existing volumes the -v help names; the picker offers them all.
MAX_VOLUME_HINTS = 50
MODES = [
    ("detach", "Detached (-d): run in the background"),
    ("interactive", "Interactive with a terminal (-it): keep stdin open, allocate a tty"),
]


class RunForm(forms.Form):
    image = SpecField(
        runspec.parse_image,
        required=True,
        help_text="With its tag: busybox:1.36, registry.example:5000/team/app:2, name@sha256:…",
    )
    name = SpecField(runspec.parse_container_name, help_text="Empty: the engine picks one.")
    command = SpecField(
        runspec.parse_command,
        help_text="What follows the image on the command line, quoted as in a shell. "
        "Empty: the image's CMD.",
    )
    entrypoint = SpecField(
        runspec.parse_command,
        label="Entrypoint (--entrypoint)",
        help_text="Split like the command. Empty: the image's ENTRYPOINT.",
    )
    mode = forms.ChoiceField(choices=MODES, initial="detach", widget=forms.RadioSelect)
    ports = SpecField(
        runspec.parse_ports,
        textarea=True,
        label="Published ports (-p)",
        help_text="Space- or line-separated: 8080:80, 127.0.0.1:8080:80/tcp, "
        "8000-8002:80-82, 80 (any free host port), 127.0.0.1::80.",
    )
    expose = SpecField(
        runspec.parse_exposed,
        label="Exposed ports (--expose)",
        help_text="e.g. 80 443/udp 9000-9002",
    )
    publish_all = forms.BooleanField(
        required=False,
        label="Publish all exposed ports (-P)",
        help_text="On free host ports: the ports above and those the image exposes.",
    )
    env = SpecField(
        runspec.parse_env,
        textarea=True,
        label="Environment (-e)",
        help_text="KEY=VALUE per line, kept verbatim (quotes too). # comments and blank lines "
        "are skipped; a bare KEY sets nothing: the console lends no environment of its own.",
    )
    env_file = forms.FileField(
        required=False,
        label="Env file (--env-file)",
        help_text="Same syntax. Lines typed above win over the file's.",
    )
    volumes = SpecField(
        runspec.parse_volumes,
        textarea=True,
        label="Volumes and bind mounts (-v)",
        help_text="One per line: data:/var/lib/data (named volume), /srv/conf:/etc/app:ro "
        "(bind mount, ro or rw), /cache (anonymous volume).",
    )
    working_dir = SpecField(runspec.parse_working_dir, label="Working directory (-w)")
    user = SpecField(runspec.parse_user, label="User (-u)", help_text="name|uid[:group|gid]")
    restart = forms.ChoiceField(
        choices=[(p, p) for p in runspec.RESTART_POLICIES],
        initial="no",
        label="Restart policy (--restart)",
    )
    max_retries = forms.IntegerField(
        required=False, min_value=0, label="Maximum retries (on-failure:N)"
    )
    network = SpecField(
        runspec.parse_network,
        initial="bridge",
        label="Network (--network)",
        help_text="bridge, none, host, a network's name, or container:<name>.",
    )
    labels = SpecField(
        runspec.parse_labels, textarea=True, label="Labels (-l)", help_text="KEY=VALUE per line."
    )
    hostname = SpecField(runspec.parse_hostname, label="Hostname (-h)")
    cpus = SpecField(runspec.parse_cpus, label="CPUs (--cpus)", help_text="e.g. 0.5 or 1.5")
    memory = SpecField(
        runspec.parse_memory, label="Memory limit (-m)", help_text="e.g. 512m, 1g, 1024k, bytes"
    )
    auto_remove = forms.BooleanField(required=False, label="Remove when it exits (--rm)")

    def clean_env_file(self) -> str:
        upload = self.cleaned_data.get("env_file")
        if not upload:
            return ""
        if upload.size > MAX_ENV_FILE:
            raise forms.ValidationError("The env file is larger than 1 MiB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The env file is not UTF-8 text.") from None

    def clean(self):
        data = super().clean()
        try:
            data["file_env"] = runspec.parse_env(data.get("env_file") or "")
        except runspec.SpecError as exc:
            self.add_error("env_file", [f"env file {p}" for p in exc.problems])
        try:
            data["restart_policy"] = runspec.restart_policy(
                data.get("restart", "no"), data.get("max_retries")
            )
        except ValueError as exc:
            self.add_error("max_retries", str(exc))
        if data.get("auto_remove") and data.get("restart", "no") != "no":
            self.add_error(
                "auto_remove", "--rm and a restart policy contradict each other: choose one."
            )
        network = data.get("network")
        if network and not runspec.can_publish(network):
            if data.get("ports"):
                self.add_error("ports", f"Ports cannot be published on network “{network}”.")
            if data.get("publish_all"):
                self.add_error("publish_all", f"-P does nothing on network “{network}”.")
        if network and data.get("hostname") and not runspec.has_own_hostname(network):
            self.add_error(
                "hostname", f"On network “{network}” the hostname is not the container's own."
            )
        return data

    def run_spec(self) -> RunSpec:
        data = self.cleaned_data
        interactive = data["mode"] == "interactive"
        return RunSpec(
            image=data["image"],
            name=data["name"],
            command=data["command"],
            entrypoint=data["entrypoint"],
            tty=interactive,
            stdin_open=interactive,
            ports=data["ports"],
            exposed=data["expose"],
            publish_all=data["publish_all"],
            # The file first, then -e: later entries win, as with the docker CLI.
            env=data["file_env"] + data["env"],
            volumes=data["volumes"],
            working_dir=data["working_dir"],
            user=data["user"],
            restart=data["restart_policy"],
            network=data["network"],
            labels=data["labels"],
            hostname=data["hostname"],
            nano_cpus=data["cpus"],
            memory=data["memory"],
            auto_remove=data["auto_remove"],
        )

    def offer_volumes(self, names: list[str]) -> None:
        """Name the host's existing volumes in the -v help, for those without the
        picker's script; a new name typed there is created by the engine."""
        field = self.fields["volumes"]
        if not names:
            field.help_text += " No volumes on this host yet: a name typed here creates one."
            return
        shown = ", ".join(names[:MAX_VOLUME_HINTS])
        more = len(names) - MAX_VOLUME_HINTS
        rest = f" and {more} more" if more > 0 else ""
        field.help_text += (
            f" Volumes on this host: {shown}{rest}. A new name typed here creates one."
        )

    def carried_over(self) -> RunForm:
        """The same valid input, bound again for the next submit (pull and run, retry).
        A file input cannot be filled in again, so the env file's lines move into the
        environment box, ahead of the typed ones as docker reads them."""
        data = self.data.copy()
        file_text = self.cleaned_data.get("env_file") or ""
        if file_text:
            data["env"] = file_text.rstrip("\n") + "\n" + data.get("env", "")
        return RunForm(data)


def initial_from(spec: RunSpec) -> dict:
    """Form values that give `spec` back when submitted (duplicate/edit)."""
    return {
        "image": spec.image,
        "name": spec.name,
        "command": runspec.format_command(spec.command),
        "entrypoint": runspec.format_command(spec.entrypoint),
        "mode": "interactive" if spec.tty or spec.stdin_open else "detach",
        "ports": "\n".join(runspec.format_port(p) for p in spec.ports),
        "expose": " ".join(str(p) for p in spec.exposed),
        "publish_all": spec.publish_all,
        "env": "\n".join(spec.env),
        "volumes": "\n".join(str(v) for v in spec.volumes),
        "working_dir": spec.working_dir,
        "user": spec.user,
        "restart": spec.restart.name,
        "max_retries": spec.restart.max_retries or None,
        "network": spec.network,
        "labels": "\n".join(f"{k}={v}" for k, v in spec.labels.items()),
        "hostname": spec.hostname,
        "cpus": runspec.format_cpus(spec.nano_cpus),
        "memory": runspec.format_memory(spec.memory),
        "auto_remove": spec.auto_remove,
    }
