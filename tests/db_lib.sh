# db_lib.sh: what the db/explain integration tests of the three databases
# share (sourced after lib.sh by tests/integration/db_*.sh). The fixture is
# tests/fixtures/db (README there: which table must trigger which finding).

# j FILE PATH: a value from a JSON file, with jq.
j() { jq -r "$2" "$1" 2>/dev/null; }

# count_findings FILE RULE [TABLE [INDEX]]: how many findings match.
count_findings() {
	jq --arg r "$2" --arg t "${3:-}" --arg i "${4:-}" \
		'[.findings[] | select(.rule == $r and ($t == "" or .location.table == $t)
		  and ($i == "" or .location.index == $i))] | length' "$1" 2>/dev/null || echo -1
}

# expect_finding NAME FILE RULE TABLE [INDEX]: exactly one such finding.
expect_finding() {
	local n
	n=$(count_findings "$2" "$3" "$4" "${5:-}")
	if [ "$n" = 1 ]; then ok "$1"; else
		not_ok "$1" "$n findings $3 on ${4:-any table} ${5:-}, expected 1" \
			"findings: $(jq -c '[.findings[] | [.rule, .location.table, .location.index]]' "$2" 2>&1 | head -c 900)"
	fi
}

# expect_no_finding NAME FILE RULE [TABLE]
expect_no_finding() {
	local n
	n=$(count_findings "$2" "$3" "${4:-}")
	if [ "$n" = 0 ]; then ok "$1"; else
		not_ok "$1" "$n findings $3 on ${4:-any table}, expected none" \
			"$(jq -c --arg r "$3" '[.findings[] | select(.rule == $r) | .title]' "$2" 2>&1 | head -c 600)"
	fi
}

# expect_solution NAME FILE RULE TABLE TEXT: that finding's solution contains TEXT.
expect_solution() {
	local s
	s=$(jq -r --arg r "$3" --arg t "$4" \
		'[.findings[] | select(.rule == $r and ($t == "" or .location.table == $t)) | .solution] | join("\n")' "$2")
	if printf '%s' "$s" | grep -qF -- "$5"; then ok "$1"; else
		not_ok "$1" "solution lacks: $5" "solution: $s"
	fi
}

SCHEMA_RULES="no-index no-primary-key duplicate-index redundant-index unused-index fk-without-index
large-table full-table-scans full-scan-query n-plus-one rows-examined slow-query"

