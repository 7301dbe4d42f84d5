/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "replace.h"

int replace_file(const char *path, const char *text, size_t len)
{
        char *tmp = mem_printf("%s.tmp", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644), r = 0;

        if (fd < 0) {
                r = -errno;
        } else {
                if (write(fd, text, len) != (ssize_t) len)
                        r = -EIO;
                if (close(fd) < 0 && r == 0)
                        r = -errno;
                if (r == 0 && rename(tmp, path) < 0)
                        r = -errno;
                if (r < 0)
                        unlink(tmp);
        }
        free(tmp);
        return r;
}

int replace_mkdirs(const char *dir)
{
        char *copy = mem_strdup(dir), *p;
        int r = 0;

        for (p = strchr(copy + 1, '/'); p && r == 0; p = strchr(p + 1, '/')) {
                *p = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        r = -errno;
                *p = '/';
        }
        if (r == 0 && mkdir(copy, 0755) < 0 && errno != EEXIST)
                r = -errno;
        free(copy);
        return r;
}
