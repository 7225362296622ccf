#!/usr/bin/env python3
"""Reads the journal a drive writes with -drive ...,x-journal=FILE (src/disk/extent.c):
"VISORJ1\\n", then records 'W' le64 offset le32 length data (a completed write, at its offset
in the file) and 'F' le64 count (a completed flush that covers the first count writes).

    journal.py ORIGINAL JOURNAL OUT [--all]

writes OUT: a copy of ORIGINAL (the image before visor started) with the writes that the
last completed flush covers, i.e. the image a power cut would leave; with --all, every
journaled write (the image as visor left it)."""
import shutil
import struct
import sys


def records(path):
    """Yields ('W', offset, data) and ('F', count, None); stops at a torn last record."""
    with open(path, "rb") as f:
        blob = f.read()
    if not blob.startswith(b"VISORJ1\n"):
        raise ValueError("%s: not a visor journal" % path)
    p = 8
    while p < len(blob):
        kind = blob[p:p + 1]
        if kind == b"W" and p + 13 <= len(blob):
            off, n = struct.unpack_from("<QI", blob, p + 1)
            if p + 13 + n > len(blob):
                return
            yield "W", off, blob[p + 13:p + 13 + n]
            p += 13 + n
        elif kind == b"F" and p + 9 <= len(blob):
            yield "F", struct.unpack_from("<Q", blob, p + 1)[0], None
            p += 9
        else:
            return


def rebuild(original, journal, out, everything=False):
    """Writes out; returns (writes applied, writes journaled)."""
    recs = list(records(journal))
    writes = [(off, data) for kind, off, data in recs if kind == "W"]
    covered = 0
    for kind, count, _ in recs:
        if kind == "F":
            covered = count
    n = len(writes) if everything else covered
    shutil.copyfile(original, out)
    with open(out, "r+b") as f:
        for off, data in writes[:n]:
            f.seek(off)
            f.write(data)
    return n, len(writes)


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    applied, total = rebuild(sys.argv[1], sys.argv[2], sys.argv[3], "--all" in sys.argv[4:])
    print("%d of %d writes applied" % (applied, total))
