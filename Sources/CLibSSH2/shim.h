#ifndef POSTFLEET_CLIBSSH2_SHIM_H
#define POSTFLEET_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* libssh2's function-like macros cannot be imported by Swift. The code calls
 * the *_ex functions directly; the few constants below are macros with casts
 * or expressions that Swift does not import reliably. */

static inline unsigned int pf_libssh2_window_default(void) { return LIBSSH2_CHANNEL_WINDOW_DEFAULT; }
static inline unsigned int pf_libssh2_packet_default(void) { return LIBSSH2_CHANNEL_PACKET_DEFAULT; }

/* epoll_event is a packed struct on x86_64; build and read it in C. */
static inline int pf_epoll_arm(int epfd, int fd, unsigned int events) {
    struct epoll_event ev;
    ev.events = events | EPOLLONESHOT;
    ev.data.fd = fd;
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == 0) return 0;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}
static inline int pf_epoll_add_persistent(int epfd, int fd, unsigned int events) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}
static inline int pf_epoll_wait_fds(int epfd, int *fds, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) fds[i] = evs[i].data.fd;
    return n;
}

#endif
