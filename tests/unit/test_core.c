/*
 * test_core: the dependency-light core — buffers, arena, suggestions,
 * clocks and timestamps, units, severity, atomic files, UTF-8 repair,
 * progress lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/fsutil.h"
#include "core/jsonx.h"
#include "core/progress.h"
#include "core/severity.h"
#include "core/suggest.h"
#include "core/units.h"

static void test_buf(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_string_equal(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_string_equal(b.data + b.len - 4, "999,");
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	buf_put(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	char *s = buf_detach(&b);
	assert_null(b.data);
	assert_int_equal(s[2], 'b');
	free(s);
	buf_free(&b);
}

static void test_arena(void **state)
{
	(void)state;
	struct arena a = {0};
	char *small = arena_strdup(&a, "hello");
	char *big = arena_alloc(&a, 100000); /* larger than a chunk */
	memset(big, 'x', 100000);
	char *after = arena_printf(&a, "%s-%d", small, 42);
	assert_string_equal(small, "hello");
	assert_string_equal(after, "hello-42");
	assert_null(arena_strdup(&a, NULL));
	int *zeros = arena_calloc(&a, 1000, sizeof(int));
	for (int i = 0; i < 1000; i++)
		assert_int_equal(zeros[i], 0);
	assert_int_equal((uintptr_t)zeros % 16, 0);
	arena_free(&a);
	assert_null(a.head);
}

static void test_suggest(void **state)
{
	(void)state;
	const char *names[] = {"report", "load", "digest", "db", "explain"};
	assert_int_equal(suggest_distance("report", "reprot"), 1); /* transposition */
	assert_int_equal(suggest_distance("abc", "abc"), 0);
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_string_equal(suggest_closest("reprot", names, 5), "report");
	assert_string_equal(suggest_closest("lod", names, 5), "load");
	assert_string_equal(suggest_closest("REPORT", names, 5), "report"); /* a case slip is a typo too */
	assert_null(suggest_closest("report", names, 5));                  /* the word itself is not */
	assert_null(suggest_closest("frobnicate", names, 5));
	const char *flags[] = {"--baseline", "--title", "--budget"};
	assert_string_equal(suggest_closest("--base", flags, 3), "--baseline");
	/* A tie between two candidates suggests neither. */
	const char *tie[] = {"ab", "ac"};
	assert_null(suggest_closest("aa", tie, 2));
}

