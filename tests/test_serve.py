"""``tracker serve --certfile --keyfile`` serves https: phones give service workers and
WebCrypto only to secure origins, and a pilot may have no reverse proxy in front."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import subprocess
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.test_packaging import TRACKER, _free_port, _wait_until_up


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "tracker.crt", folder / "tracker.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


def test_tracker_serves_https_with_a_certificate_and_its_key(tmp_path: Path):
    certfile, keyfile = self_signed(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    port = _free_port()
    server = subprocess.Popen(
        [
            *(TRACKER, "serve", "--port", str(port), "--no-jobs"),
            *("--certfile", str(certfile), "--keyfile", str(keyfile)),
        ],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        trusted = ssl.create_default_context(cafile=str(certfile))
        base = f"https://127.0.0.1:{port}"
        _wait_until_up(base, verify=trusted)
        assert httpx.get(f"{base}/app/", verify=trusted).status_code == 200
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=10)
