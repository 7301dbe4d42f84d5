/* SPDX-License-Identifier: MIT */
/* Unit tests of the simulated board's state machine (sim/sim-board.c). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "frame-check.h"
#include "lscd-check.h"
#include "sim-board.h"

#define T0 5000000ull   /* an arbitrary "now", in microseconds */

static void receive(struct sim_board *b, const uint8_t *bytes, size_t n, uint64_t now,
                    struct sim_reply *r)
{
        struct lsc_frame f = frame_check_decode(bytes, n);

        memset(r, 0xAA, sizeof(*r));
        sim_board_receive(b, &f, now, r);
}

static void board_default(struct sim_board *b)
{
        sim_board_init(b);
        for (int g = 0; g < 16; g++)
                ck_assert_int_eq(sim_board_set_group(b, g, 1000), 0);
}

static void assert_sent(const struct sim_reply *r, const uint8_t *bytes, size_t n)
{
        ck_assert_int_eq(r->action, SIM_SEND);
        ck_assert_int_eq(r->size, (int)n);
        ck_assert_mem_eq(r->frame, bytes, n);
}

/* One host frame and what the board must do with it, from a fresh board. */
struct receive_case {
        const char *name;
        uint8_t in[16];
        size_t n_in;
        enum sim_action action;
        uint8_t out[8];
        size_t n_out;
};

static const struct receive_case receive_cases[] = {
        { "run group 8 once echoes", { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 }, 7,
          SIM_SEND, { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 }, 7 },
        { "run group 2 forever echoes", { 0x55, 0x55, 0x05, 0x06, 0x02, 0x00, 0x00 }, 7,
          SIM_SEND, { 0x55, 0x55, 0x05, 0x06, 0x02, 0x00, 0x00 }, 7 },
        { "run of a group not downloaded", { 0x55, 0x55, 0x05, 0x06, 0x20, 0x01, 0x00 }, 7,
          SIM_NOT_DOWNLOADED, { 0 }, 0 },
        { "run group 255 is malformed", { 0x55, 0x55, 0x05, 0x06, 0xFF, 0x01, 0x00 }, 7,
          SIM_BEEP, { 0 }, 0 },
        { "stop while idle", { 0x55, 0x55, 0x02, 0x07 }, 4, SIM_NOTHING, { 0 }, 0 },
        { "battery", { 0x55, 0x55, 0x02, 0x0F }, 4,
          SIM_SEND, { 0x55, 0x55, 0x04, 0x0F, 0xE8, 0x1C }, 6 },
        { "speed group 8 at 50 %", { 0x55, 0x55, 0x05, 0x0B, 0x08, 0x32, 0x00 }, 7,
          SIM_NOTHING, { 0 }, 0 },
        { "speed 0 % is malformed", { 0x55, 0x55, 0x05, 0x0B, 0x08, 0x00, 0x00 }, 7,
          SIM_BEEP, { 0 }, 0 },
        { "move servo 1", { 0x55, 0x55, 0x08, 0x03, 0x01, 0xE8, 0x03, 0x01, 0xD0, 0x07 }, 10,
          SIM_NOTHING, { 0 }, 0 },
        { "move servo 0 is malformed", { 0x55, 0x55, 0x08, 0x03, 0x01, 0xE8, 0x03, 0x00, 0xD0,
          0x07 }, 10, SIM_BEEP, { 0 }, 0 },
        { "move to 3000 us is malformed", { 0x55, 0x55, 0x08, 0x03, 0x01, 0xE8, 0x03, 0x01,
          0xB8, 0x0B }, 10, SIM_BEEP, { 0 }, 0 },
        { "unknown command 1", { 0x55, 0x55, 0x02, 0x01 }, 4, SIM_BEEP, { 0 }, 0 },
        { "COMPLETE from the host", { 0x55, 0x55, 0x05, 0x08, 0x08, 0x01, 0x00 }, 7,
          SIM_BEEP, { 0 }, 0 },
        { "battery reply from the host", { 0x55, 0x55, 0x04, 0x0F, 0x4C, 0x1D }, 6,
          SIM_BEEP, { 0 }, 0 },
};

