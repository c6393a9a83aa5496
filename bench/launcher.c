/* bench/launcher.c: the process launcher of scripts/bench, compiled by the bench at run
 * time (cc, gcc, clang or the Swift toolchain's clang: `cc -O2 -Wall`).
 *
 * On Linux a process's ru_maxrss includes the high-water RSS of the memory it had before
 * its exec: the kernel folds the old mm in. A child that Python forks or vforks starts
 * with Python's own ~14 MB, so an ssh measured that way shows Python's RSS, not its own.
 * Every tool the bench measures is therefore started by this small launcher (about
 * 1 MB), which forks and execs every command of one run, reaps each with wait4 and
 * writes its rusage. It also keeps process start-up out of Python's hands for all tools
 * alike. */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* launch RESULTS TIMEOUT CMDFILE [SAMPLE_MS]
 * CMDFILE: one command a line, TAB-separated: stdout file, stderr file, [<stdin file,] argv...
 * Starts every command at once (stdin /dev/null unless a "<FILE" field names one), reaps
 * them with wait4 and writes a line per command, in CMDFILE's order, to RESULTS:
 *   wait-status utime-us stime-us maxrss-KiB start-ns end-ns
 * wait-status is -1 for a command killed at the TIMEOUT (seconds) or on SIGTERM/SIGINT.
 * A command's rusage includes its descendants that it reaped itself (Linux wait4).
 *
 * The launcher is a child subreaper: a descendant whose parent exits without reaping it
 * (a daemon, such as an ssh ControlPersist master) becomes its child, and its rusage is
 * counted too. When every command has ended, such leftovers get SIGTERM (SIGKILL 5 s
 * later) and are reaped.
 * With SAMPLE_MS > 0 it also sums the RSS of every process under it (the commands and
 * all their descendants, from /proc) every SAMPLE_MS ms while commands run, and writes
 * one more line:
 *   tree peak-rss-KiB samples orphans orphan-utime-us orphan-stime-us orphan-maxrss-KiB
 * Exit 0 when it ran (whatever the commands did), 1 when it could not. */

struct cmd { char **argv; int in, out, err; pid_t pid; long long start, end; int status, done; struct rusage ru; };

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long page_kib;

/* The RSS (KiB) of pid and every process below it; threads' children included. */
static long tree_rss(pid_t pid, int depth) {
    char path[64], buf[4096];
    long total = 0;
    snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) { buf[n] = 0; long size = 0, res = 0; if (sscanf(buf, "%ld %ld", &size, &res) == 2) total += res * page_kib; }
    }
    if (depth > 64) return total;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d) return total;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char cpath[300];
        snprintf(cpath, sizeof cpath, "/proc/%d/task/%s/children", (int)pid, e->d_name);
        fd = open(cpath, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        char *save = NULL;
        for (char *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) total += tree_rss((pid_t)atoi(w), depth + 1);
    }
    closedir(d);
    return total;
}

