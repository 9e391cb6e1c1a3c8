# gen_slowlog.awk: a MySQL 8 slow log with known contents, for benchmarks
# and tests. Deterministic (fixed seed). Usage:
#   awk -v events=400000 -f bench/gen_slowlog.awk > slow.log
# 24 query shapes with weights; literals vary per event; every 50th
# connection runs an N+1 pattern (one parent query, then 20 lookups).
BEGIN {
	srand(42)
	if (!events) events = 1000
	n = split("select * from profiles where id = %d|" \
		"SELECT p.id, p.name, g.name FROM profiles p JOIN `groups` g ON g.id = p.group_id WHERE p.id IN (%d, %d, %d)|" \
		"select id, name from profiles where name like '%%%s%%'|" \
		"UPDATE profiles SET last_seen = NOW() WHERE id = %d|" \
		"insert into events (profile_id, kind, at) values (%d, 'login', '2026-11-24 10:00:00')|" \
		"select count(*) from orders where profile_id = %d and status = 'open'|" \
		"SELECT * FROM orders WHERE created_at > '2026-11-0%d' ORDER BY created_at DESC LIMIT 50|" \
		"select value from settings where `key` = 'feature_%d'|" \
		"DELETE FROM sessions WHERE expires_at < %d|" \
		"select o.id, sum(i.price) from orders o join items i on i.order_id = o.id where o.id = %d group by o.id|" \
		"SELECT id FROM `groups` WHERE owner_id = %d|" \
		"select * from audit_log where profile_id = %d order by id desc limit 10, 20|" \
		"SELECT name, email FROM users WHERE email = 'user%d@example.com'|" \
		"select 1|" \
		"SHOW TABLE STATUS LIKE 'profiles'|" \
		"select * from products where price between %d and %d|" \
		"REPLACE INTO counters (name, n) VALUES ('visits', %d)|" \
		"select id from profiles where group_id = %d and active = 1 order by name|" \
		"SELECT COUNT(*) AS n FROM events WHERE kind = 'login' AND at >= NOW() - INTERVAL %d DAY|" \
		"select * from tags where name in ('a%d', 'b', 'c', 'd')|" \
		"update orders set status = 'paid', paid_at = now() where id = %d and status = 'open'|" \
		"select p.* from profiles p where p.id = %d /* app:profile_view */|" \
		"SELECT SQL_NO_CACHE * FROM reports WHERE year = 2026 AND month = %d|" \
		"select id, title from posts where author_id = %d order by created_at desc limit %d", q, "|")
	split("30 10 4 8 8 6 3 12 2 3 5 2 6 20 1 2 2 4 2 2 3 5 1 3", w, " ")
	total = 0
	for (i = 1; i <= n; i++) { total += w[i]; cum[i] = total }
	t = 1795514400
	ev = 0
	while (ev < events) {
		t += 0.01
		conn = 1000 + int(rand() * 200)
		if (conn % 50 == 0) {
			emit(conn, "select id from profiles where group_id = " int(rand() * 100) " and active = 1 order by name", 0.004)
			for (k = 0; k < 20 && ev < events; k++)
				emit(conn, "select * from profiles where id = " int(rand() * 1000000), 0.0004)
			continue
		}
		r = rand() * total
		for (i = 1; i <= n && cum[i] < r; i++) ;
		if (i > n) i = n
		a = int(rand() * 100000); b = a + 1 + int(rand() * 1000); c = int(rand() * 9) + 1
		s = sprintf(q[i], (i == 3 ? "x" a : a), (i == 24 ? 10 + c : b), c)
		if (i == 2) s = sprintf(q[i], a, b, c)
		emit(conn, s, (i == 3 || i == 7 ? 0.2 : 0.002) * (0.5 + rand()))
	}
}
function emit(conn, sql, qt,    sec, us) {
	sec = int(t); us = int((t - sec) * 1000000)
	printf "# Time: %s.%06dZ\n", strftime("%Y-%m-%dT%H:%M:%S", sec, 1), us
	printf "# User@Host: app[app] @ localhost [127.0.0.1]  Id: %7d\n", conn
	printf "# Query_time: %.6f  Lock_time: %.6f Rows_sent: %d  Rows_examined: %d\n", qt, qt / 50, 1 + int(rand() * 10), 1 + int(rand() * (qt > 0.1 ? 200000 : 100))
	printf "SET timestamp=%d;\n%s;\n", sec, sql
	ev++
}