/* A bus board (bus-servo-and-d6a.md, "CMD 20", "CMD 21"): servos at 500
 * after power-on; UNLOAD makes them limp where they are, a hand moves
 * them, POS_READ reports them low byte first; a move drives them again.
 * A PWM board sends nothing for either. */
START_TEST(test_bus_board)
{
        static const uint8_t unload[] = { 0x55, 0x55, 0x05, 0x14, 0x02, 0x01, 0x03 };
        static const uint8_t read[] = { 0x55, 0x55, 0x05, 0x15, 0x02, 0x01, 0x03 };
        static const uint8_t at_500[] = { 0x55, 0x55, 0x09, 0x15, 0x02, 0x01, 0xF4, 0x01,
                                          0x03, 0xF4, 0x01 };
        static const uint8_t moved[] = { 0x55, 0x55, 0x09, 0x15, 0x02, 0x01, 0xFA, 0x00,
                                         0x03, 0x00, 0x00 };
        static const uint8_t move_1[] = { 0x55, 0x55, 0x08, 0x03, 0x01, 0x00, 0x00, 0x01,
                                          0x64, 0x00 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, read, sizeof(read), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        receive(&b, unload, sizeof(unload), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_int_eq(sim_board_hand(&b, 1, 250), -EPERM);
        b.bus = true;
        sim_board_power_cycle(&b);
        receive(&b, read, sizeof(read), T0, &r);
        assert_sent(&r, at_500, sizeof(at_500));
        ck_assert_int_eq(sim_board_hand(&b, 1, 250), -EPERM);
        receive(&b, unload, sizeof(unload), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_int_eq(sim_board_hand(&b, 1, 250), 0);
        ck_assert_int_eq(sim_board_hand(&b, 3, 0), 0);
        ck_assert_int_eq(sim_board_hand(&b, 3, 1001), -EINVAL);
        receive(&b, read, sizeof(read), T0, &r);
        assert_sent(&r, moved, sizeof(moved));
        receive(&b, move_1, sizeof(move_1), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_int_eq(sim_board_position(&b, 1, T0 + 1), 100);
        ck_assert_int_eq(sim_board_hand(&b, 1, 250), -EPERM);
}
END_TEST

/* An older firmware: a run is reported 55 55 02 06, its natural end STOP. */
START_TEST(test_old_firmware)
{
        static const uint8_t run[] = { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 };
        static const uint8_t bare[] = { 0x55, 0x55, 0x02, 0x06 };
        static const uint8_t stop[] = { 0x55, 0x55, 0x02, 0x07 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        b.old_firmware = true;
        receive(&b, run, sizeof(run), T0, &r);
        assert_sent(&r, bare, sizeof(bare));
        sim_board_expire(&b, T0 + 1000 * 1000, &r);
        assert_sent(&r, stop, sizeof(stop));
        ck_assert_int_eq(b.running, -1);
}
END_TEST

START_TEST(test_receive_table)
{
        const struct receive_case *c = &receive_cases[_i];
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, c->in, c->n_in, T0, &r);
        ck_assert_msg(r.action == c->action, "%s: action %d, expected %d", c->name,
                      r.action, c->action);
        if (c->action == SIM_SEND)
                assert_sent(&r, c->out, c->n_out);
}
END_TEST

START_TEST(test_run_then_complete)
{
        static const uint8_t run[] = { 0x55, 0x55, 0x05, 0x06, 0x03, 0x02, 0x00 };
        static const uint8_t complete[] = { 0x55, 0x55, 0x05, 0x08, 0x03, 0x02, 0x00 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        ck_assert_int_eq(sim_board_set_group(&b, 3, 700), 0);
        receive(&b, run, sizeof(run), T0, &r);
        assert_sent(&r, run, sizeof(run));
        ck_assert_int_eq(b.running, 3);
        ck_assert_uint_eq(b.deadline_us, T0 + 2 * 700000);
        sim_board_expire(&b, T0 + 2 * 700000 - 1, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_int_eq(b.running, 3);
        sim_board_expire(&b, T0 + 2 * 700000, &r);
        assert_sent(&r, complete, sizeof(complete));
        ck_assert_int_eq(b.running, -1);
        ck_assert_uint_eq(b.deadline_us, SIM_NEVER);
        sim_board_expire(&b, T0 + 10 * 700000, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
}
END_TEST

START_TEST(test_run_forever_never_completes)
{
        static const uint8_t run[] = { 0x55, 0x55, 0x05, 0x06, 0x02, 0x00, 0x00 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, run, sizeof(run), T0, &r);
        ck_assert_int_eq(b.running, 2);
        ck_assert_uint_eq(b.deadline_us, SIM_NEVER);
        sim_board_expire(&b, UINT64_MAX - 1, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_int_eq(b.running, 2);
}
END_TEST

START_TEST(test_stop_while_running)
{
        static const uint8_t run[] = { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 };
        static const uint8_t stop[] = { 0x55, 0x55, 0x02, 0x07 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, run, sizeof(run), T0, &r);
        receive(&b, stop, sizeof(stop), T0 + 1000, &r);
        assert_sent(&r, stop, sizeof(stop));
        ck_assert_int_eq(b.running, -1);
        ck_assert_uint_eq(b.deadline_us, SIM_NEVER);
        receive(&b, stop, sizeof(stop), T0 + 2000, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
}
END_TEST

START_TEST(test_run_replaces_running_group)
{
        static const uint8_t run8[] = { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 };
        static const uint8_t run4[] = { 0x55, 0x55, 0x05, 0x06, 0x04, 0x03, 0x00 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, run8, sizeof(run8), T0, &r);
        receive(&b, run4, sizeof(run4), T0 + 500000, &r);
        assert_sent(&r, run4, sizeof(run4));
        ck_assert_int_eq(b.running, 4);
        ck_assert_uint_eq(b.runs, 3);
        ck_assert_uint_eq(b.deadline_us, T0 + 500000 + 3 * 1000000);
}
END_TEST

START_TEST(test_speed_scales_and_is_forgotten)
{
        static const uint8_t half8[] = { 0x55, 0x55, 0x05, 0x0B, 0x08, 0x32, 0x00 };
        static const uint8_t all300[] = { 0x55, 0x55, 0x05, 0x0B, 0xFF, 0x2C, 0x01 };
        static const uint8_t run8[] = { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 };
        static const uint8_t run9[] = { 0x55, 0x55, 0x05, 0x06, 0x09, 0x01, 0x00 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, half8, sizeof(half8), T0, &r);
        ck_assert_uint_eq(b.percent[8], 50);
        ck_assert_uint_eq(b.percent[9], 100);
        receive(&b, run8, sizeof(run8), T0, &r);
        ck_assert_uint_eq(b.deadline_us, T0 + 2000000);
        receive(&b, all300, sizeof(all300), T0, &r);
        receive(&b, run9, sizeof(run9), T0, &r);
        ck_assert_uint_eq(b.deadline_us, T0 + 1000000 / 3);
        sim_board_power_cycle(&b);
        for (int g = 0; g < SIM_BOARD_GROUPS; g++)
                ck_assert_uint_eq(b.percent[g], 100);
        ck_assert_int_eq(b.running, -1);
        ck_assert(b.downloaded[9]);
}
END_TEST

START_TEST(test_battery_voltage_and_off)
{
        static const uint8_t query[] = { 0x55, 0x55, 0x02, 0x0F };
        static const uint8_t reply[] = { 0x55, 0x55, 0x04, 0x0F, 0x4C, 0x1D };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        b.battery_mv = 7500;
        receive(&b, query, sizeof(query), T0, &r);
        assert_sent(&r, reply, sizeof(reply));
        b.battery_on = false;
        receive(&b, query, sizeof(query), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
}
END_TEST

/* Move servo id to position in time_ms, received at now. */
static void move_one(struct sim_board *b, int id, int position, long time_ms, uint64_t now)
{
        struct lsc_servo s = { id, position };
        uint8_t bytes[LSC_FRAME_MAX_SIZE];
        struct sim_reply r;
        int n = lsc_frame_encode_move(bytes, sizeof(bytes), time_ms, &s, 1);

        ck_assert_int_gt(n, 0);
        receive(b, bytes, (size_t)n, now, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
}

START_TEST(test_move_sets_targets)
{
        static const uint8_t move[] = { 0x55, 0x55, 0x0B, 0x03, 0x02, 0x20, 0x03, 0x02, 0xB0,
                                        0x04, 0x09, 0xFC, 0x08 };
        static const uint8_t bad[] = { 0x55, 0x55, 0x0B, 0x03, 0x02, 0x20, 0x03, 0x03, 0xB0,
                                       0x04, 0x21, 0xFC, 0x08 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        for (int id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                ck_assert_int_eq(b.servo[id].target, SIM_UNKNOWN);
                ck_assert_int_eq(sim_board_position(&b, id, T0), SIM_UNKNOWN);
                ck_assert_uint_eq(sim_board_arrival(&b, id), SIM_NEVER);
        }
        receive(&b, move, sizeof(move), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_int_eq(b.servo[2].target, 1200);
        ck_assert_int_eq(b.servo[9].target, 2300);
        ck_assert_uint_eq(sim_board_arrival(&b, 2), T0 + 800000);
        ck_assert_uint_eq(sim_board_arrival(&b, 9), T0 + 800000);
        ck_assert_int_eq(b.servo[1].target, SIM_UNKNOWN);
        /* Servo 33 makes the whole frame malformed: servo 3 must not move. */
        receive(&b, bad, sizeof(bad), T0, &r);
        ck_assert_int_eq(r.action, SIM_BEEP);
        ck_assert_int_eq(b.servo[3].target, SIM_UNKNOWN);
        ck_assert_uint_eq(sim_board_arrival(&b, 3), SIM_NEVER);
        sim_board_power_cycle(&b);
        ck_assert_int_eq(b.servo[2].target, SIM_UNKNOWN);
        ck_assert_int_eq(sim_board_position(&b, 2, T0 + 800000), SIM_UNKNOWN);
        ck_assert_uint_eq(sim_board_arrival(&b, 2), SIM_NEVER);
}
END_TEST

/* A servo at `from` (SIM_UNKNOWN: never moved) is sent to `to` in time_ms
 * at T0; its position `at` microseconds after T0 (negative: before). */
struct motion_case {
        const char *name;
        int from, to;
        long time_ms;
        int64_t at;
        int expected;
};

static const struct motion_case motion_cases[] = {
        { "at the start", 1000, 2000, 1000, 0, 1000 },
        { "1 us in rounds to the start", 1000, 2000, 1000, 1, 1000 },
        { "a quarter of the way", 1000, 2000, 1000, 250000, 1250 },
        { "half way", 1000, 2000, 1000, 500000, 1500 },
        { "1 us before the end rounds to the target", 1000, 2000, 1000, 999999, 2000 },
        { "at the end", 1000, 2000, 1000, 1000000, 2000 },
        { "long after the end", 1000, 2000, 1000, 5000000, 2000 },
        { "before the frame came", 1000, 2000, 1000, -1, 1000 },
        { "downwards, a quarter", 2000, 1000, 1000, 250000, 1750 },
        { "downwards, 1 us before the end", 2000, 1000, 1000, 999999, 1000 },
        { "a half rounds towards the target, up", 1000, 1001, 2, 1000, 1001 },
        { "a half rounds towards the target, down", 1001, 1000, 2, 1000, 1000 },
        { "below a half rounds back", 1000, 1003, 3, 1499, 1001 },
        { "a half of a third", 1000, 1003, 3, 1500, 1002 },
        { "no motion", 1500, 1500, 1000, 300000, 1500 },
        { "time 0 is there at once", 700, 2300, 0, 0, 2300 },
        { "time 0, before the frame came", 700, 2300, 0, -1, 700 },
        { "the longest, widest move half way", 500, 2500, 65535, 32767500, 1500 },
        { "the longest, widest move 1 us before the end", 2500, 500, 65535, 65534999, 500 },
        { "from unknown: unknown on the way", SIM_UNKNOWN, 2000, 1000, 0, SIM_UNKNOWN },
        { "from unknown: unknown 1 us before the end", SIM_UNKNOWN, 2000, 1000, 999999,
          SIM_UNKNOWN },
        { "from unknown: there at the end", SIM_UNKNOWN, 2000, 1000, 1000000, 2000 },
        { "from unknown, time 0: there at once", SIM_UNKNOWN, 2000, 0, 0, 2000 },
};

START_TEST(test_motion_table)
{
        const struct motion_case *c = &motion_cases[_i];
        struct sim_board b;
        int got;

        board_default(&b);
        if (c->from != SIM_UNKNOWN)
                move_one(&b, 5, c->from, 0, T0 - 3000000);
        move_one(&b, 5, c->to, c->time_ms, T0);
        got = sim_board_position(&b, 5, (uint64_t)((int64_t)T0 + c->at));
        ck_assert_msg(got == c->expected, "%s: position %d, expected %d", c->name, got,
                      c->expected);
        ck_assert_uint_eq(sim_board_arrival(&b, 5), T0 + (uint64_t)c->time_ms * 1000);
        ck_assert_int_eq(b.servo[5].target, c->to);
        ck_assert_int_eq(sim_board_position(&b, 4, T0 + (uint64_t)c->at), SIM_UNKNOWN);
}
END_TEST

/* A new move starts from where the servo is when its frame arrives. */
START_TEST(test_move_from_the_current_position)
{
        struct sim_board b;

        board_default(&b);
        move_one(&b, 7, 1000, 0, T0 - 1);
        move_one(&b, 7, 2000, 1000, T0);
        move_one(&b, 7, 1000, 500, T0 + 250000);
        ck_assert_int_eq(b.servo[7].from, 1250);
        ck_assert_int_eq(sim_board_position(&b, 7, T0 + 250000), 1250);
        ck_assert_int_eq(sim_board_position(&b, 7, T0 + 500000), 1125);
        ck_assert_uint_eq(sim_board_arrival(&b, 7), T0 + 750000);
        ck_assert_int_eq(sim_board_position(&b, 7, T0 + 750000), 1000);
        /* From an unknown position still on its way: still unknown. */
        sim_board_power_cycle(&b);
        move_one(&b, 7, 2000, 1000, T0);
        move_one(&b, 7, 1500, 1000, T0 + 500000);
        ck_assert_int_eq(sim_board_position(&b, 7, T0 + 1000000), SIM_UNKNOWN);
        ck_assert_int_eq(sim_board_position(&b, 7, T0 + 1500000), 1500);
        /* After it arrived, the next move starts from its target. */
        move_one(&b, 7, 2500, 1000, T0 + 2000000);
        ck_assert_int_eq(sim_board_position(&b, 7, T0 + 2500000), 2000);
}
END_TEST

/* One frame naming servo 1 twice: the last entry wins, from where the
 * servo was before the frame. */
START_TEST(test_move_names_a_servo_twice)
{
        static const uint8_t twice[] = { 0x55, 0x55, 0x0B, 0x03, 0x02, 0xE8, 0x03, 0x01, 0xD0,
                                         0x07, 0x01, 0xB0, 0x04 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        move_one(&b, 1, 1000, 0, T0 - 1);
        receive(&b, twice, sizeof(twice), T0, &r);
        ck_assert_int_eq(b.servo[1].target, 1200);
        ck_assert_int_eq(sim_board_position(&b, 1, T0 + 500000), 1100);
        ck_assert_uint_eq(sim_board_arrival(&b, 1), T0 + 1000000);
}
END_TEST

/* Groups carry no positions here, so a started group makes every servo
 * unknown; a stop or a completion changes nothing, a later move is known. */
START_TEST(test_group_start_forgets_servos)
{
        static const uint8_t run8[] = { 0x55, 0x55, 0x05, 0x06, 0x08, 0x01, 0x00 };
        static const uint8_t stop[] = { 0x55, 0x55, 0x02, 0x07 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        move_one(&b, 1, 1000, 500, T0);
        move_one(&b, 2, 2000, 0, T0);
        receive(&b, run8, sizeof(run8), T0 + 100000, &r);
        for (int id = 1; id <= 2; id++) {
                ck_assert_int_eq(b.servo[id].target, SIM_UNKNOWN);
                ck_assert_int_eq(sim_board_position(&b, id, T0 + 1000000), SIM_UNKNOWN);
                ck_assert_uint_eq(sim_board_arrival(&b, id), SIM_NEVER);
        }
        move_one(&b, 3, 900, 200, T0 + 200000);
        receive(&b, stop, sizeof(stop), T0 + 300000, &r);
        assert_sent(&r, stop, sizeof(stop));
        ck_assert_int_eq(b.servo[3].target, 900);
        ck_assert_uint_eq(sim_board_arrival(&b, 3), T0 + 400000);
        ck_assert_int_eq(sim_board_position(&b, 3, T0 + 400000), 900);
        ck_assert_int_eq(sim_board_emit_run(&b, 5, 1, T0 + 500000, &r), 0);
        ck_assert_int_eq(b.servo[3].target, SIM_UNKNOWN);
        sim_board_expire(&b, T0 + 1500000, &r);
        ck_assert_int_eq(r.action, SIM_SEND);
        ck_assert_int_eq(sim_board_position(&b, 3, T0 + 1500000), SIM_UNKNOWN);
}
END_TEST

START_TEST(test_emit)
{
        static const uint8_t run5[] = { 0x55, 0x55, 0x05, 0x06, 0x05, 0x02, 0x00 };
        static const uint8_t stop[] = { 0x55, 0x55, 0x02, 0x07 };
        static const uint8_t complete5[] = { 0x55, 0x55, 0x05, 0x08, 0x05, 0x02, 0x00 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        ck_assert_int_eq(sim_board_emit_run(&b, 40, 1, T0, &r), -ENOENT);
        ck_assert_int_eq(sim_board_emit_run(&b, 255, 1, T0, &r), -EINVAL);
        ck_assert_int_eq(sim_board_emit_run(&b, 5, 65536, T0, &r), -EINVAL);
        ck_assert_int_eq(sim_board_emit_run(&b, 5, 2, T0, &r), 0);
        assert_sent(&r, run5, sizeof(run5));
        ck_assert_uint_eq(b.deadline_us, T0 + 2000000);
        ck_assert_int_eq(sim_board_emit_complete(&b, 5, 2, &r), 0);
        assert_sent(&r, complete5, sizeof(complete5));
        ck_assert_int_eq(b.running, -1);
        ck_assert_uint_eq(b.deadline_us, SIM_NEVER);
        ck_assert_int_eq(sim_board_emit_complete(&b, 300, 2, &r), -EINVAL);
        /* A gamepad STOP is reported even when idle. */
        sim_board_emit_stop(&b, &r);
        assert_sent(&r, stop, sizeof(stop));
}
END_TEST

START_TEST(test_set_group_ranges)
{
        struct sim_board b;

        sim_board_init(&b);
        ck_assert(!b.downloaded[0]);
        ck_assert_int_eq(sim_board_set_group(&b, -1, 10), -EINVAL);
        ck_assert_int_eq(sim_board_set_group(&b, 255, 10), -EINVAL);
        ck_assert_int_eq(sim_board_set_group(&b, 254, SIM_BOARD_DURATION_MAX + 1), -EINVAL);
        ck_assert_int_eq(sim_board_set_group(&b, 254, 0), 0);
        ck_assert(b.downloaded[254]);
        ck_assert_uint_eq(b.duration_ms[254], 0);
}
END_TEST

static Suite *sim_board_suite(void)
{
        Suite *s = suite_create("sim-board");
        TCase *tc = tcase_create("board");

        tcase_add_loop_test(tc, test_receive_table, 0,
                            sizeof(receive_cases) / sizeof(receive_cases[0]));
        tcase_add_test(tc, test_run_then_complete);
        tcase_add_test(tc, test_bus_board);
        tcase_add_test(tc, test_old_firmware);
        tcase_add_test(tc, test_run_forever_never_completes);
        tcase_add_test(tc, test_stop_while_running);
        tcase_add_test(tc, test_run_replaces_running_group);
        tcase_add_test(tc, test_speed_scales_and_is_forgotten);
        tcase_add_test(tc, test_battery_voltage_and_off);
        tcase_add_test(tc, test_move_sets_targets);
        tcase_add_loop_test(tc, test_motion_table, 0, ARRAY_SIZE(motion_cases));
        tcase_add_test(tc, test_move_from_the_current_position);
        tcase_add_test(tc, test_move_names_a_servo_twice);
        tcase_add_test(tc, test_group_start_forgets_servos);
        tcase_add_test(tc, test_emit);
        tcase_add_test(tc, test_set_group_ranges);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return lscd_check_run(sim_board_suite());
}
