"""Replay through pywb, in a process of its own: `python tests/pywb_replay.py ROOT OUT PATH...`.

pywb's web app patches the standard library with gevent as it is imported, which must never
happen inside the test process. ROOT holds pywb's `collections/` (made with `wb-manager`);
each PATH (e.g. `/m/id_/http://host/page`) is asked of pywb's own WSGI app, and OUT gets a
JSON object: PATH -> {"status", "headers", "body" (base64)}.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path


def main() -> None:
    root, out, *paths = sys.argv[1:]
    os.chdir(root)
    from pywb.apps.frontendapp import FrontEndApp
    from werkzeug.test import Client

    client = Client(FrontEndApp(config_file=None, custom_config={}))
    results = {}
    for path in paths:
        r = client.get(path)
        results[path] = {"status": r.status_code, "headers": list(r.headers.items()),
                         "body": base64.b64encode(r.get_data()).decode("ascii")}
    Path(out).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
