/*
 * run: files -> digest, in parallel where the format allows.
 */
#include "run.h"
#include "../core/buf.h"
#include "detect.h"
#include "formats.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define DROP_EVERY (8u << 20) /* give back digested pages every 8 MB */
#define PART_MIN (8u << 20)    /* files smaller than this are read by one thread */

/* Inflate a gzip file into an unlinked temporary file; its descriptor, or -1. */
static int gunzip_to_temp(const char *path, struct perr *e)
{
	gzFile gz = gzopen(path, "rb");
	if (!gz)
		return perr_set(e, "cannot read '%s': %s", path, strerror(errno ? errno : EIO));
	const char *tmpdir = getenv("TMPDIR");
	struct buf name = BUF_INIT;
	buf_printf(&name, "%s/perfagent-digest-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(name.data);
	if (fd < 0) {
		int err = errno;
		gzclose(gz);
		buf_free(&name);
		return perr_set(e, "cannot create a temporary file to inflate '%s': %s", path, strerror(err));
	}
	unlink(name.data);
	buf_free(&name);
	char chunk[1 << 16];
	int n;
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0) {
		if (write(fd, chunk, (size_t)n) != n) {
			int err = errno;
			gzclose(gz);
			close(fd);
			return perr_set(e, "cannot inflate '%s': %s", path, strerror(err ? err : ENOSPC));
		}
	}
	int zerr;
	const char *msg = gzerror(gz, &zerr);
	if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
		/* A truncated gzip: keep what inflated, say so. */
		fprintf(stderr, "perfagent digest: '%s': %s; digesting what could be read\n", path, msg);
	}
	gzclose(gz);
	return fd;
}

static int is_gzip(int fd)
{
	unsigned char m[2];
	ssize_t n = pread(fd, m, 2, 0);
	return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

struct part {
	const struct fmt_ops *ops;
	const char *base;      /* the whole mapping, for dropping pages */
	const char *buf;
	size_t len;
	struct digest d;
	int64_t events, garbled;
	int failed;
	atomic_int_fast64_t *progress_bytes;
	atomic_int *finished;
};

/* Give pages before p back to the kernel (the mapping stays valid). */
static void drop_before(const char *base, const char *p, size_t *dropped)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t upto = (size_t)(p - base);
	upto -= upto % (size_t)page;
	if (upto > *dropped + DROP_EVERY) {
		madvise((void *)(base + *dropped), upto - *dropped, MADV_DONTNEED);
		*dropped = upto;
	}
}

static void *part_main(void *arg)
{
	struct part *p = arg;
	void *st = calloc(1, p->ops->state_size);
	if (!st) {
		p->failed = 1;
		atomic_fetch_add(p->finished, 1);
		return NULL;
	}
	p->ops->init(st, p->buf, p->len);
	size_t dropped = (size_t)(p->buf - p->base);
	dropped -= dropped % (size_t)sysconf(_SC_PAGESIZE);
	const char *last = p->buf;
	int64_t reported = 0;
	for (;;) {
		const char *at;
		int rc;
		if (p->ops->next_query) {
			struct dg_query q;
			rc = p->ops->next_query(st, &q);
			if (rc <= 0)
				break;
			at = q.sql;
			if (dg_add_query(&p->d, &q)) {
				p->failed = 1;
				break;
			}
		} else {
			struct dg_hit h;
			rc = p->ops->next_hit(st, &h);
			if (rc <= 0)
				break;
			at = h.path ? h.path : last;
			if (dg_add_hit(&p->d, &h)) {
				p->failed = 1;
				break;
			}
		}
		p->events++;
		if (at > last)
			last = at;
		if ((p->events & 4095) == 0) {
			drop_before(p->base, last, &dropped);
			int64_t done = (int64_t)(last - p->buf);
			atomic_fetch_add(p->progress_bytes, done - reported);
			reported = done;
		}
	}
	atomic_fetch_add(p->progress_bytes, (int64_t)p->len - reported);
	p->garbled = p->ops->garbled(st);
	if (p->ops->fini)
		p->ops->fini(st);
	dg_flush_runs(&p->d);
	free(st);
	atomic_fetch_add(p->finished, 1);
	return NULL;
}

