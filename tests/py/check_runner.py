"""The driver the *_check.py scripts share: run check(spec) on every spec of a JSON list, print the
problems, exit 1 if there are any (or no specs at all)."""
import json
import sys


def run(check, noun):
    with open(sys.argv[1]) as f:
        specs = json.load(f)
    problems = [p for spec in specs for p in check(spec)]
    for p in problems:
        print(p)
    print("checked %d %s" % (len(specs), noun))
    return 1 if problems or not specs else 0
