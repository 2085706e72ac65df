"""The fleet's credentials: TLS certificates for engine B, SSH keys for sshd and its clients."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path


def _write_tls_material(d: Path) -> None:
    """CA, server and client certificates for engine B, and a second CA that is not trusted."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def cert(
        cn: str,
        subject_key: ec.EllipticCurvePrivateKey,
        issuer: x509.Certificate | None,
        issuer_key: ec.EllipticCurvePrivateKey,
        usage: x509.ObjectIdentifier | None = None,
    ) -> x509.Certificate:
        is_ca = usage is None
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(cn))
            .issuer_name(issuer.subject if issuer else name(cn))
            .public_key(subject_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not is_ca,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=is_ca,
                    crl_sign=is_ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                critical=False,
            )
        )
        if usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if usage == ExtendedKeyUsageOID.SERVER_AUTH:
            san = [
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                x509.DNSName("localhost"),
            ]
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(stem: str, c: x509.Certificate, k: ec.EllipticCurvePrivateKey | None) -> None:
        (d / f"{stem}.pem").write_bytes(c.public_bytes(serialization.Encoding.PEM))
        if k is not None:
            key_path = d / f"{stem.replace('cert', 'key')}.pem"
            key_path.touch(mode=0o600)
            key_path.write_bytes(
                k.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )

    server, client = ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH
    ca_key, wrong_ca_key = key(), key()
    ca = cert("console-test CA", ca_key, None, ca_key)
    wrong_ca = cert("console-test wrong CA", wrong_ca_key, None, wrong_ca_key)
    write("ca", ca, None)
    write("wrong-ca", wrong_ca, None)
    for stem, cn, issuer, issuer_key, usage in (
        ("server-cert", "localhost", ca, ca_key, server),
        ("cert", "console-test client", ca, ca_key, client),
        ("wrong-cert", "console-test wrong client", wrong_ca, wrong_ca_key, client),
    ):
        k = key()
        write(stem, cert(cn, k, issuer, issuer_key, usage), k)


def _write_ssh_material(d: Path) -> tuple[str, str, str]:
    """Write sshd's host key and the client keys; return the host, other-host, client pubs."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    def new_key(path: Path | None) -> str:
        k = ed25519.Ed25519PrivateKey.generate()
        if path is not None:
            path.touch(mode=0o600)  # sshd refuses a host key others can read
            path.write_bytes(
                k.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.OpenSSH,
                    serialization.NoEncryption(),
                )
            )
        pub = k.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        return pub.decode()

    host = new_key(d / "host_ed25519")
    other_host = new_key(None)
    client = new_key(d / "id_ed25519")
    new_key(d / "wrong_id_ed25519")
    return host, other_host, client


def _client_tls_context(ca: str, cert: str, key: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    return ctx
