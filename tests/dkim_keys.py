"""An RSA-2048 DKIM key made with openssl, and the DNS TXT record that publishes it."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path


def make_dkim_key(folder: Path) -> tuple[Path, bytes]:
    """Write a private key file in `folder`; return it with its `v=DKIM1` record."""
    key = folder / "dkim.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
         "-out", str(key)],
        check=True, capture_output=True,
    )  # fmt: skip
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