/* The launcher's own children (commands and adopted orphans), into pids; returns how many. */
static size_t own_children(pid_t *pids, size_t max) {
    char path[64], buf[65536];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    size_t k = 0;
    char *save = NULL;
    for (char *w = strtok_r(buf, " \n", &save); w && k < max; w = strtok_r(NULL, " \n", &save)) pids[k++] = (pid_t)atoi(w);
    return k;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: launch RESULTS TIMEOUT CMDFILE [SAMPLE_MS]\n"); return 1; }
    unsigned timeout = (unsigned)atoi(argv[2]);
    long sample_ms = argc == 5 ? atol(argv[4]) : 0;
    page_kib = sysconf(_SC_PAGESIZE) / 1024;
    FILE *f = fopen(argv[3], "r");
    if (!f) { perror(argv[3]); return 1; }
    struct cmd *cmds = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) { perror("/dev/null"); return 1; }
    while ((len = getline(&line, &linecap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        if (!len) continue;
        if (n == cap) { cap = cap ? cap * 2 : 64; cmds = realloc(cmds, cap * sizeof *cmds); if (!cmds) return 1; }
        struct cmd *c = &cmds[n++];
        memset(c, 0, sizeof *c);
        char *copy = strdup(line), *save = NULL, *field;
        size_t words = 0;
        c->argv = calloc((size_t)len + 2, sizeof(char *));
        if (!copy || !c->argv) return 1;
        for (field = strtok_r(copy, "\t", &save); field; field = strtok_r(NULL, "\t", &save)) c->argv[words++] = field;
        if (words < 3) { fprintf(stderr, "launch: line %zu: want OUT ERR ARGV...\n", n); return 1; }
        c->out = open(c->argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        c->err = open(c->argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (c->out < 0 || c->err < 0) { perror("launch: output file"); return 1; }
        c->argv += 2;
        c->in = devnull;
        if (c->argv[0][0] == '<') {
            c->in = open(c->argv[0] + 1, O_RDONLY | O_CLOEXEC);
            if (c->in < 0) { perror(c->argv[0] + 1); return 1; }
            c->argv += 1;
            if (!c->argv[0]) { fprintf(stderr, "launch: line %zu: no command after the stdin file\n", n); return 1; }
        }
    }
    fclose(f);
    if (n == 0) { fprintf(stderr, "launch: nothing to run\n"); return 1; }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) { perror("launch: PR_SET_CHILD_SUBREAPER"); return 1; }

    /* Signals are taken synchronously (sigtimedwait): a child's end is seen at once. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, &old);

    int stop = 0;
    size_t started = 0;
    for (size_t i = 0; i < n; i++) {
        cmds[i].start = now_ns();
        pid_t pid = fork();
        if (pid < 0) { perror("launch: fork"); stop = 1; break; }
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            if (dup2(cmds[i].in, 0) < 0 || dup2(cmds[i].out, 1) < 0 || dup2(cmds[i].err, 2) < 0) _exit(126);
            execvp(cmds[i].argv[0], cmds[i].argv);
            dprintf(2, "launch: cannot run %s: %s\n", cmds[i].argv[0], strerror(errno));
            _exit(127);
        }
        cmds[i].pid = pid;
        close(cmds[i].out);
        close(cmds[i].err);
        if (cmds[i].in != devnull) close(cmds[i].in);
        started++;
    }
    alarm(timeout);
    int killed = 0;
    size_t left = started;
    long long next_sample = now_ns();
    long peak = 0, samples = 0, orphans = 0, orphan_rss = 0;
    long long orphan_ut = 0, orphan_st = 0;
    int cleanup = 0;               /* 0 running; 1 TERM sent to leftovers; 2 KILL sent */
    long long cleanup_deadline = 0;
    for (;;) {
        int status;
        struct rusage ru;
        pid_t pid;
        while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
            long long t = now_ns();
            int mine = 0;
            for (size_t i = 0; i < started; i++) {
                if (cmds[i].pid == pid && !cmds[i].done) {
                    cmds[i].end = t; cmds[i].status = killed ? -1 : status; cmds[i].ru = ru; cmds[i].done = 1;
                    left--;
                    mine = 1;
                    break;
                }
            }
            if (!mine) {
                orphans++;
                orphan_ut += (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
                orphan_st += (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
                if (ru.ru_maxrss > orphan_rss) orphan_rss = ru.ru_maxrss;
            }
        }
        if (pid < 0 && errno == ECHILD) break;      /* nothing left at all */
        if (stop && !killed) {
            for (size_t i = 0; i < started; i++) if (!cmds[i].done) kill(cmds[i].pid, SIGKILL);
            killed = 1;
        }
        long long now = now_ns();
        if (left == 0) {
            /* Every command has ended: what is left are adopted leftovers. */
            if (cleanup < 2 && now >= cleanup_deadline) {
                pid_t kids[4096];
                size_t k = own_children(kids, 4096);
                for (size_t j = 0; j < k; j++) kill(kids[j], cleanup == 0 ? SIGTERM : SIGKILL);
                cleanup++;
                cleanup_deadline = now + 5000000000LL;
            } else if (cleanup == 2 && now >= cleanup_deadline) {
                fprintf(stderr, "launch: leftover processes did not die after SIGKILL\n");
                break;
            }
        } else if (sample_ms > 0 && now >= next_sample) {
            long rss = tree_rss(getpid(), 0);
            pid_t self = getpid();
            /* the launcher's own RSS is not the tool's */
            char path[64], buf[256];
            snprintf(path, sizeof path, "/proc/%d/statm", (int)self);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                ssize_t r = read(fd, buf, sizeof buf - 1);
                close(fd);
                if (r > 0) { buf[r] = 0; long a = 0, b = 0; if (sscanf(buf, "%ld %ld", &a, &b) == 2) rss -= b * page_kib; }
            }
            if (rss > peak) peak = rss;
            samples++;
            next_sample = now + sample_ms * 1000000LL;
        }
        long long wait_ns = 200000000LL;
        if (left > 0 && sample_ms > 0) wait_ns = next_sample - now_ns();
        if (left == 0) wait_ns = 100000000LL;
        if (wait_ns < 0) wait_ns = 0;
        struct timespec ts = { (time_t)(wait_ns / 1000000000LL), (long)(wait_ns % 1000000000LL) };
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT || sig == SIGALRM) stop = 1;
    }
    FILE *r = fopen(argv[1], "w");
    if (!r) { perror(argv[1]); return 1; }
    for (size_t i = 0; i < n; i++) {
        struct cmd *c = &cmds[i];
        if (!c->done) { fprintf(r, "-1 0 0 0 0 0\n"); continue; }
        fprintf(r, "%d %lld %lld %ld %lld %lld\n", c->status,
                (long long)c->ru.ru_utime.tv_sec * 1000000LL + c->ru.ru_utime.tv_usec,
                (long long)c->ru.ru_stime.tv_sec * 1000000LL + c->ru.ru_stime.tv_usec,
                c->ru.ru_maxrss, c->start, c->end);
    }
    if (sample_ms > 0) fprintf(r, "tree %ld %ld %ld %lld %lld %ld\n", peak, samples, orphans, orphan_ut, orphan_st, orphan_rss);
    return fclose(r) == 0 && started == n ? 0 : 1;
}
