/*
 * digest: the aggregation behind `perfagent digest`.
 *
 * The hot path is dg_add_query: fingerprint (src/sql), one hash lookup,
 * a few additions, a histogram bucket, and two small capped tables for
 * N+1 runs and repeated texts. Nothing is allocated per event except when
 * a new class appears or a class gets a new slowest example.
 */
#include "digest.h"
#include "../core/jsonx.h"
#include "../sql/sqlclass.h"
#include "../sql/sqlfp.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXAMPLE_MAX (64 * 1024)
#define CONNS_MAX 65536
#define TEXTS_SLOTS (1u << 17) /* 3 MB: fixed, so memory does not grow with the log */

/*
 * A 64-bit hash of n bytes, eight at a time (multiply and fold): it runs on
 * every statement twice, so a byte-at-a-time hash was a tenth of the digest.
 * Not cryptographic; collisions between fingerprints are resolved by
 * comparing them, and two texts colliding only merge two cache counts.
 */
static uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)(a ^ 0xa0761d6478bd642fULL) * (b ^ 0xe7037ed1a0b428dbULL);
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
	h ^= n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = mix(h, w);
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	return mix(h, w ^ ((uint64_t)n << 56));
}

#define FNV_INIT 0x9e3779b97f4a7c15ULL

void dg_init(struct digest *d, const struct dg_opts *o)
{
	memset(d, 0, sizeof(*d));
	d->o = o;
	d->first_ts = -1;
	d->last_ts = -1;
}

void dg_free(struct digest *d)
{
	for (size_t i = 0; i < d->nclasses; i++) {
		struct dg_class *c = d->classes[i];
		free(c->fingerprint);
		free(c->example);
		free(c->db);
		loghist_free(&c->t_hist);
		free(c);
	}
	for (size_t i = 0; i < d->neps; i++) {
		free(d->eps[i]->key);
		loghist_free(&d->eps[i]->t_hist);
		free(d->eps[i]);
	}
	free(d->classes);
	free(d->cindex);
	free(d->eps);
	free(d->eindex);
	free(d->pairs);
	free(d->conns);
	free(d->texts);
	buf_free(&d->fp);
	memset(d, 0, sizeof(*d));
}

static void note_ts(int64_t *first, int64_t *last, int64_t ts)
{
	if (ts < 0)
		return;
	if (*first < 0 || ts < *first)
		*first = ts;
	if (*last < 0 || ts > *last)
		*last = ts;
}

/* ---- classes: fingerprint -> class, open addressing on its hash ---- */

static void cindex_grow(struct digest *d)
{
	size_t cap = d->cicap ? d->cicap * 2 : 1024;
	size_t *idx = xcalloc(cap, sizeof(*idx));
	for (size_t i = 0; i < d->nclasses; i++) {
		size_t j = (size_t)d->classes[i]->hash & (cap - 1);
		while (idx[j])
			j = (j + 1) & (cap - 1);
		idx[j] = i + 1;
	}
	free(d->cindex);
	d->cindex = idx;
	d->cicap = cap;
}

/* The class of fingerprint fp, created when new. Returns its index. */
static size_t class_of(struct digest *d, const char *fp, size_t len, uint64_t h, const char *sql, size_t sqllen)
{
	if (2 * (d->nclasses + 1) > d->cicap)
		cindex_grow(d);
	size_t j = (size_t)h & (d->cicap - 1);
	while (d->cindex[j]) {
		struct dg_class *c = d->classes[d->cindex[j] - 1];
		if (c->hash == h && c->fplen == len && memcmp(c->fingerprint, fp, len) == 0)
			return d->cindex[j] - 1;
		j = (j + 1) & (d->cicap - 1);
	}
	struct dg_class *c = xcalloc(1, sizeof(*c));
	c->fingerprint = xmalloc(len + 1);
	memcpy(c->fingerprint, fp, len);
	c->fingerprint[len] = '\0';
	c->fplen = len;
	c->hash = h;
	sqlfp_query_id_full(fp, len, c->id);
	c->is_write = sql ? sqlclass_is_write(sql, sqllen) : 1;
	c->t_min = INFINITY;
	c->size_min = INT64_MAX;
	c->first_ts = c->last_ts = -1;
	c->example_t = -1;
	if (d->nclasses == d->capclasses) {
		d->capclasses = d->capclasses ? d->capclasses * 2 : 256;
		d->classes = xrealloc(d->classes, d->capclasses * sizeof(*d->classes));
	}
	d->classes[d->nclasses] = c;
	d->cindex[j] = ++d->nclasses;
	return d->nclasses - 1;
}