int dgrun_file(struct digest *d, const char *path, enum dg_format forced, int threads,
	       struct progress *progress, struct dgrun_file *info, struct perr *e)
{
	memset(info, 0, sizeof(*info));
	info->path = path;
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perr_set(e, "cannot read '%s': %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		return perr_set(e, "'%s' is a directory, not a log file", path);
	}
	if (!S_ISREG(st.st_mode) || is_gzip(fd)) {
		/* Pipes and gzip files go through a temporary file to be mapped. */
		int tfd;
		if (S_ISREG(st.st_mode)) {
			tfd = gunzip_to_temp(path, e);
		} else {
			/* zlib reads plain input through as it is, so this also copies a pipe. */
			char fdpath[64];
			snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
			tfd = gunzip_to_temp(fdpath, e);
		}
		close(fd);
		if (tfd < 0)
			return -1;
		fd = tfd;
		if (fstat(fd, &st) != 0) {
			close(fd);
			return perr_set(e, "cannot read '%s'", path);
		}
	}
	size_t len = (size_t)st.st_size;
	info->bytes = (int64_t)len;
	if (len == 0) {
		close(fd);
		info->format = forced;
		return 0; /* an empty log: nothing to digest, not an error */
	}
	const char *buf = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED)
		return perr_set(e, "cannot map '%s': %s", path, strerror(errno));
	madvise((void *)buf, len, MADV_SEQUENTIAL);
	enum dg_format fmt = forced != DG_UNKNOWN ? forced : detect_format(buf, len);
	info->format = fmt;
	const struct fmt_ops *ops = fmt_ops_for(fmt);
	if (!ops) {
		munmap((void *)buf, len);
		return perr_set(e, "'%s' is not a log format perfagent reads (MySQL slow or general log, "
				   "PostgreSQL log or csvlog, web access log); use --type to name it",
				path);
	}
	int nparts = ops->sync && len >= PART_MIN && threads > 1 ? threads : 1;
	struct part *parts = calloc((size_t)nparts, sizeof(*parts));
	pthread_t *tids = calloc((size_t)nparts, sizeof(*tids));
	atomic_int_fast64_t done = 0;
	atomic_int finished = 0;
	size_t start = 0;
	for (int i = 0; i < nparts; i++) {
		size_t end = i == nparts - 1 ? len : ops->sync(buf, len, len / (size_t)nparts * (size_t)(i + 1));
		if (end < start)
			end = start;
		parts[i].ops = ops;
		parts[i].base = buf;
		parts[i].buf = buf + start;
		parts[i].len = end - start;
		parts[i].progress_bytes = &done;
		parts[i].finished = &finished;
		dg_init(&parts[i].d, d->o);
		start = end;
	}
	int started = 0;
	for (int i = 0; i < nparts; i++)
		if (pthread_create(&tids[i], NULL, part_main, &parts[i]) == 0)
			started++;
		else
			part_main(&parts[i]);
	(void)started;
	/* Progress while the parts run: the share of the file digested. */
	while (progress && progress->enabled) {
		int64_t b = atomic_load(&done);
		progress_update(progress, "%s  %.0f%%  %.0f MB of %.0f MB", path, 100.0 * (double)b / (double)len,
				(double)b / 1e6, (double)len / 1e6);
		if (atomic_load(&finished) == nparts)
			break;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int rc = 0;
	for (int i = 0; i < nparts; i++) {
		pthread_join(tids[i], NULL);
		if (parts[i].failed)
			rc = perr_set(e, "out of memory digesting '%s'", path);
		if (!rc && dg_merge(d, &parts[i].d))
			rc = perr_set(e, "out of memory digesting '%s'", path);
		info->events += parts[i].events;
		info->garbled += parts[i].garbled;
		dg_free(&parts[i].d);
	}
	free(parts);
	free(tids);
	munmap((void *)buf, len);
	return rc;
}
