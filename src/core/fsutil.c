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
	struct buf tmp = BUF_INIT;
	buf_printf(&tmp, "%s.tmpXXXXXX", path);
	char *tpath = tmp.data;
	int fd = mkstemp(tpath);
	if (fd < 0) {
		int err = errno;
		buf_free(&tmp);
		return perr_set(e, "cannot write '%s': %s", path, strerror(err));
	}
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);

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
	if (rename(tpath, path) != 0)
		goto fail;
	buf_free(&tmp);
	return 0;
fail:;
	int err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlink(tpath);
	buf_free(&tmp);
	return perr_set(e, "cannot write '%s': %s", path, strerror(err));
}

const char *fs_extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : "";
}
