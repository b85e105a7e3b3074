"""Every public page is valid HTML for the W3C Nu checker (npm vnu-jar, Debian's Java)."""

import subprocess
from pathlib import Path

import pytest

from tests.public_fixtures import PUBLIC_PAGES, seed_public_content

VNU = Path(__file__).resolve().parents[2] / "tools" / "vnu.sh"

pytestmark = pytest.mark.slow


def test_public_pages_are_valid_html(client, tmp_path):
    seed_public_content()
    files = []
    for number, path in enumerate([*PUBLIC_PAGES, "/does-not-exist"]):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        target = tmp_path / f"page{number}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    result = subprocess.run(
        [str(VNU), *files], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout
