#ifndef POSTFLEET_FILE_STATUS_H
#define POSTFLEET_FILE_STATUS_H

/* stat(2) through plain values. Swift sees `struct stat` through Glibc, Foundation's
   CoreFoundation and Dispatch's CDispatch alike, and which of them a build credits with
   it varies: under MemberImportVisibility a clean build then fails where an incremental
   one passed. These functions hand back what postfleet reads, as plain integers. */

typedef struct {
    unsigned int mode; /* st_mode: type and permission bits */
    unsigned int uid;  /* st_uid */
    unsigned long long dev, ino;    /* st_dev, st_ino */
    long long size;                 /* st_size */
    long long mtime_sec, mtime_nsec; /* st_mtim */
} pf_file_status;

/* 0, or -1 with errno set. `follow`: follow a final symbolic link (stat), or not (lstat). */
int pf_stat(const char *path, int follow, pf_file_status *out);

/* fstat(fd): 0, or -1 with errno set. */
int pf_fstat(int fd, pf_file_status *out);

/* fstatat(dirfd, path, AT_SYMLINK_NOFOLLOW): 0, or -1 with errno set. */
int pf_statat(int dirfd, const char *path, pf_file_status *out);

#endif
