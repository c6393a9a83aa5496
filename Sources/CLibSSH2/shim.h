#ifndef POSTFLEET_CLIBSSH2_SHIM_H
#define POSTFLEET_CLIBSSH2_SHIM_H

#include <libssh2.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

/* libssh2's function-like macros cannot be imported by Swift. The code calls
 * the *_ex functions directly; the few constants below are macros with casts
 * or expressions that Swift does not import reliably. */

static inline unsigned int pf_libssh2_window_default(void) { return LIBSSH2_CHANNEL_WINDOW_DEFAULT; }
static inline unsigned int pf_libssh2_packet_default(void) { return LIBSSH2_CHANNEL_PACKET_DEFAULT; }

/* libssh2_session_init_ex allocates the session structure with malloc and clears all
 * of it. In libssh2 1.10 the structure is about 55 kB, most of it a 16 kB receive
 * buffer and a 35,000-byte send buffer, so clearing it makes 13 pages resident per
 * session at once, 55 MB for 1,000 sessions, of which a session that runs a short
 * command writes a few kB. The pages the set-up left all zero are given back to the
 * kernel (MADV_DONTNEED): a private anonymous page given back reads as zeros again, so
 * the structure's contents do not change, and a page is made resident again only when
 * libssh2 writes to it. Only pages wholly inside the allocation are looked at, and
 * the allocation is the new session's, which nothing else has seen yet. */
static inline void pf_release_zero_pages(void *allocation) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)allocation + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)allocation + malloc_usable_size(allocation)) & ~(page - 1);
    uintptr_t run = 0; /* the first of the zero pages just seen, 0: none */
    for (uintptr_t at = start; at < end; at += page) {
        const uint64_t *words = (const uint64_t *)at;
        int zero = 1;
        for (uintptr_t i = 0; i < page / sizeof(uint64_t); i++) {
            if (words[i]) { zero = 0; break; }
        }
        if (zero) {
            if (!run) run = at;
        } else if (run) {
            madvise((void *)run, at - run, MADV_DONTNEED);
            run = 0;
        }
    }
    if (run) madvise((void *)run, end - run, MADV_DONTNEED);
}

/* A new session, its untouched pages given back (above); `abstract` as libssh2_session_init_ex's. */
static inline LIBSSH2_SESSION *pf_session_new(void *abstract) {
    LIBSSH2_SESSION *session = libssh2_session_init_ex(NULL, NULL, NULL, abstract);
    if (session) pf_release_zero_pages(session);
    return session;
}

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

