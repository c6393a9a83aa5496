#include "file_status.h"

#include <fcntl.h>
#include <sys/stat.h>

static void fill(const struct stat *st, pf_file_status *out) {
    out->mode = (unsigned int)st->st_mode;
    out->uid = (unsigned int)st->st_uid;
    out->dev = (unsigned long long)st->st_dev;
    out->ino = (unsigned long long)st->st_ino;
    out->size = (long long)st->st_size;
    out->mtime_sec = (long long)st->st_mtim.tv_sec;
    out->mtime_nsec = (long long)st->st_mtim.tv_nsec;
}

int pf_stat(const char *path, int follow, pf_file_status *out) {
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return -1;
    fill(&st, out);
    return 0;
}

int pf_fstat(int fd, pf_file_status *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    fill(&st, out);
    return 0;
}

int pf_statat(int dirfd, const char *path, pf_file_status *out) {
    struct stat st;
    if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0) return -1;
    fill(&st, out);
    return 0;
}
