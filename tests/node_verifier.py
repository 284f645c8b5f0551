"""The independent verifier (verifier/verify.mjs) run from the tests, on many transcripts in
one Node process."""

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[1]
VERIFIER = ROOT / "verifier" / "verify.mjs"
NODE = shutil.which("node")

# Many transcripts in one Node process: a JSON list on stdin, one verdict per transcript.
BATCH = """
import { verifyTranscript } from %s;
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  console.log(JSON.stringify(JSON.parse(input).map((t) => verifyTranscript(t))));
});
"""


def node_verdicts(transcripts: list) -> list[dict]:
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", BATCH % json.dumps(VERIFIER.as_uri())],
        input=json.dumps(transcripts),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout)
