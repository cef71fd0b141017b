"""Runs one of the browser/ scripts (playwright-core driving Debian's chromium) and returns what
it printed: one JSON object on its last line."""
import json
import os
import pathlib
import subprocess

from conftest import ROOT

BROWSER_DIR = ROOT / "tests" / "integration" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def screenshot_dir(tmp_path_factory):
    """$AKKO_SCREENSHOTS (docs/screenshots refreshes the documentation's), else a temporary one."""
    return os.path.abspath(os.environ.get("AKKO_SCREENSHOTS") or str(tmp_path_factory.mktemp("screenshots")))


def run_browser_script(script, config, timeout):
    assert pathlib.Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: scripts/setup installs chromium"
    assert (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(), \
        "run `npm ci` in tests/integration/browser (scripts/setup does it)"
    result = subprocess.run(["node", script, json.dumps(config)], cwd=BROWSER_DIR, capture_output=True, text=True,
                            timeout=timeout, env={**os.environ, "CHROMIUM": CHROMIUM})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
