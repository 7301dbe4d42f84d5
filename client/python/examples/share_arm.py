#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Share an arm with other programs: claim its servos for a sequence of
moves, so that nobody else moves them meanwhile, with a lease that sends
them home if this program stops answering. A program that holds them
already is named.

    share_arm.py SERVO... (names or ids; each goes to 1200, then 1800)
"""

import sys

import lsc


def main() -> int:
    servos = [int(s) if s.isdigit() else s for s in sys.argv[1:]]
    if not servos:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with lsc.Client(name="share_arm") as robot:
        try:
            claim = robot.claim(servos, lease_ms=2000, safe="home")
        except lsc.Claimed as e:
            holder = e.holder or {}
            print("held by %s (client %s)" % (holder.get("name"), holder.get("client")),
                  file=sys.stderr)
            return 1
        with claim:
            for position in (1200, 1800):
                robot.move({s: position for s in servos}, time_ms=500, wait=True)
            print("moved %s under claim %d" % (claim.servos, claim.id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