static void test_rfc3339(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T13:00:00Z", &t), 0);
	assert_int_equal(t, 1795525200);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T14:00:00+01:00", &t), 0);
	assert_int_equal(t, 1795525200);
	assert_int_equal(clock_parse_rfc3339("2026-11-24t13:00:00.123456z", &t), 0);
	assert_int_equal(t, 1795525200);
	assert_int_equal(clock_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(clock_parse_rfc3339("2023-02-29T00:00:00Z", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2100-02-29T00:00:00Z", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2000-02-29T00:00:00Z", &t), 0);
	assert_int_equal(clock_parse_rfc3339("2026-13-01T00:00:00Z", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-04-31T00:00:00Z", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T24:00:00Z", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T13:00:00", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T13:00:00Zjunk", &t), -1);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T13:00:00.Z", &t), -1);
	assert_int_equal(clock_parse_rfc3339("yesterday", &t), -1);
	assert_int_equal(clock_parse_rfc3339("", &t), -1);
	char out[32];
	clock_format_rfc3339(1795525200, out);
	assert_string_equal(out, "2026-11-24T13:00:00Z");
}

static void test_mono(void **state)
{
	(void)state;
	int64_t a = clock_mono_ns();
	usleep(2000);
	int64_t b = clock_mono_ns();
	assert_true(b - a >= 2000000);
	assert_true(clock_elapsed_s(a, b) > 0.001);
}

static void test_units_parse(void **state)
{
	(void)state;
	double v;
	assert_int_equal(unit_parse(UNIT_MS, "250", &v), 0);
	assert_true(v == 250);
	assert_int_equal(unit_parse(UNIT_MS, "1.5s", &v), 0);
	assert_true(v == 1500);
	assert_int_equal(unit_parse(UNIT_MS, "300us", &v), 0);
	assert_true(v == 0.3);
	assert_int_equal(unit_parse(UNIT_MS, "2min", &v), 0);
	assert_true(v == 120000);
	assert_int_equal(unit_parse(UNIT_MS, "100MS", &v), 0);
	assert_true(v == 100);
	assert_int_equal(unit_parse(UNIT_MB, "2GB", &v), 0);
	assert_true(v == 2048);
	assert_int_equal(unit_parse(UNIT_MB, "512KB", &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(unit_parse(UNIT_MB_PER_MIN, "60MB/h", &v), 0);
	assert_true(v == 1);
	assert_int_equal(unit_parse(UNIT_MB_PER_MIN, "1MB/s", &v), 0);
	assert_true(v == 60);
	assert_int_equal(unit_parse(UNIT_MS, "1e-3s", &v), 0);
	assert_true(v == 1);
	assert_int_equal(unit_parse(UNIT_MB_PER_MIN, "5", &v), 0);
	assert_true(v == 5);
	const char *bad[] = {"", "-1", "+1", "abc", "1.5xs", "inf", "nan", "0x10", "1e999", "5MB",
			     "1s s", NULL};
	for (int i = 0; bad[i]; i++) {
		enum unit_kind k = i == 9 ? UNIT_MB_PER_MIN : UNIT_MS;
		assert_int_equal(unit_parse(k, bad[i], &v), -1);
	}
	assert_int_equal(unit_parse(UNIT_MB, "1s", &v), -1);
	assert_int_equal(unit_parse(UNIT_MS, "1MB", &v), -1);
}

static void test_units_format(void **state)
{
	(void)state;
	char s[64];
	fmt_ms(812, s, sizeof(s));
	assert_string_equal(s, "812ms");
	fmt_ms(0.42, s, sizeof(s));
	assert_string_equal(s, "0.42ms");
	fmt_ms(1500, s, sizeof(s));
	assert_string_equal(s, "1.5s");
	fmt_ms(2000, s, sizeof(s));
	assert_string_equal(s, "2s");
	fmt_ms(999.7, s, sizeof(s));
	assert_string_equal(s, "1s");
	fmt_ms(12345, s, sizeof(s));
	assert_string_equal(s, "12.3s");
	fmt_mb(500, s, sizeof(s));
	assert_string_equal(s, "500MB");
	fmt_mb(1536, s, sizeof(s));
	assert_string_equal(s, "1.5GB");
	fmt_num(0, s, sizeof(s));
	assert_string_equal(s, "0");
	fmt_num(-0.0001, s, sizeof(s));
	assert_string_equal(s, "-0.0001");
	fmt_num(12.0, s, sizeof(s));
	assert_string_equal(s, "12");
	fmt_fraction_pct(0, s, sizeof(s));
	assert_string_equal(s, "0%");
	fmt_fraction_pct(0.004, s, sizeof(s));
	assert_string_equal(s, "0.4%");
	fmt_fraction_pct(0.0001, s, sizeof(s));
	assert_string_equal(s, "<0.1%");
	fmt_fraction_pct(0.1, s, sizeof(s));
	assert_string_equal(s, "10%");
	fmt_fraction_pct(1, s, sizeof(s));
	assert_string_equal(s, "100%");
	fmt_unit(UNIT_MB_PER_MIN, 0.5, s, sizeof(s));
	assert_string_equal(s, "0.5MB/min");
}

static void test_severity(void **state)
{
	(void)state;
	enum pa_severity s;
	assert_int_equal(severity_parse("HIGH", &s), 0);
	assert_int_equal(s, PA_SEV_HIGH);
	assert_int_equal(severity_parse("urgent", &s), -1);
	assert_true(PA_SEV_CRITICAL > PA_SEV_HIGH && PA_SEV_HIGH > PA_SEV_MEDIUM &&
		    PA_SEV_MEDIUM > PA_SEV_LOW && PA_SEV_LOW > PA_SEV_INFO);
	assert_string_equal(severity_title(PA_SEV_MEDIUM), "Medium");
	assert_string_equal(severity_escalation(PA_SEV_CRITICAL), "/dev + /tl");
	assert_string_equal(severity_escalation(PA_SEV_HIGH), "/dev");
	assert_string_equal(severity_escalation(PA_SEV_LOW), "/dev");
	assert_null(severity_escalation(PA_SEV_INFO));
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_atomic_write(void **state)
{
	(void)state;
	char dir[] = "/tmp/pa-unit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/out.md", dir);
	struct perr e;
	assert_int_equal(fs_write_atomic(path, "first\n", 6, &e), 0);
	assert_int_equal(fs_write_atomic(path, "second\n", 7, &e), 0);
	FILE *f = fopen(path, "r");
	char got[32] = {0};
	assert_int_equal(fread(got, 1, sizeof(got), f), 7);
	fclose(f);
	assert_string_equal(got, "second\n");
	struct stat st;
	stat(path, &st);
	assert_int_equal(st.st_mode & 0600, 0600);
	assert_int_equal(count_entries(dir), 1); /* no temporary left */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/missing/out.md", dir);
	assert_int_equal(fs_write_atomic(bad, "x", 1, &e), -1);
	assert_non_null(strstr(e.msg, "cannot write"));
	assert_non_null(strstr(e.msg, bad));
	/* An existing file keeps its mode; a symlink keeps pointing at its file. */
	chmod(path, 0600);
	assert_int_equal(fs_write_atomic(path, "third\n", 6, &e), 0);
	stat(path, &st);
	assert_int_equal(st.st_mode & 0777, 0600);
	char link[300];
	snprintf(link, sizeof(link), "%s/link.md", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(fs_write_atomic(link, "via link\n", 9, &e), 0);
	struct stat lst;
	assert_int_equal(lstat(link, &lst), 0);
	assert_true(S_ISLNK(lst.st_mode));
	f = fopen(path, "r");
	memset(got, 0, sizeof(got));
	assert_int_equal(fread(got, 1, sizeof(got), f), 9);
	fclose(f);
	assert_string_equal(got, "via link\n");
	unlink(link);
	unlink(path);
	rmdir(dir);
	assert_string_equal(fs_extension("a/b.c/report.md"), "md");
	assert_string_equal(fs_extension("a/b.c/report"), "");
	assert_string_equal(fs_extension(".hidden"), "");
}

static void test_jsonx(void **state)
{
	(void)state;
	json_t *j = jsonx_string("caf\xc3\xa9");
	assert_string_equal(json_string_value(j), "caf\xc3\xa9");
	json_decref(j);
	j = jsonx_string("bad \xff byte and \xc3 cut");
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "bad \xef\xbf\xbd byte and \xef\xbf\xbd cut");
	json_decref(j);
	j = jsonx_stringn("a\0b", 3);
	assert_int_equal(json_string_length(j), 3);
	json_decref(j);
	json_t *o = json_pack("{s:i, s:s}", "n", 5, "s", "x");
	int ok;
	assert_true(jsonx_number(o, "n", &ok) == 5 && ok);
	assert_true(jsonx_number(o, "s", &ok) == 0 && !ok);
	assert_true(jsonx_number(o, "missing", &ok) == 0 && !ok);
	json_decref(o);
}

static void test_progress(void **state)
{
	(void)state;
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	struct progress p;
	progress_init(&p, f, 0);
	progress_update(&p, "stage %d", 1);
	progress_clear(&p);
	fflush(f);
	assert_int_equal(len, 0); /* disabled: silent */
	progress_init(&p, f, 1);
	progress_update(&p, "stage %d", 1);
	progress_update(&p, "stage %d", 2); /* throttled away */
	fflush(f);
	assert_non_null(strstr(mem, "stage 1"));
	assert_null(strstr(mem, "stage 2"));
	p.interval_ns = 0;
	progress_update(&p, "stage %d", 3);
	progress_clear(&p);
	fflush(f);
	assert_non_null(strstr(mem, "stage 3"));
	assert_non_null(strstr(mem + len - 4, "\r\033[K"));
	fclose(f);
	free(mem);
	assert_int_equal(progress_wanted(1, 0, 1), 0);
	assert_int_equal(progress_wanted(0, 1, 1), 0);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(progress_wanted(0, 0, fds[0]), 0); /* not a terminal */
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_mono),
		cmocka_unit_test(test_units_parse),
		cmocka_unit_test(test_units_format),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_jsonx),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
