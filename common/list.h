/* SPDX-License-Identifier: MIT */
/*
 * list.h: intrusive doubly linked lists. HEAD points to the first item;
 * each item has the two link fields named PREV and NEXT.
 */
#ifndef LSCD_LIST_H
#define LSCD_LIST_H

#include <stddef.h>

#define LIST_PREPEND(head, item, prev, next)                    \
        do {                                                    \
                (item)->prev = NULL;                            \
                (item)->next = (head);                          \
                if (head)                                       \
                        (head)->prev = (item);                  \
                (head) = (item);                                \
        } while (0)

#define LIST_REMOVE(head, item, prev, next)                     \
        do {                                                    \
                if ((item)->prev)                               \
                        (item)->prev->next = (item)->next;      \
                else                                            \
                        (head) = (item)->next;                  \
                if ((item)->next)                               \
                        (item)->next->prev = (item)->prev;      \
                (item)->prev = (item)->next = NULL;             \
        } while (0)

#endif
