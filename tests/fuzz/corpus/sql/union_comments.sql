SELECT a FROM t WHERE id IN (1, 2, NULL) UNION ALL SELECT a FROM t WHERE id IN (3)
-- it's a comment
# another
