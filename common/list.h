/* SPDX-License-Identifier: MIT */
/*
 * list.h: the two list shapes of the tree, intrusive: doubly linked lists
 * (LIST_*: HEAD points to the first item; each item has the two link fields
 * named PREV and NEXT), for sets an item leaves from anywhere; and singly
 * linked FIFOs (FIFO_*: HEAD and TAIL point to the first and last item, both
 * NULL when empty), for queues.
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

#define FIFO_APPEND(head, tail, item, next)                     \
        do {                                                    \
                (item)->next = NULL;                            \
                if (tail)                                       \
                        (tail)->next = (item);                  \
                else                                            \
                        (head) = (item);                        \
                (tail) = (item);                                \
        } while (0)

/* Unlink the first item; the FIFO must not be empty. */
#define FIFO_SHIFT(head, tail, next)                            \
        do {                                                    \
                (head) = (head)->next;                          \
                if (!(head))                                    \
                        (tail) = NULL;                          \
        } while (0)

#endif
