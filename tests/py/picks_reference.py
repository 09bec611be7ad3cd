"""Reference checks of tomopick's pick files with Python's own json and csv modules.

usage:
  picks_reference.py check JSON CSV EXPECTED
      JSON: a copick file, CSV: the same picks as id,experiment,particle_type,x,y,z,score (one set),
      EXPECTED: one line per pick, "x y z score" as C hex floats (%a). Every value read by Python from
      both files must equal the expected double bit for bit. Prints "ok N".
  picks_reference.py write-csv PATH
      Writes a CSV with the csv module (UTF-8 BOM, CRLF, every field quoted, a comma, a quote and a
      line break inside fields) holding the picks listed in the test.
Exits 1 with a message on the first mismatch.
"""
import csv
import json
import struct
import sys


def bits(v):
    return struct.pack("<d", v)


def check(json_path, csv_path, expected_path):
    expected = [[float.fromhex(t) for t in line.split()] for line in open(expected_path) if line.strip()]
    doc = json.load(open(json_path))
    if doc.get("unit") != "angstrom" or doc.get("trust_orientation") is not True:
        sys.exit(f"{json_path}: unit/trust_orientation wrong: {doc.get('unit')!r} {doc.get('trust_orientation')!r}")
    pts = doc["points"]
    if len(pts) != len(expected):
        sys.exit(f"{json_path}: {len(pts)} points, expected {len(expected)}")
    for i, (p, e) in enumerate(zip(pts, expected)):
        got = [p["location"]["x"], p["location"]["y"], p["location"]["z"], p["score"]]
        for g, w in zip(got, e):
            if bits(float(g)) != bits(w):
                sys.exit(f"{json_path}: point {i}: {g!r} != {w!r}")
        t = p["transformation_"]
        if len(t) != 4 or any(len(r) != 4 for r in t):
            sys.exit(f"{json_path}: point {i}: transformation_ is not 4x4")
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != len(expected):
        sys.exit(f"{csv_path}: {len(rows)} rows, expected {len(expected)}")
    for i, (r, e) in enumerate(zip(rows, expected)):
        if int(r["id"]) != i:
            sys.exit(f"{csv_path}: row {i} has id {r['id']}")
        for k, w in zip(("x", "y", "z", "score"), e):
            if bits(float(r[k])) != bits(w):
                sys.exit(f"{csv_path}: row {i} column {k}: {r[k]!r} != {w!r}")
    print(f"ok {len(expected)}")


def write_csv(path):
    rows = [
        ["TS, one", 'say "hi"', "1.5", "2.25", "-3.125", "0.5"],
        ["TS_2", "two\nlines", "1e3", "0", "7", "1"],
    ]
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(["experiment", "particle_type", "x", "y", "z", "score"])
        w.writerows(rows)
    print("ok")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "check":
        check(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "write-csv":
        write_csv(sys.argv[2])
    else:
        sys.exit(__doc__)
