#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""React to the battery: ask for the voltage every few seconds, and on
every battery event (whoever asked) halt the robot when it is below a
threshold. lscd keeps the events that come while a request waits.

    battery_watch.py MIN_MILLIVOLTS [SECONDS [COUNT]]
        SECONDS between queries (default 5); stop after COUNT events
"""

import sys
import threading

import lsc


def main() -> int:
    if not 2 <= len(sys.argv) <= 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    low = int(sys.argv[1])
    period = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    count = int(sys.argv[3]) if len(sys.argv) > 3 else None
    with lsc.Client(name="battery_watch", reconnect=True) as robot:
        done = threading.Event()

        def ask() -> None:                        # a second thread shares the client
            while not done.wait(period):
                try:
                    robot.battery()
                except (lsc.Timeout, lsc.NotConnected) as e:
                    print("no voltage:", e, file=sys.stderr)
                except lsc.ConnectionLost:
                    pass                          # reconnects at the next call

        asker = threading.Thread(target=ask, daemon=True)
        asker.start()
        try:
            for n, event in enumerate(robot.events(["battery"]), 1):
                if event.name == "battery":
                    mv = event["millivolts"]
                    print("battery %d mV" % mv, flush=True)
                    if mv < low:
                        print("below %d mV: halt, %d dropped" % (low, robot.halt()), flush=True)
                if count is not None and n >= count:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            done.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