# db_common KIND SHOP_DSN CLEAN_DSN: the findings every database must show
# on the fixture, and none of them on the clean schema.
db_common() {
	local kind=$1 shop=$2 clean=$3 f="$TMP/$1-shop.json" c="$TMP/$1-clean.json"
	run "$PERFAGENT" db --json --no-progress "$shop"
	cp "$TMP/out" "$f"
	expect_rc "$kind: db audit of shop succeeds" 0
	if jq -e '.schema == "perfagent.result/1" and .command == "db"' "$f" >/dev/null 2>&1; then
		ok "$kind: a perfagent.result/1 db result"
	else not_ok "$kind: a perfagent.result/1 db result" "$(head -c 400 "$f")"; fi
	if [ "$(j "$f" '.metrics.tables | map(.name) | sort | join(",")')" = "audit_log,groups,orders,page_views,profiles" ]; then
		ok "$kind: the five tables are listed"
	else not_ok "$kind: the five tables are listed" "$(j "$f" '.metrics.tables | map(.name)')"; fi
	if [ "$(j "$f" '.metrics.tables[0].name')" = profiles ]; then ok "$kind: largest table first"; else
		not_ok "$kind: largest table first" "$(j "$f" '.metrics.tables | map(.name)')"; fi
	local rows
	rows=$(j "$f" '.metrics.tables[] | select(.name == "profiles") | .rows')
	if awk -v r="$rows" 'BEGIN{exit !(r >= 150000 && r <= 250000)}'; then ok "$kind: profiles row estimate near 200000 ($rows)"; else
		not_ok "$kind: profiles row estimate near 200000" "rows: $rows"; fi
	expect_finding "$kind: large-table on profiles" "$f" large-table profiles
	expect_finding "$kind: no-index on audit_log" "$f" no-index audit_log
	expect_finding "$kind: no-primary-key on audit_log" "$f" no-primary-key audit_log
	expect_finding "$kind: no-primary-key on page_views" "$f" no-primary-key page_views
	if [ "$(count_findings "$f" no-primary-key)" = 2 ]; then ok "$kind: no other table is said to lack a primary key"; else
		not_ok "$kind: no other table is said to lack a primary key" "$(count_findings "$f" no-primary-key) findings"; fi
	expect_no_finding "$kind: page_views has an index: no no-index finding" "$f" no-index page_views
	expect_finding "$kind: duplicate-index on orders" "$f" duplicate-index orders
	local dup
	dup=$(j "$f" '.findings[] | select(.rule == "duplicate-index") | .location.index')
	case "$dup" in
	idx_orders_profile | idx_orders_profile_dup) ok "$kind: the duplicate is one of the two profile_id indexes ($dup)" ;;
	*) not_ok "$kind: the duplicate is one of the two profile_id indexes" "index: $dup" ;;
	esac
	if [ "$kind" = mysql ]; then
		expect_solution "$kind: duplicate-index fix is the exact DROP" "$f" duplicate-index orders "ALTER TABLE orders DROP INDEX $dup;"
	else
		expect_solution "$kind: duplicate-index fix is the exact DROP" "$f" duplicate-index orders "DROP INDEX $dup;"
	fi
	if [ "$kind" = sqlite ]; then
		expect_finding "$kind: redundant-index idx_orders_status" "$f" redundant-index orders idx_orders_status
		expect_solution "$kind: redundant-index fix drops idx_orders_status" "$f" redundant-index orders "idx_orders_status;"
	else
		# Both status indexes are unused after the workload: each is reported unused, and the
		# narrow one is not called redundant for a wide one that is to be dropped too.
		expect_finding "$kind: unused-index idx_orders_status" "$f" unused-index orders idx_orders_status
		expect_finding "$kind: unused-index idx_orders_status_created" "$f" unused-index orders idx_orders_status_created
		expect_no_finding "$kind: no redundant-index whose cover is itself unused" "$f" redundant-index
	fi
	# Never advice that drops both copies of a duplicate: the one kept is not also "unused".
	local kept
	kept=$(j "$f" '.findings[] | select(.rule == "duplicate-index") | .evidence.same_as')
	if [ "$(jq --arg k "$kept" '[.findings[] | select(.location.index == $k)] | length' "$f")" = 0 ]; then
		ok "$kind: nothing proposes dropping $kept"
	else not_ok "$kind: nothing proposes dropping $kept"; fi
	if [ "$kind" = mysql ]; then
		expect_no_finding "$kind: InnoDB indexes every foreign key: no fk-without-index" "$f" fk-without-index
	else
		expect_finding "$kind: fk-without-index on profiles.group_id" "$f" fk-without-index profiles
		expect_solution "$kind: fk-without-index fix is the exact CREATE INDEX" "$f" fk-without-index profiles \
			"CREATE INDEX idx_profiles_group_id ON profiles (group_id);"
		if [ "$(count_findings "$f" fk-without-index)" = 1 ]; then ok "$kind: orders.profile_id is indexed: one fk finding only"; else
			not_ok "$kind: orders.profile_id is indexed: one fk finding only" "$(count_findings "$f" fk-without-index)"; fi
	fi
	if jq -e '[.findings[] | select(.severity == null or .rule == null or .title == null)] | length == 0' "$f" >/dev/null; then
		ok "$kind: every finding has rule, severity and title"
	else not_ok "$kind: every finding has rule, severity and title"; fi
	local q
	q=$(j "$f" '.metrics.catalog_queries')
	if [ -n "$q" ] && [ "$q" -le 15 ]; then ok "$kind: catalog read in $q statements (batched, not per table)"; else
		not_ok "$kind: catalog read in a few statements" "catalog_queries: $q"; fi
	if ! grep -q secret "$f" "$TMP/err"; then ok "$kind: the password appears nowhere"; else
		not_ok "$kind: the password appears nowhere" "$(grep -n secret "$f" "$TMP/err" | head -3)"; fi

	# The human view shows the tables, the findings and their fixes.
	run "$PERFAGENT" db --no-progress "$shop"
	expect_rc "$kind: human output" 0
	expect_out "$kind: human output lists the tables" "Tables, largest first"
	expect_out "$kind: human output shows the DROP fix" "idx_orders_status"

	run "$PERFAGENT" db --json --no-progress "$clean"
	cp "$TMP/out" "$c"
	expect_rc "$kind: db audit of clean succeeds" 0
	local rule bad=""
	for rule in $SCHEMA_RULES; do
		[ "$(count_findings "$c" "$rule")" = 0 ] || bad="$bad $rule"
	done
	if [ -z "$bad" ]; then ok "$kind: no schema or statement finding on the clean schema"; else
		not_ok "$kind: no schema or statement finding on the clean schema" "found:$bad" \
			"$(jq -c '[.findings[] | .title]' "$c" | head -c 600)"; fi

	# --fail-on makes CI fail on the fixture, not on the clean schema.
	run "$PERFAGENT" db --json --no-progress --fail-on medium "$shop"
	expect_rc "$kind: --fail-on medium exits 1 on shop" 1
	run "$PERFAGENT" db --json --no-progress --fail-on medium "$clean"
	expect_rc "$kind: --fail-on medium exits 0 on clean" 0
}

# explain_common KIND SHOP_DSN WRITE_DSN: plans, issues and index advice.
# WRITE_DSN is an account allowed to write (the audit account may only read).
explain_common() {
	local kind=$1 shop=$2 write=$3 f
	f="$TMP/$kind-ex-email.json"
	run "$PERFAGENT" explain --json --no-progress "$shop" "SELECT * FROM profiles WHERE email = 'user42@example.test'"
	cp "$TMP/out" "$f"
	expect_rc "$kind: explain of a lookup by an unindexed column" 0
	expect_finding "$kind: full-scan on profiles" "$f" full-scan profiles
	expect_solution "$kind: the fix is the exact CREATE INDEX" "$f" full-scan profiles \
		"CREATE INDEX idx_profiles_email ON profiles (email);"
	if [ "$(j "$f" '.metrics.plan.root | .. | objects | select(has("flags")) | .flags[]' | grep -c full-scan)" -ge 1 ]; then
		ok "$kind: the plan JSON marks the full scan"
	else not_ok "$kind: the plan JSON marks the full scan" "$(j "$f" '.metrics.plan' | head -c 500)"; fi
	if [ -n "$(j "$f" '.metrics.plan_text')" ]; then ok "$kind: a rendered plan tree"; else not_ok "$kind: a rendered plan tree"; fi

	run "$PERFAGENT" explain --json --no-progress "$shop" "SELECT * FROM orders WHERE profile_id = 5"
	expect_rc "$kind: explain of an indexed lookup" 0
	cp "$TMP/out" "$TMP/$kind-ex-idx.json"
	expect_no_finding "$kind: an indexed lookup has no full-scan" "$TMP/$kind-ex-idx.json" full-scan
	expect_no_finding "$kind: an indexed lookup needs no index" "$TMP/$kind-ex-idx.json" missing-index
	if [ "$(j "$TMP/$kind-ex-idx.json" '[.metrics.advice[] | select(.kind == "covered")] | length')" -ge 1 ]; then
		ok "$kind: advice says an existing index covers it"
	else not_ok "$kind: advice says an existing index covers it" "$(j "$TMP/$kind-ex-idx.json" '.metrics.advice')"; fi

	f="$TMP/$kind-ex-like.json"
	run "$PERFAGENT" explain --json --no-progress "$shop" "SELECT * FROM profiles WHERE name LIKE '%42%'"
	cp "$TMP/out" "$f"
	expect_rc "$kind: explain of a leading-wildcard LIKE" 0
	expect_finding "$kind: leading-wildcard-like is reported" "$f" leading-wildcard-like profiles
	if [ "$(j "$f" '[.metrics.advice[] | select(.kind == "create_index")] | length')" = 0 ]; then
		ok "$kind: no B-tree index is proposed for LIKE '%x%'"
	else not_ok "$kind: no B-tree index is proposed for LIKE '%x%'" "$(j "$f" '.metrics.advice')"; fi

	run "$PERFAGENT" explain --json --no-progress --analyze "$shop" "SELECT COUNT(*) FROM orders WHERE status = 'paid'"
	expect_rc "$kind: --analyze of a read" 0
	if [ "$(j "$TMP/out" '.metrics.analyzed')" = true ] && [ -n "$(j "$TMP/out" '.metrics.execution_ms // empty')" ]; then
		ok "$kind: --analyze measures the execution"
	else not_ok "$kind: --analyze measures the execution" "$(j "$TMP/out" '.metrics | {analyzed, execution_ms}')"; fi

	run "$PERFAGENT" explain --no-progress --analyze "$shop" "DELETE FROM audit_log"
	expect_err "$kind: --analyze of a write needs --allow-write" 2 "--allow-write"
	run "$PERFAGENT" explain --json --no-progress --analyze --allow-write "$write" "DELETE FROM audit_log"
	expect_rc "$kind: --analyze --allow-write runs the delete" 0

	run "$PERFAGENT" explain --json --no-progress "$shop" "SELEC * FROM profiles"
	expect_rc "$kind: a syntax error exits 3" 3
	if [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q 'explaining the statement' "$TMP/err"; then
		ok "$kind: a syntax error is one clear line"
	else not_ok "$kind: a syntax error is one clear line" "$(cat "$TMP/err")"; fi

	run "$PERFAGENT" explain --no-progress "$shop"
	expect_err "$kind: no SQL is a usage error" 2 "no SQL to explain"
	run "$PERFAGENT" explain --no-progress "$shop" "SELECT 1; SELECT 2"
	expect_err "$kind: two statements are refused" 2 "one statement at a time"
	printf 'SELECT id FROM orders\nWHERE profile_id = 7;\n' >"$TMP/q.sql"
	run "$PERFAGENT" explain --json --no-progress --file "$TMP/q.sql" "$shop"
	expect_rc "$kind: --file reads the SQL" 0
}