static void set_example(struct dg_class *c, const char *sql, size_t len, const char *db, size_t dblen, double t)
{
	if (t <= c->example_t && c->example)
		return;
	if (len > EXAMPLE_MAX)
		len = EXAMPLE_MAX;
	free(c->example);
	c->example = xmalloc(len + 1);
	memcpy(c->example, sql, len);
	c->example[len] = '\0';
	c->example_t = t;
	free(c->db);
	c->db = NULL;
	if (db && dblen) {
		c->db = xmalloc(dblen + 1);
		memcpy(c->db, db, dblen);
		c->db[dblen] = '\0';
	}
}

/* ---- N+1: per-connection runs ---- */

static struct dg_conn *conn_of(struct digest *d, uint64_t id)
{
	if (!d->conns) {
		d->connscap = 1024;
		d->conns = xcalloc(d->connscap, sizeof(*d->conns));
	}
	if (2 * (d->nconns + 1) > d->connscap && d->connscap < 2 * CONNS_MAX) {
		size_t cap = d->connscap * 2;
		struct dg_conn *n = xcalloc(cap, sizeof(*n));
		for (size_t i = 0; i < d->connscap; i++) {
			if (!d->conns[i].used)
				continue;
			size_t j = (size_t)(d->conns[i].id * 0x9e3779b97f4a7c15ULL) & (cap - 1);
			while (n[j].used)
				j = (j + 1) & (cap - 1);
			n[j] = d->conns[i];
		}
		free(d->conns);
		d->conns = n;
		d->connscap = cap;
	}
	size_t j = (size_t)(id * 0x9e3779b97f4a7c15ULL) & (d->connscap - 1);
	for (size_t probes = 0; probes < d->connscap; probes++) {
		struct dg_conn *c = &d->conns[j];
		if (c->used && c->id == id)
			return c;
		if (!c->used) {
			if (2 * (d->nconns + 1) > d->connscap)
				return NULL; /* full: this connection is not tracked */
			c->used = 1;
			c->id = id;
			c->last = c->parent = -1;
			d->nconns++;
			return c;
		}
		j = (j + 1) & (d->connscap - 1);
	}
	return NULL;
}

/* Add occurrences of an N+1 pattern (few distinct patterns: a list is enough). */
static void add_pair(struct digest *d, const struct dg_pair *add)
{
	for (size_t i = 0; i < d->npairs; i++) {
		struct dg_pair *p = &d->pairs[i];
		if (p->parent == add->parent && p->child == add->child) {
			p->occurrences += add->occurrences;
			p->queries += add->queries;
			p->time += add->time;
			if (add->max_run > p->max_run)
				p->max_run = add->max_run;
			return;
		}
	}
	if (d->npairs == d->cappairs) {
		d->cappairs = d->cappairs ? d->cappairs * 2 : 16;
		d->pairs = xrealloc(d->pairs, d->cappairs * sizeof(*d->pairs));
	}
	d->pairs[d->npairs++] = *add;
}

static void close_run(struct digest *d, struct dg_conn *c)
{
	if (c->last >= 0 && c->parent >= 0 && c->run >= d->o->nplus1_min && c->varies &&
	    !d->classes[c->last]->is_write) {
		struct dg_pair p = {(size_t)c->parent, (size_t)c->last, 1, c->run, c->run, c->run_time};
		add_pair(d, &p);
	}
}

void dg_flush_runs(struct digest *d)
{
	for (size_t i = 0; i < d->connscap; i++) {
		if (!d->conns[i].used)
			continue;
		close_run(d, &d->conns[i]);
		d->conns[i].last = d->conns[i].parent = -1;
		d->conns[i].run = 0;
	}
}

/* ---- repeated texts, for caching ---- */

/*
 * Drop the texts seen only once, to make room: in a log with many distinct
 * literals nearly every text is new, and only repeats matter for caching.
 * In place, so the table's pages stay. Returns whether the sweep freed
 * enough (the table is under a quarter full).
 */
