"""The scripts that phones and board members' browsers run for the ballots, named by their
SHA-256: published with each release (docs/script-hashes.txt, which a test keeps current) and
shown on the board's pages and the vote-count minutes, so an auditor can compare what the
server served with what was released (`sha256sum` of the file the browser received).

`python -m thidua.voting.scripts` prints the release file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

STATIC = Path(__file__).parents[1] / "web" / "static"

#: What runs in the browser around a ballot: the vendored library, the device key, the
#: encryption and the board members' steps.
SCRIPTS = (
    "vendor/noble-2.4.0.min.js",
    "thidua/device-key.js",
    "thidua/ballot-crypto.js",
    "thidua/api.js",
    "thidua/sealed-ballot.js",
    "thidua/board.js",
)


def hashes() -> dict[str, str]:
    """Static path → SHA-256 (hex) of the file as it is served."""
    return {name: hashlib.sha256((STATIC / name).read_bytes()).hexdigest() for name in SCRIPTS}


def release_file() -> str:
    lines = [
        "# SHA-256 of the scripts browsers run for the ballots (docs/ballot-crypto.md §7);",
        "# served under /static/<path>; compare with `sha256sum` of what your browser received.",
    ]
    lines += [f"{digest}  {name}" for name, digest in hashes().items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(release_file(), end="")
