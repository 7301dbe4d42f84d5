/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "baud.h"

static const struct {
        unsigned baud;
        speed_t speed;
} baud_table[] = {
        { 1200, B1200 },     { 2400, B2400 },     { 4800, B4800 },
        { 9600, B9600 },     { 19200, B19200 },   { 38400, B38400 },
        { 57600, B57600 },   { 115200, B115200 }, { 230400, B230400 },
        { 460800, B460800 }, { 500000, B500000 }, { 576000, B576000 },
        { 921600, B921600 }, { 1000000, B1000000 },
};

speed_t baud_speed(unsigned baud)
{
        for (size_t i = 0; i < sizeof(baud_table) / sizeof(baud_table[0]); i++)
                if (baud_table[i].baud == baud)
                        return baud_table[i].speed;
        return B0;
}

bool baud_supported(unsigned baud)
{
        return baud_speed(baud) != B0;
}