static int sweep_texts(struct digest *d)
{
	size_t keep = 0;
	for (size_t i = 0; i < TEXTS_SLOTS; i++)
		keep += d->texts[i].count >= 2;
	struct dg_text *kept = xmalloc((keep ? keep : 1) * sizeof(*kept));
	for (size_t i = 0, k = 0; i < TEXTS_SLOTS; i++)
		if (d->texts[i].count >= 2)
			kept[k++] = d->texts[i];
	memset(d->texts, 0, TEXTS_SLOTS * sizeof(*d->texts));
	for (size_t k = 0; k < keep; k++) {
		size_t j = (size_t)kept[k].hash & (TEXTS_SLOTS - 1);
		while (d->texts[j].count)
			j = (j + 1) & (TEXTS_SLOTS - 1);
		d->texts[j] = kept[k];
	}
	d->ntexts = keep;
	free(kept);
	d->sweeps++;
	return d->ntexts < TEXTS_SLOTS / 4;
}

static void add_text(struct digest *d, const struct dg_text *add)
{
	if (!d->texts) {
		/* Written, not calloc'd: a page first read maps the shared zero
		 * page, and its first write then costs a TLB flush on every core. */
		d->texts = xmalloc(TEXTS_SLOTS * sizeof(*d->texts));
		memset(d->texts, 0, TEXTS_SLOTS * sizeof(*d->texts));
		d->textscap = TEXTS_SLOTS;
	}
	size_t j = (size_t)add->hash & (TEXTS_SLOTS - 1);
	while (d->texts[j].count) {
		struct dg_text *t = &d->texts[j];
		if (t->hash == add->hash) {
			uint64_t c = (uint64_t)t->count + add->count;
			t->count = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
			if (add->first_s && (!t->first_s || add->first_s < t->first_s))
				t->first_s = add->first_s;
			if (add->last_s > t->last_s)
				t->last_s = add->last_s;
			return;
		}
		j = (j + 1) & (TEXTS_SLOTS - 1);
	}
	if (2 * (d->ntexts + 1) > TEXTS_SLOTS) {
		if (d->texts_full || !sweep_texts(d)) {
			d->texts_full = 1; /* mostly repeats already: new texts are not followed */
			return;
		}
		add_text(d, add);
		return;
	}
	d->texts[j] = *add;
	d->ntexts++;
}

/* ---- events ---- */

int dg_add_query(struct digest *d, const struct dg_query *q)
{
	if (q->admin)
		d->admin++;
	/* The exact text's slot is a likely cache miss in a 3 MB table: ask for
	 * it now, and let the fingerprinting below hide the wait. */
	uint64_t th = fnv(q->sql, q->sql_len, fnv(q->db ? q->db : "", q->db_len, FNV_INIT));
	if (d->texts)
		__builtin_prefetch(&d->texts[(size_t)th & (TEXTS_SLOTS - 1)], 1);
	buf_reset(&d->fp);
	sqlfp_fingerprint(q->sql, q->sql_len, &d->fp);
	uint64_t h = fnv(d->fp.data ? d->fp.data : "", d->fp.len, FNV_INIT);
	size_t ci = class_of(d, d->fp.data ? d->fp.data : "", d->fp.len, h, q->sql, q->sql_len);
	struct dg_class *c = d->classes[ci];
	double t = q->query_time_s >= 0 ? q->query_time_s : 0;
	c->count++;
	c->t_sum += t;
	c->t_sumsq += t * t;
	if (t < c->t_min)
		c->t_min = t;
	if (t > c->t_max)
		c->t_max = t;
	if (loghist_add(&c->t_hist, t * 1e6))
		return -1;
	if (q->lock_time_s > 0) {
		c->lock_sum += q->lock_time_s;
		if (q->lock_time_s > c->lock_max)
			c->lock_max = q->lock_time_s;
	}
	if (q->rows_sent >= 0 || q->rows_examined >= 0)
		c->have_rows = 1;
	if (q->rows_sent > 0) {
		c->rows_sent += q->rows_sent;
		if (q->rows_sent > c->rows_sent_max)
			c->rows_sent_max = q->rows_sent;
	}
	if (q->rows_examined > 0) {
		c->rows_exam += q->rows_examined;
		if (q->rows_examined > c->rows_exam_max)
			c->rows_exam_max = q->rows_examined;
	}
	if (q->bytes_sent > 0)
		c->bytes += q->bytes_sent;
	int64_t size = (int64_t)q->sql_len;
	c->size_sum += size;
	if (size < c->size_min)
		c->size_min = size;
	if (size > c->size_max)
		c->size_max = size;
	note_ts(&c->first_ts, &c->last_ts, q->ts_us);
	note_ts(&d->first_ts, &d->last_ts, q->ts_us);
	set_example(c, q->sql, q->sql_len, q->db, q->db_len, t);
	d->queries++;
	d->time_total += t;

	/* The exact text (with its schema) for caching; N+1 runs per connection. */
	if (!c->is_write && !q->admin) {
		uint32_t sec = q->ts_us > 0 ? (uint32_t)(q->ts_us / 1000000) : 0;
		struct dg_text t = {th, (uint32_t)ci, 1, sec, sec};
		add_text(d, &t);
	}
	struct dg_conn *cn = conn_of(d, q->conn_id);
	if (cn && !q->admin) {
		if (cn->last == (long)ci) {
			cn->run++;
			cn->run_time += t;
			if (th != cn->run_text)
				cn->varies = 1;
		} else {
			close_run(d, cn);
			cn->parent = cn->last;
			cn->last = (long)ci;
			cn->run = 1;
			cn->run_time = t;
			cn->run_text = th;
			cn->varies = 0;
		}
	}
	return 0;
}

