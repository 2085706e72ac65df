"""Who may do what on a host: the one statement of it.

Every page, socket (and later API view) names the action it performs; this table says the
role that action needs on the host. `host_for(user, slug, action)` checks it, templates
ask a `Capabilities`, and the permission matrix tests read the same table.

Viewers read; operators run and change containers, move images and open what may hold
secrets (files, exports, saves, env values); admins change the host itself and what is
shared on it (build, load, import, prune, volumes, networks, the host's settings).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.access.models import Role

VIEWER, OPERATOR, ADMIN = Role.VIEWER, Role.OPERATOR, Role.ADMIN

POLICY: dict[str, Role] = {
    # the host
    "host.view": VIEWER,  # overview, connection test, stats, events, df
    "host.edit": ADMIN,  # name and security settings (the address: see can_add_hosts)
    "host.remove": ADMIN,
    "host.pin_key": ADMIN,
    "host.access": ADMIN,  # who has which role on it
    # containers
    "container.view": VIEWER,  # list, detail, inspect, top, logs, stats
    "container.change": OPERATOR,  # start stop restart kill pause unpause rename remove
    "container.run": OPERATOR,
    "container.reveal": OPERATOR,  # env values
    "container.exec": OPERATOR,  # terminal
    "container.attach": OPERATOR,
    "container.files": OPERATOR,  # browse, download, upload (cp)
    "container.export": OPERATOR,
    # images
    "image.view": VIEWER,  # list, detail, history, search
    "image.pull": OPERATOR,
    "image.push": OPERATOR,
    "image.tag": OPERATOR,
    "image.remove": OPERATOR,
    "image.save": OPERATOR,  # layers may hold secrets
    "image.build": ADMIN,
    "image.load": ADMIN,
    "image.import": ADMIN,
    "image.prune": ADMIN,
    # volumes
    "volume.view": VIEWER,  # list, detail, browse
    "volume.reveal": OPERATOR,  # driver option values
    "volume.download": OPERATOR,
    "volume.create": ADMIN,
    "volume.remove": ADMIN,
    "volume.prune": ADMIN,
    # networks
    "network.view": VIEWER,
    "network.create": ADMIN,
    "network.remove": ADMIN,
    "network.prune": ADMIN,
    "network.connect": ADMIN,  # and disconnect
}


def needs(action: str) -> Role:
    """The role `action` needs; KeyError for an action nobody wrote down."""
    return POLICY[action]


@dataclass(frozen=True)
class Capabilities:
    """What a role may do on one host, for templates: `{% if caps.container_exec %}`
    (the action with its first dot as an underscore)."""

    role: Role | None

    def may(self, action: str) -> bool:
        return self.role is not None and self.role >= needs(action)

    def __getattr__(self, name: str) -> bool:
        action = name.replace("_", ".", 1)
        if action not in POLICY:
            raise AttributeError(name)
        return self.may(action)
