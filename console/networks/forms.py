"""`docker network create/connect/disconnect` flags as form fields; addresses are checked
here (CIDR, gateway and range inside the subnet) before anything reaches the engine."""

from __future__ import annotations

import ipaddress
import re

from django import forms

from console.engine.networks import NetworkSpec
from console.web.forms import EngineFilterForm, SpecField, labels_field, parse_options


class NetworkFilterForm(EngineFilterForm):
    driver = forms.CharField(required=False)
    label = forms.CharField(required=False, help_text="key or key=value")
    name = forms.CharField(required=False)
    type = forms.ChoiceField(
        choices=[("", "any"), ("custom", "custom"), ("builtin", "built-in")], required=False
    )
    dangling = forms.ChoiceField(
        choices=[("", "any"), ("true", "unused"), ("false", "in use")], required=False
    )


def _subnet(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise forms.ValidationError(
                f"“{text}” is not a subnet in CIDR notation, like 10.1.2.0/24."
            ) from None
        raise forms.ValidationError(f"“{text}” has host bits set; the subnet is {loose}.") from None


class NetworkForm(forms.Form):
    name = forms.CharField(max_length=255)
    driver = forms.CharField(initial="bridge", max_length=255)
    subnet = forms.CharField(required=False, help_text="CIDR, e.g. 10.1.2.0/24")
    gateway = forms.CharField(required=False, help_text="An address inside the subnet")
    ip_range = forms.CharField(
        required=False, label="IP range", help_text="Containers get addresses from this CIDR"
    )
    internal = forms.BooleanField(required=False, help_text="No access to outside networks")
    attachable = forms.BooleanField(required=False, help_text="Standalone containers may join")
    labels = labels_field()
    options = SpecField(
        parse_options,
        textarea=True,
        label="Driver options (--opt)",
        help_text="KEY=VALUE per line, e.g. com.docker.network.bridge.name=br-web",
    )

    def clean_subnet(self):
        text = self.cleaned_data["subnet"]
        return _subnet(text) if text else None

    def clean_gateway(self):
        text = self.cleaned_data["gateway"]
        try:
            return ipaddress.ip_address(text) if text else None
        except ValueError:
            raise forms.ValidationError(f"“{text}” is not an IP address.") from None

    def clean_ip_range(self):
        text = self.cleaned_data["ip_range"]
        return _subnet(text) if text else None

    def clean(self):
        data = super().clean()
        subnet = data.get("subnet")
        gateway, ip_range = data.get("gateway"), data.get("ip_range")
        if subnet is None and "subnet" not in self.errors:
            for field in ("gateway", "ip_range"):
                if data.get(field):
                    self.add_error(field, "Give a subnet for this too.")
        elif subnet is not None:
            if gateway is not None and gateway not in subnet:
                self.add_error("gateway", f"{gateway} is outside the subnet {subnet}.")
            if ip_range is not None and (
                ip_range.version != subnet.version or not ip_range.subnet_of(subnet)
            ):
                self.add_error("ip_range", f"{ip_range} is not inside the subnet {subnet}.")
        return data

    def spec(self) -> NetworkSpec:
        data = self.cleaned_data
        return NetworkSpec(
            name=data["name"],
            driver=data["driver"],
            subnet=str(data["subnet"] or ""),
            gateway=str(data["gateway"] or ""),
            ip_range=str(data["ip_range"] or ""),
            internal=data["internal"],
            attachable=data["attachable"],
            labels=data["labels"],
            options=data["options"],
        )


class ConnectForm(forms.Form):
    """`docker network connect`: from a network's page (the container is typed) or from
    a container's page (the network is typed)."""

    network = forms.CharField(max_length=255)
    container = forms.CharField(max_length=255)
    aliases = forms.CharField(
        required=False, help_text="Other names for the container on this network (--alias)"
    )
    ipv4_address = forms.GenericIPAddressField(
        protocol="IPv4", required=False, label="IPv4 address (--ip)"
    )

    def clean_aliases(self) -> list[str]:
        return [a for a in re.split(r"[\s,]+", self.cleaned_data["aliases"]) if a]


class DisconnectForm(forms.Form):
    network = forms.CharField(max_length=255)
    container = forms.CharField(max_length=255)
    force = forms.BooleanField(required=False)