/* ---- access logs ---- */

static int is_id_segment(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	size_t digits = 0, hex = 0, dashes = 0;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		if (isxdigit((unsigned char)s[i]))
			hex++;
		if (s[i] == '-')
			dashes++;
	}
	if (digits == n)
		return 1;                                  /* 123 */
	if (n == 36 && dashes == 4 && hex == 32)
		return 1;                                  /* a UUID */
	if (n >= 16 && hex == n && digits > 0)
		return 1;                                  /* a hex digest */
	return 0;
}

void dg_normalize_path(const char *path, size_t len, struct buf *out)
{
	buf_reset(out);
	const char *q = memchr(path, '?', len);
	if (q)
		len = (size_t)(q - path);
	if (len == 0) {
		buf_putc(out, '/');
		return;
	}
	size_t i = 0;
	while (i < len) {
		if (path[i] == '/') {
			buf_putc(out, '/');
			i++;
			continue;
		}
		size_t j = i;
		while (j < len && path[j] != '/')
			j++;
		if (is_id_segment(path + i, j - i))
			buf_puts(out, "{id}");
		else
			buf_put(out, path + i, j - i);
		i = j;
	}
}

/* The endpoint with this key, created when new. */
static struct dg_endpoint *endpoint_of(struct digest *d, const char *key, size_t len)
{
	uint64_t h = fnv(key, len, FNV_INIT);
	if (2 * (d->neps + 1) > d->eicap) {
		size_t cap = d->eicap ? d->eicap * 2 : 256;
		size_t *idx = xcalloc(cap, sizeof(*idx));
		for (size_t i = 0; i < d->neps; i++) {
			size_t j = (size_t)d->eps[i]->hash & (cap - 1);
			while (idx[j])
				j = (j + 1) & (cap - 1);
			idx[j] = i + 1;
		}
		free(d->eindex);
		d->eindex = idx;
		d->eicap = cap;
	}
	size_t j = (size_t)h & (d->eicap - 1);
	while (d->eindex[j]) {
		struct dg_endpoint *x = d->eps[d->eindex[j] - 1];
		if (x->hash == h && strlen(x->key) == len && memcmp(x->key, key, len) == 0)
			return x;
		j = (j + 1) & (d->eicap - 1);
	}
	struct dg_endpoint *e = xcalloc(1, sizeof(*e));
	e->key = xmalloc(len + 1);
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->hash = h;
	e->first_ts = e->last_ts = -1;
	if (d->neps == d->capeps) {
		d->capeps = d->capeps ? d->capeps * 2 : 64;
		d->eps = xrealloc(d->eps, d->capeps * sizeof(*d->eps));
	}
	d->eps[d->neps] = e;
	d->eindex[j] = ++d->neps;
	return e;
}

