#!/usr/bin/env python3
"""Write the seeds of tests/fuzz/corpus/request/ that stand where a
client's line buffer changes size (common/linebuf.h). For each size B the
buffer takes, LINEBUF_FIRST doubled up to the limit LSC_PROTOCOL_LINE_MAX:

  line-B-full     a request line of B bytes with its newline: fills B exactly
                  (at the limit: the longest line lscd accepts);
  line-B-over     one byte longer: needs the next size (at the limit:
                  line_too_long);
  line-B-unended  B bytes without newline: the end of input needs room for
                  one (at the limit: line_too_long);

and release-after-K, K the first size past LINEBUF_KEEP: a line that fills
K, which is released once drained, then a short request.

    make-request-seeds.py FIRST KEEP LIMIT DIR

fuzz-request.c fails to compile when the sizes are no longer these, so that
the seeds are made again for the new ones.
"""
import os
import sys


def request(length):
    """A valid ping of exactly length bytes: its id is padded."""
    head, tail = b'{"cmd":"ping","id":"', b'"}'
    return head + b"x" * (length - len(head) - len(tail)) + tail


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    first, keep, limit = (int(a) for a in sys.argv[1:4])
    directory = sys.argv[4]
    size = first
    released = None
    while True:
        size = min(size, limit)
        write(directory, f"line-{size}-full", request(size - 1) + b"\n")
        write(directory, f"line-{size}-over", request(size) + b"\n")
        write(directory, f"line-{size}-unended", request(size))
        if released is None and size > keep:
            released = size
        if size == limit:
            break
        size *= 2
    write(directory, f"release-after-{released}",
          request(released - 1) + b"\n" + b'{"cmd":"ping","id":2}\n')


if __name__ == "__main__":
    main()
