"""`make extension` zips static/extension/ with a manifest asking only for the documented
permissions, and the extension carries no remote or inline code."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "static" / "extension"
PERMISSIONS = {"storage", "alarms", "idle", "notifications", "tabs"}


def test_make_extension_zips_every_file_with_the_manifest_at_the_top():
    subprocess.run(["make", "--silent", "extension"], cwd=ROOT, check=True, capture_output=True)
    with zipfile.ZipFile(ROOT / "dist" / "clockify-extension.zip") as archive:
        names = {name for name in archive.namelist() if not name.endswith("/")}
        manifest = json.loads(archive.read("manifest.json"))
    files = {
        str(path.relative_to(EXTENSION))
        for path in EXTENSION.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }
    assert names == files
    assert {"manifest.json", "background.js", "popup.html", "idle.html"} <= names
    assert manifest == json.loads((EXTENSION / "manifest.json").read_text())


def test_the_manifest_asks_only_for_the_documented_permissions():
    manifest = json.loads((EXTENSION / "manifest.json").read_text())
    assert manifest["manifest_version"] == 3
    assert set(manifest["permissions"]) == PERMISSIONS
    for absent in ("host_permissions", "optional_host_permissions", "optional_permissions"):
        assert absent not in manifest
    assert "content_scripts" not in manifest and "externally_connectable" not in manifest
    assert manifest["background"] == {"service_worker": "background.js", "type": "module"}
    readme = (EXTENSION / "README.md").read_text()
    for permission in PERMISSIONS:
        assert re.search(rf"^\| `{permission}` \|", readme, re.MULTILINE), permission
    for size, icon in manifest["icons"].items():
        assert (EXTENSION / icon).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", size


def test_no_remote_eval_or_inline_code():
    for page in EXTENSION.glob("*.html"):
        html = page.read_text()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(re.search(r'src="[\w.-]+\.js"', tag) for tag in scripts), page
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), page  # no inline body
        assert not re.search(r"\son\w+=", html), page  # no inline handlers
        assert "style=" not in html, page
    for script in EXTENSION.glob("*.js"):
        code = script.read_text()
        assert not re.search(r"\beval\(|new Function\(|importScripts\(", code), script
        assert not re.search(r"""import[^'"]*['"]https?:""", code), script
