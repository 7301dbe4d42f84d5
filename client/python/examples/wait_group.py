#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run an action group and wait until the board reports it completed,
printing the group events meanwhile.

    wait_group.py GROUP [RUNS]      (a number, or a name of the robot file)
"""

import sys

import lsc


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    group = int(sys.argv[1]) if sys.argv[1].isdigit() else sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    with lsc.Client(name="wait_group") as robot:
        events = robot.events(["group."])        # subscribed before the run starts
        try:
            done = robot.run_group(group, runs=runs, wait=True)
        except (lsc.Stopped, lsc.Preempted, lsc.NotStarted) as e:
            print("group %s did not complete: %s" % (group, e), file=sys.stderr)
            return 1
        for event in events:                      # those that came during the wait
            print(event.name, event.data)
            if event.name == "group.completed":
                break
        print("group %d completed %d run(s)" % (done["group"], done["runs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
