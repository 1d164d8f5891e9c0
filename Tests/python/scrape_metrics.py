"""Scrapes ttstrackd's /metrics and parses it with the PyPI prometheus_client parser.

Usage: scrape_metrics.py http://127.0.0.1:PORT
Prints one JSON object: the content type, every family the parser found (type, help text,
samples), and the HTTP status of a GET elsewhere and of a POST to /metrics.
"""

import json
import sys
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def status(base, method, path):
    request = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    base = sys.argv[1]
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        content_type = response.headers.get("Content-Type")
        text = response.read().decode("utf-8")
    families = {}
    for family in text_string_to_metric_families(text):
        if family.name in families:
            raise SystemExit("family %s appears twice" % family.name)
        families[family.name] = {
            "type": family.type,
            "help": family.documentation,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
        }
    print(json.dumps({
        "content_type": content_type,
        "families": families,
        "elsewhere": status(base, "GET", "/other"),
        "post": status(base, "POST", "/metrics"),
    }))


if __name__ == "__main__":
    main()