int dg_add_hit(struct digest *d, const struct dg_hit *hit)
{
	struct buf key = BUF_INIT, path = BUF_INIT;
	if (hit->method && hit->method_len)
		buf_put(&key, hit->method, hit->method_len);
	else
		buf_puts(&key, "ANY");
	buf_putc(&key, ' ');
	dg_normalize_path(hit->path ? hit->path : "/", hit->path ? hit->path_len : 1, &path);
	buf_puts(&key, buf_str(&path));
	struct dg_endpoint *e = endpoint_of(d, key.data, key.len);
	buf_free(&key);
	buf_free(&path);
	double t = hit->duration_s >= 0 ? hit->duration_s : 0;
	e->count++;
	e->t_sum += t;
	if (t > e->t_max)
		e->t_max = t;
	if (loghist_add(&e->t_hist, t * 1e6))
		return -1;
	if (hit->status >= 500)
		e->err5xx++;
	else if (hit->status >= 400)
		e->err4xx++;
	note_ts(&e->first_ts, &e->last_ts, hit->ts_us);
	note_ts(&d->first_ts, &d->last_ts, hit->ts_us);
	d->hits++;
	return 0;
}

/* ---- merging parts ---- */

int dg_merge(struct digest *dst, const struct digest *src)
{
	size_t *map = xcalloc(src->nclasses + 1, sizeof(*map));
	for (size_t i = 0; i < src->nclasses; i++) {
		const struct dg_class *s = src->classes[i];
		size_t di = class_of(dst, s->fingerprint, s->fplen, s->hash, NULL, 0);
		struct dg_class *c = dst->classes[di];
		map[i] = di;
		if (c->count == 0)
			c->is_write = s->is_write;
		c->count += s->count;
		c->t_sum += s->t_sum;
		c->t_sumsq += s->t_sumsq;
		if (s->t_min < c->t_min)
			c->t_min = s->t_min;
		if (s->t_max > c->t_max)
			c->t_max = s->t_max;
		if (loghist_merge(&c->t_hist, &s->t_hist)) {
			free(map);
			return -1;
		}
		c->lock_sum += s->lock_sum;
		if (s->lock_max > c->lock_max)
			c->lock_max = s->lock_max;
		c->have_rows |= s->have_rows;
		c->rows_sent += s->rows_sent;
		c->rows_exam += s->rows_exam;
		if (s->rows_sent_max > c->rows_sent_max)
			c->rows_sent_max = s->rows_sent_max;
		if (s->rows_exam_max > c->rows_exam_max)
			c->rows_exam_max = s->rows_exam_max;
		c->bytes += s->bytes;
		c->size_sum += s->size_sum;
		if (s->size_min < c->size_min)
			c->size_min = s->size_min;
		if (s->size_max > c->size_max)
			c->size_max = s->size_max;
		note_ts(&c->first_ts, &c->last_ts, s->first_ts);
		note_ts(&c->first_ts, &c->last_ts, s->last_ts);
		if (s->example)
			set_example(c, s->example, strlen(s->example), s->db, s->db ? strlen(s->db) : 0, s->example_t);
	}
	for (size_t i = 0; i < src->npairs; i++) {
		struct dg_pair p = src->pairs[i];
		p.parent = map[p.parent];
		p.child = map[p.child];
		add_pair(dst, &p);
	}
	for (size_t i = 0; i < src->textscap; i++) {
		if (!src->texts[i].count)
			continue;
		struct dg_text t = src->texts[i];
		t.cls = (uint32_t)map[t.cls];
		add_text(dst, &t);
	}
	for (size_t i = 0; i < src->neps; i++) {
		const struct dg_endpoint *s = src->eps[i];
		struct dg_endpoint *e = endpoint_of(dst, s->key, strlen(s->key));
		if (loghist_merge(&e->t_hist, &s->t_hist)) {
			free(map);
			return -1;
		}
		e->count += s->count;
		e->t_sum += s->t_sum;
		if (s->t_max > e->t_max)
			e->t_max = s->t_max;
		e->err5xx += s->err5xx;
		e->err4xx += s->err4xx;
		note_ts(&e->first_ts, &e->last_ts, s->first_ts);
		note_ts(&e->first_ts, &e->last_ts, s->last_ts);
	}
	dst->queries += src->queries;
	dst->hits += src->hits;
	dst->admin += src->admin;
	dst->time_total += src->time_total;
	dst->texts_full |= src->texts_full;
	note_ts(&dst->first_ts, &dst->last_ts, src->first_ts);
	note_ts(&dst->first_ts, &dst->last_ts, src->last_ts);
	free(map);
	return 0;
}