/* A session whose transport is a channel of another session: a jump host's
 * direct-tcpip channel (ProxyJump). The inner session reads and writes through
 * these callbacks instead of a socket; its abstract pointer is the pf_tunnel.
 *
 * Both sessions are non-blocking, and libssh2 1.10 has one rule that shapes
 * this code: once a send of a session returned EAGAIN half-way through a
 * packet, the next send of that session must be the same one (anything else,
 * such as the window adjustment a channel read sends, fails with BAD_USE).
 * So:
 *  - the send callback never says EAGAIN: it keeps what the channel cannot
 *    take yet in `out` (bounded by the inner channel's window) and passes it
 *    on as the jump host's channel takes it;
 *  - when a channel write or read of the jump host's session stopped with a
 *    packet half-sent (the socket was full: libssh2 then reports OUTBOUND;
 *    a read sends window adjustments), nothing else is done with that session
 *    until the same call has been made again and got through
 *    (`write_pending`, `read_pending`);
 *  - the receive callback first passes on what waits in `out`, and tries
 *    again after a read that let the window grow, so that bytes never wait in
 *    `out` while the caller waits for an answer to them.
 * A callback that cannot go on says -EAGAIN, which the inner session returns
 * as LIBSSH2_ERROR_EAGAIN; the caller then waits on the outermost socket in
 * the directions the jump host's session last blocked on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
typedef struct pf_tunnel {
    LIBSSH2_SESSION *outer;
    LIBSSH2_CHANNEL *channel;
    char *out;
    size_t out_len, out_cap;
    int write_pending;
    int read_pending;
    int failed;
} pf_tunnel;

static inline pf_tunnel *pf_tunnel_new(LIBSSH2_SESSION *outer, LIBSSH2_CHANNEL *channel) {
    pf_tunnel *t = (pf_tunnel *)calloc(1, sizeof(pf_tunnel));
    if (t) { t->outer = outer; t->channel = channel; }
    return t;
}

static inline void pf_tunnel_free(pf_tunnel *t) {
    if (t) { free(t->out); free(t); }
}

/* Whether the jump host's session stopped half-way through sending a packet. */
static inline int pf_tunnel_half_sent(pf_tunnel *t) {
    return (libssh2_session_block_directions(t->outer) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

/* Passes on what waits in `out` until it is empty or the channel takes no more. */
static inline void pf_tunnel_flush(pf_tunnel *t) {
    while (t->out_len > 0 && !t->failed && !t->read_pending) {
        ssize_t n = libssh2_channel_write_ex(t->channel, 0, t->out, t->out_len);
        if (n > 0) {
            memmove(t->out, t->out + n, t->out_len - (size_t)n);
            t->out_len -= (size_t)n;
            t->write_pending = 0;
        } else if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
            /* OUTBOUND: the socket is full half-way through a packet. Otherwise
             * (INBOUND) the jump host's window is used up, and no packet is pending. */
            t->write_pending = pf_tunnel_half_sent(t);
            return;
        } else {
            t->failed = 1;
        }
    }
}

static ssize_t pf_tunnel_recv(libssh2_socket_t sock, void *buffer, size_t length, int flags, void **abstract) {
    (void)sock; (void)flags;
    pf_tunnel *t = (pf_tunnel *)*abstract;
    for (int round = 0; round < 64; round++) {
        pf_tunnel_flush(t);
        if (t->failed) return -ECONNRESET;
        if (t->write_pending) return -EAGAIN;
        ssize_t n = libssh2_channel_read_ex(t->channel, 0, (char *)buffer, length);
        t->read_pending = n == LIBSSH2_ERROR_EAGAIN && pf_tunnel_half_sent(t);
        if (n > 0) return n;
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) { t->failed = 1; return -ECONNRESET; }
        if (t->read_pending) return -EAGAIN;
        if (n == 0 && libssh2_channel_eof(t->channel)) return 0;
        /* Nothing to read. If what was read meanwhile opened the window, send first. */
        if (t->out_len == 0 || libssh2_channel_window_write_ex(t->channel, NULL) == 0) return -EAGAIN;
    }
    return -EAGAIN;
}

static ssize_t pf_tunnel_send(libssh2_socket_t sock, const void *buffer, size_t length, int flags, void **abstract) {
    (void)sock; (void)flags;
    pf_tunnel *t = (pf_tunnel *)*abstract;
    if (t->failed) return -ECONNRESET;
    if (t->out_len + length > t->out_cap) {
        size_t cap = t->out_cap ? t->out_cap : 65536;
        while (cap < t->out_len + length) cap *= 2;
        char *grown = (char *)realloc(t->out, cap);
        if (!grown) return -ENOMEM;
        t->out = grown;
        t->out_cap = cap;
    }
    memcpy(t->out + t->out_len, buffer, length);
    t->out_len += length;
    pf_tunnel_flush(t);
    return t->failed ? -ECONNRESET : (ssize_t)length;
}

/* A new session that speaks through `tunnel` (which must outlive it). */
static inline LIBSSH2_SESSION *pf_tunnel_session(pf_tunnel *tunnel) {
    LIBSSH2_SESSION *session = pf_session_new(tunnel);
    if (!session) return NULL;
    libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, (void *)pf_tunnel_recv);
    libssh2_session_callback_set(session, LIBSSH2_CALLBACK_SEND, (void *)pf_tunnel_send);
    return session;
}

#endif
