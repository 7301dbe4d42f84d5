/* SPDX-License-Identifier: MIT */
/* Unit tests of the simulated board's state machine (tests/sim/sim-board.c). */
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

START_TEST(test_move_updates_positions)
{
        static const uint8_t move[] = { 0x55, 0x55, 0x0B, 0x03, 0x02, 0x20, 0x03, 0x02, 0xB0,
                                        0x04, 0x09, 0xFC, 0x08 };
        static const uint8_t bad[] = { 0x55, 0x55, 0x0B, 0x03, 0x02, 0x20, 0x03, 0x03, 0xB0,
                                       0x04, 0x21, 0xFC, 0x08 };
        struct sim_board b;
        struct sim_reply r;

        board_default(&b);
        receive(&b, move, sizeof(move), T0, &r);
        ck_assert_int_eq(r.action, SIM_NOTHING);
        ck_assert_uint_eq(b.position[2], 1200);
        ck_assert_uint_eq(b.position[9], 2300);
        ck_assert_uint_eq(b.position[1], SIM_BOARD_POSITION);
        /* Servo 33 makes the whole frame malformed: servo 3 must not move. */
        receive(&b, bad, sizeof(bad), T0, &r);
        ck_assert_int_eq(r.action, SIM_BEEP);
        ck_assert_uint_eq(b.position[3], SIM_BOARD_POSITION);
        sim_board_power_cycle(&b);
        ck_assert_uint_eq(b.position[2], SIM_BOARD_POSITION);
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
        tcase_add_test(tc, test_run_forever_never_completes);
        tcase_add_test(tc, test_stop_while_running);
        tcase_add_test(tc, test_run_replaces_running_group);
        tcase_add_test(tc, test_speed_scales_and_is_forgotten);
        tcase_add_test(tc, test_battery_voltage_and_off);
        tcase_add_test(tc, test_move_updates_positions);
        tcase_add_test(tc, test_emit);
        tcase_add_test(tc, test_set_group_ranges);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return lscd_check_run(sim_board_suite());
}
