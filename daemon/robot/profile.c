/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <string.h>

#include "profile.h"

#define PROFILE_PWM_COMMANDS \
        (PROFILE_BIT(LSC_CMD_SERVO_MOVE) | PROFILE_BIT(LSC_CMD_ACTION_GROUP_RUN) | \
         PROFILE_BIT(LSC_CMD_ACTION_GROUP_STOP) | PROFILE_BIT(LSC_CMD_ACTION_GROUP_SPEED) | \
         PROFILE_BIT(LSC_CMD_GET_BATTERY_VOLTAGE))
#define PROFILE_PWM_REPORTS \
        (PROFILE_BIT(LSC_CMD_ACTION_GROUP_RUN) | PROFILE_BIT(LSC_CMD_ACTION_GROUP_STOP) | \
         PROFILE_BIT(LSC_CMD_ACTION_GROUP_COMPLETE) | PROFILE_BIT(LSC_CMD_GET_BATTERY_VOLTAGE))

/* lsc-serial-protocol-v1.1.md; bus-servo-and-d6a.md, "PWM LSC boards and
 * commands 20/21": the PWM boards list neither 20 nor 21. */
const struct profile profile_lsc = {
        .name = "lsc",
        .commands = PROFILE_PWM_COMMANDS,
        .reports = PROFILE_PWM_REPORTS,
        .position_min = LSC_POSITION_MIN, .position_max = LSC_POSITION_MAX,
};

/* bus-servo-and-d6a.md, "Framing": host commands 3, 6, 7, 11, 15, 20, 21;
 * reports 6, 7, 8, and 21's reply ("CMD 21"). */
const struct profile profile_bus = {
        .name = "bus",
        .commands = PROFILE_PWM_COMMANDS | PROFILE_BIT(LSC_CMD_MULT_SERVO_UNLOAD) |
                    PROFILE_BIT(LSC_CMD_MULT_SERVO_POS_READ),
        .reports = PROFILE_PWM_REPORTS | PROFILE_BIT(LSC_CMD_MULT_SERVO_POS_READ),
        .position_min = LSC_BUS_POSITION_MIN, .position_max = LSC_BUS_POSITION_MAX,
};

const struct profile *profile_find(const char *name)
{
        static const struct profile *const all[] = { &profile_lsc, &profile_bus };

        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                if (strcmp(all[i]->name, name) == 0)
                        return all[i];
        return NULL;
}

bool profile_takes(const struct profile *p, enum lsc_cmd cmd)
{
        return cmd < 32 && (p->commands & PROFILE_BIT(cmd));
}

bool profile_reports(const struct profile *p, uint8_t cmd)
{
        return cmd < 32 && (p->reports & PROFILE_BIT(cmd));
}
