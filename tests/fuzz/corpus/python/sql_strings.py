import sqlite3

conn = sqlite3.connect(":memory:")
cur = conn.cursor()
cur.execute("SELECT * FROM users WHERE name LIKE '%" + "x" + "%'")
cur.execute("SELECT id FROM t ORDER BY RAND() LIMIT 1")
cur.execute(f"SELECT * FROM orders WHERE email LIKE '%{1}'")
for uid in [1, 2, 3]:
    cur.execute("SELECT name FROM users WHERE id = ?", (uid,))
rows = cur.fetchall()
