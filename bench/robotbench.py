# SPDX-License-Identifier: MIT
"""robotbench.py: figures of the robot model, read from the simulator's
receive log.

Move wait accuracy: a move with "wait":true is answered at its predicted
end; the servos really arrive when the simulator has received the frame's
last byte plus time_ms (lsc-sim moves each servo linearly over that time).
The figure is the answer's arrival at the client minus that moment. The
peer is what clients do without lscd's wait: send the move, and sleep
time_ms once it is written, in a Python loop.
"""

import time

from benchlib import frame_move

TIME_MS = 100


def _error_ms(done, record, time_ms):
    return (done - (record.t + time_ms / 1000.0)) * 1000.0


def wait_accuracy(lscd, tail, samples, time_ms=TIME_MS):
    """([lscd wait error, ms], [sleep loop error, ms]), SAMPLES of each,
    alternating, each move of servo 1 to a position not used before."""
    waited, slept = [], []
    with lscd.client() as c:
        for i in range(samples):
            for wait, out in ((True, waited), (False, slept)):
                position = 500 + (2 * i + (0 if wait else 1)) % 2000
                tail.skip()
                c.ok("move", servos=[{"id": 1, "position": position}], time_ms=time_ms,
                     wait=wait)
                if not wait:
                    time.sleep(time_ms / 1000.0)
                done = time.monotonic()
                record = tail.wait_rx(frame_move(1, position, time_ms))
                out.append(_error_ms(done, record, time_ms))
    return waited, slept
