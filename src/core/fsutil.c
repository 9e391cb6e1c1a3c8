/*
 * fsutil: atomic file replacement (temporary file + fsync + rename).
 */
#include "fsutil.h"
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_write_atomic(const char *path, const void *data, size_t len, struct perr *e)
{
	/* Write where a symlink points, not over the link; keep an existing
	 * file's permissions (a 0600 report stays 0600). */
	char *real = NULL;
	struct stat st;
	int exists = 0;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			real = realpath(path, NULL);
			if (real && stat(real, &st) == 0)
				exists = 1;
		} else {
			exists = 1;
		}
	}
	const char *target = real ? real : path;
	if (exists && S_ISDIR(st.st_mode)) {
		free(real);
		return perr_set(e, "cannot write '%s': it is a directory", path);
	}
	struct buf tmp = BUF_INIT;
	buf_printf(&tmp, "%s.tmpXXXXXX", target);
	char *tpath = tmp.data;
	int fd = mkstemp(tpath);
	if (fd < 0) {
		int err = errno;
		buf_free(&tmp);
		free(real);
		return perr_set(e, "cannot write '%s': %s", path, strerror(err));
	}
	mode_t mode;
	if (exists) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	if (fchmod(fd, mode) != 0)
		goto fail;

	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) != 0 && errno != EINVAL)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tpath, target) != 0)
		goto fail;
	buf_free(&tmp);
	free(real);
	return 0;
fail:;
	int err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tpath);
	buf_free(&tmp);
	free(real);
	return perr_set(e, "cannot write '%s': %s", path, strerror(err));
}

char *fs_read_stream(FILE *f, size_t max, size_t *len, int *too_big)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	*too_big = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_put(&b, chunk, n);
		if (b.len > max) {
			buf_free(&b);
			*too_big = 1;
			return NULL;
		}
	}
	if (ferror(f)) {
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_detach(&b);
}

const char *fs_extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : "";
}
