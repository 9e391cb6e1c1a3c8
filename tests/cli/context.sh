#!/usr/bin/env bash
# context.sh: `perfagent context` on the projects of tests/fixtures/context/
# — a Flask app with two blueprints (a prefix in Blueprint(), another at
# registration), a FastAPI app with nested APIRouter prefixes, a Django
# project with include()s and a REST framework router, a Poetry src/
# layout, an app factory with relative imports — asserting the exact route lines, the heavy dependencies, the
# rules and components, the --json fields; then `perfagent endpoints
# --dir` against the test server, which must be asked for exactly the
# project's GET routes.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
FX=tests/fixtures/context
j() { jq -r "$2" "$1" 2>/dev/null; }

# same NAME EXPECTED ACTUAL: exact text equality, with a diff on failure.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -30)"
	fi
}
# section NAME: the lines of a section of the last human output, header to blank line.
section() { sed -n "/^$1\( \|\$\)/,/^\$/p" "$TMP/out" | sed '/^$/d'; }

# ---- Flask ----
run "$PERFAGENT" context "$FX/flask_app"
expect_rc "context flask_app runs" 0
same "flask: the routes, blueprint prefixes from Blueprint() and from registration" "Routes (10)
  GET /items -> app/__init__.py:21 ItemAPI.as_view()
  POST /items -> app/__init__.py:21 ItemAPI.as_view()
  GET /health -> app/__init__.py:23 health
  GET /admin/stats -> app/admin.py:6 stats
  GET /admin/report -> app/admin.py:11 report
  GET /api/users/ -> app/users.py:8 index
  GET /api/users/<int:user_id> -> app/users.py:13 user
  PUT /api/users/<int:user_id> -> app/users.py:13 user
  DELETE /api/users/<int:user_id> -> app/users.py:13 user
  POST /api/users/ -> app/users.py:18 create" "$(section Routes)"
same "flask: the services and their calls" "Services (3)
  app/services/user_service.py:7 find_user -> db: User.query.filter_by().first
  app/services/user_service.py:11 list_users -> db: db.session.execute().all
  app/services/user_service.py:17 Gravatar.fetch -> http: requests.get" "$(section Services)"
same "flask: CLAUDE.md headings and rule lines (not paragraphs, not code)" "Rules (CLAUDE.md)
  # Project rules
  ## Performance
    - Never run a query inside a loop; use selectinload.
    - Paginate every list endpoint (default page size 50).
    - Cache external API calls for 5 minutes.
  ## Style
    - Type hints on public functions
    - Remove the legacy endpoints" "$(section Rules)"
same "flask: the architecture's components" "Architecture (specs/architecture.md)
  Components
    - API: Flask app serving JSON under /api
    - Worker: Celery jobs for the reports
    - Cache: Redis, 5 minute TTL
    - PostgreSQL
  Data flow" "$(section Architecture)"
expect_out "flask: the heavy dependencies are counted" "Dependencies (11, 5 heavy)"
expect_out "flask: pandas is heavy, with why and where it is imported" "import pandas takes ~250 ms and adds ~55 MB of resident memory (approximate): imports numpy, pytz/dateutil and its compiled extensions; imported at module level in app/reports.py:1"
expect_out "flask: boto3 is imported lazily" "imported lazily in app/services/user_service.py:22"
# What .gitignore names cannot be committed as a fixture: it is made here, in a copy.
cp -r "$FX/flask_app" "$TMP/flask_copy"
mkdir -p "$TMP/flask_copy/generated" "$TMP/flask_copy/node_modules/pkg"
for f in generated/routes.py app/old.tmp.py node_modules/pkg/x.py; do
	printf 'from flask import Flask\nimport requests\napp = Flask(__name__)\n@app.route("/leaked-%s")\ndef leak():\n    return requests.get("http://x")\n' \
		"${f%%/*}" >"$TMP/flask_copy/$f"
done
run "$PERFAGENT" context "$TMP/flask_copy"
if grep -q "from-the-venv\|leaked\|node_modules\|test_users" "$TMP/out" || ! grep -q "^Routes (10)" "$TMP/out"; then
	not_ok "virtualenv, .gitignore'd files, node_modules and tests are not read" "$(grep "from-the-venv\|leaked\|node_modules\|test_users\|^Routes" "$TMP/out")"
else ok "virtualenv, .gitignore'd files, node_modules and tests are not read"; fi
run "$PERFAGENT" context "$FX/flask_app"
if grep -q '^Notes' "$TMP/out"; then not_ok "flask: nothing to note" "$(section Notes)"; else ok "flask: nothing to note"; fi

run "$PERFAGENT" context "$FX/flask_app" --json
expect_rc "context --json runs" 0
cp "$TMP/out" "$TMP/flask.json"
F="$TMP/flask.json"
[ "$(j "$F" '.schema + " " + .command + " " + .target.dir')" = "perfagent.result/1 context $FX/flask_app" ] &&
	ok "json: schema, command, target.dir" || not_ok "json: schema, command, target.dir" "$(j "$F" '.schema, .command, .target')"
[ "$(j "$F" '.metrics.rules_file')" = CLAUDE.md ] && ok "json: rules_file" || not_ok "json: rules_file"
same "json: rules[] sections and items" 'Project rules|1|1|
Performance|2|5|Never run a query inside a loop; use selectinload.@6;Paginate every list endpoint (default page size 50).@7;Cache external API calls for 5 minutes.@9
Style|2|11|Type hints on public functions@12;Remove the legacy endpoints@13' \
	"$(j "$F" '.metrics.rules[] | "\(.heading)|\(.level)|\(.line)|\([.items[] | "\(.text)@\(.line)"] | join(";"))"')"
[ "$(j "$F" '.metrics.architecture_file')" = specs/architecture.md ] && ok "json: architecture_file" || not_ok "json: architecture_file"
same "json: components[]" 'Components|heading|null|null|3
API|item|Components|Flask app serving JSON under /api|4
Worker|item|Components|Celery jobs for the reports|5
Cache|item|Components|Redis, 5 minute TTL|6
PostgreSQL|item|Components|null|7
Data flow|heading|null|null|9' "$(j "$F" '.metrics.components[] | "\(.name)|\(.kind)|\(.section)|\(.detail)|\(.line)"')"
same "json: dependencies[] with -r includes (each file once), extras, markers, continuations, editables" 'SQLAlchemy|>=2.0|requirements/base.txt|1|false
gunicorn|==21.2.0|requirements/base.txt|2|false
Flask|==3.0.2|requirements.txt|3|false
requests|>=2.31,<3|requirements.txt|4|false
pandas|==2.2.1|requirements.txt|5|true
scikit_learn|>=1.4|requirements.txt|6|true
boto3|>=1.34|requirements.txt|7|true
flask-extras|-e git+https://github.com/example/flask-extras.git#egg=flask-extras|requirements.txt|10|false
numpy|==1.26.4|requirements.txt|11|true
pytest|==8.0.2|requirements-dev.txt|2|false
matplotlib|>=3.8|requirements-dev.txt|3|true' "$(j "$F" '.metrics.dependencies[] | "\(.name)|\(.spec)|\(.file)|\(.line)|\(.heavy)"')"
same "json: extras and marker" 'security|python_version >= "3.9"' \
	"$(j "$F" '[(.metrics.dependencies[] | select(.name=="requests") | .extras), (.metrics.dependencies[] | select(.name=="pandas") | .marker)] | join("|")')"
same "json: a heavy dependency's fields" 'sklearn|450|80|null|false|import sklearn takes ~450 ms' \
	"$(j "$F" '.metrics.dependencies[] | select(.name=="scikit_learn") | "\(.module)|\(.import_ms_approx)|\(.rss_mb_approx)|\(.imported_at)|\(.imported_at_module_level)|\(.why[0:28])"')"
[ "$(j "$F" '[.metrics.dependencies[] | select(.heavy | not) | .why] | unique | join(",")')" = "" ] &&
	ok "json: light dependencies have no why" || not_ok "json: light dependencies have no why"
same "json: routes[]" 'GET|/items|app/__init__.py|21|ItemAPI.as_view()|flask
POST|/items|app/__init__.py|21|ItemAPI.as_view()|flask
GET|/health|app/__init__.py|23|health|flask
GET|/admin/stats|app/admin.py|6|stats|flask
GET|/admin/report|app/admin.py|11|report|flask
GET|/api/users/|app/users.py|8|index|flask
GET|/api/users/<int:user_id>|app/users.py|13|user|flask
PUT|/api/users/<int:user_id>|app/users.py|13|user|flask
DELETE|/api/users/<int:user_id>|app/users.py|13|user|flask
POST|/api/users/|app/users.py|18|create|flask' "$(j "$F" '.metrics.routes[] | "\(.method)|\(.path)|\(.file)|\(.line)|\(.handler)|\(.framework)"')"
same "json: services[]" 'app/services/user_service.py|7|find_user|false|User.query.filter_by().first|
app/services/user_service.py|11|list_users|false|db.session.execute().all|
app/services/user_service.py|17|Gravatar.fetch|false||requests.get' \
	"$(j "$F" '.metrics.services[] | "\(.file)|\(.line)|\(.function)|\(.async)|\(.db | join(","))|\(.http | join(","))"')"
same "json: one heavy-dependency finding per heavy package; low when imported at module level" 'heavy-dependency|low|pandas|requirements.txt|5
heavy-dependency|info|scikit_learn|requirements.txt|6
heavy-dependency|info|boto3|requirements.txt|7
heavy-dependency|info|numpy|requirements.txt|11
heavy-dependency|info|matplotlib|requirements-dev.txt|3' \
	"$(j "$F" '.findings[] | "\(.rule)|\(.severity)|\(.evidence.package)|\(.location.file)|\(.location.line)"')"
[ "$(j "$F" '.metrics.python_files')" = 7 ] && ok "json: python_files" || not_ok "json: python_files $(j "$F" '.metrics.python_files')"
[ "$(j "$F" '.metrics.notes | length')" = 0 ] && ok "json: no notes" || not_ok "json: no notes" "$(j "$F" '.metrics.notes')"

run "$PERFAGENT" context "$FX/flask_app" --routes
same "--routes prints a routes file" 'GET /items
POST /items
GET /health
GET /admin/stats
GET /admin/report
GET /api/users/
GET /api/users/<int:user_id>
PUT /api/users/<int:user_id>
DELETE /api/users/<int:user_id>
POST /api/users/' "$(cat "$TMP/out")"
run "$PERFAGENT" context "$FX/flask_app" --include-tests --json
[ "$(j "$TMP/out" '.metrics.python_files')" = 8 ] && ok "--include-tests reads tests/ too" || not_ok "--include-tests: $(j "$TMP/out" '.metrics.python_files') files"
run "$PERFAGENT" context "$FX/flask_app" --fail-on low -q
expect_rc "--fail-on low: pandas at module level is a low finding" 1
run "$PERFAGENT" context "$FX/flask_app" --fail-on medium -q
expect_rc "--fail-on medium: nothing reaches it" 0
(cd "$FX/flask_app" && "$PERFAGENT" context --routes) >"$TMP/out" 2>"$TMP/err"
[ "$(wc -l <"$TMP/out")" = 10 ] && ok "DIR defaults to the current directory" || not_ok "DIR defaults to ." "$(cat "$TMP/err")"

# ---- FastAPI ----
run "$PERFAGENT" context "$FX/fastapi_app"
expect_rc "context fastapi_app runs" 0
same "fastapi: include_router and APIRouter prefixes add up, nested routers too" "Routes (9)
  GET / -> main.py:12 root
  POST /webhook -> main.py:17 webhook
  GET /v1/items/ -> routers/items.py:8 read_items
  GET /v1/items/{item_id} -> routers/items.py:13 read_item
  POST /v1/items -> routers/items.py:18 create_item
  GET /v1/items/sync -> routers/items.py:23 sync
  POST /v1/items/sync -> routers/items.py:23 sync
  GET /users/profile/me -> routers/users.py:7 me
  DELETE /users/{user_id} -> routers/users.py:12 remove" "$(section Routes)"
same "fastapi: services, async marked" "Services (2)
  services/catalog.py:7 async list_items -> db: session.execute
  services/catalog.py:16 price_from_supplier -> http: requests.post" "$(section Services)"
expect_out "fastapi: no CLAUDE.md is said" "no CLAUDE.md: the project states no rules"
expect_out "fastapi: no architecture is said" "no specs/architecture.md (nor ARCHITECTURE.md, docs/architecture.md)"
run "$PERFAGENT" context "$FX/fastapi_app" --json
same "fastapi: pyproject [project] and optional-dependencies, groups" 'fastapi|>=0.110|null|null|false
uvicorn|>=0.29|null|null|false
numpy|>=1.26|null|python_version >= "3.10"|true
httpx||null|null|false
torch|==2.2.0|ml|null|true
transformers|>=4.40|ml|null|true
boto3|~=1.34|aws|null|true' "$(j "$TMP/out" '.metrics.dependencies[] | "\(.name)|\(.spec)|\(.group)|\(.marker)|\(.heavy)"')"
[ "$(j "$TMP/out" '.metrics.rules_file, .metrics.architecture_file' | tr '\n' ' ')" = "null null " ] &&
	ok "fastapi: rules_file and architecture_file are null" || not_ok "fastapi: null files"

# ---- Django ----
run "$PERFAGENT" context "$FX/django_project"
expect_rc "context django_project runs" 0
same "django: ROOT_URLCONF, include() chains, inline lists, re_path, view methods, a DRF router" "Routes (23)
  GET /api/v2/ -> api/urls.py:6 api-root
  GET /api/v2/posts/ -> api/urls.py:7 PostViewSet.list
  POST /api/v2/posts/ -> api/urls.py:7 PostViewSet.create
  GET /api/v2/posts/<pk>/ -> api/urls.py:7 PostViewSet.retrieve
  PUT /api/v2/posts/<pk>/ -> api/urls.py:7 PostViewSet.update
  PATCH /api/v2/posts/<pk>/ -> api/urls.py:7 PostViewSet.partial_update
  DELETE /api/v2/posts/<pk>/ -> api/urls.py:7 PostViewSet.destroy
  GET /api/v2/tags/ -> api/urls.py:8 TagViewSet.list
  GET /api/v2/tags/<slug>/ -> api/urls.py:8 TagViewSet.retrieve
  GET /api/v2/authors/ -> api/urls.py:9 AuthorViewSet.list
  POST /api/v2/posts/<pk>/publish/ -> api/views.py:11 PostViewSet.publish
  GET /api/v2/posts/most-recent/ -> api/views.py:15 PostViewSet.recent
  GET /blog/ -> blog/urls.py:8 views.index
  GET /blog/<int:pk>/ -> blog/urls.py:9 views.PostDetail.as_view()
  POST /blog/new/ -> blog/urls.py:10 views.create_post
  GET /blog/<int:pk>/edit/ -> blog/urls.py:11 views.PostEdit.as_view()
  POST /blog/<int:pk>/edit/ -> blog/urls.py:11 views.PostEdit.as_view()
  GET /blog/<int:pk>/comments/ -> comments/urls.py:6 comment_list
  GET /api/v1/health/ -> mysite/urls.py:7 blog_views.health
  HEAD /api/v1/health/ -> mysite/urls.py:7 blog_views.health
  GET /admin/ -> mysite/urls.py:11 admin.site.urls
  GET /legacy/<slug>/ -> mysite/urls.py:15 blog_views.legacy
  GET /about/ -> mysite/urls.py:18 blog_views.AboutView.as_view()" "$(section Routes)"
same "django: services (migrations not read)" "Services (3)
  api/views.py:8 PostViewSet -> db: Post.objects.all
  blog/views.py:9 index -> db: Post.objects.filter().order_by
  blog/views.py:36 PostEdit.post -> db: Post.objects.filter().update" "$(section Services)"
same "django: Pipfile packages and dev-packages" "Dependencies (5, 1 heavy)
  django ==4.2.11                  Pipfile:7
  psycopg[binary] >=3.1            Pipfile:8
  scipy *                          Pipfile:9  HEAVY
      import scipy takes ~250 ms and adds ~60 MB of resident memory (approximate): its submodules (scipy.stats, scipy.optimize) load large compiled libraries
  django-debug-toolbar *           Pipfile:10 ; sys_platform != 'win32'
  pytest-django *                  Pipfile:13 (dev)" "$(section Dependencies)"

# ---- Poetry, src/ layout ----
run "$PERFAGENT" context "$FX/poetry_src"
expect_rc "context poetry_src runs" 0
same "poetry: nested blueprints, a blueprint registered twice, constants, one never registered" "Routes (7)
  GET /compat/ping -> src/shop/api/__init__.py:6 ping
  HEAD /compat/ping -> src/shop/api/__init__.py:6 ping
  GET /shop/api/ping -> src/shop/api/__init__.py:6 ping
  HEAD /shop/api/ping -> src/shop/api/__init__.py:6 ping
  GET /compat/v2/orders -> src/shop/api/v2.py:9 orders
  GET /shop/api/v2/orders -> src/shop/api/v2.py:9 orders
  GET /unused/x -> src/shop/api/v2.py:19 x" "$(section Routes)"
same "poetry: what it could not read is noted" "Notes
  - no specs/architecture.md; read docs/architecture.md instead
  - src/shop/api/v2.py:6: blueprint 'unused' is never registered in the code read; its routes are listed at its own prefix
  - src/shop/api/v2.py:14: the route's path is not a string this reader can work out; not listed" \
	"$(section Notes)"
same "poetry: setext headings, numbered items, the fallback architecture file" "Architecture (docs/architecture.md)
  Services
    - Storefront: the Flask app
    - Images: thumbnails with OpenCV" "$(section Architecture)"
run "$PERFAGENT" context "$FX/poetry_src" --json
same "poetry: dependencies, groups, inline tables, multiple constraints, path dependencies" 'flask|^3.0|null|false
opencv-python-headless|^4.9|null|true
polars|^0.20 | ^1.0|null|true
internal-lib|path ../internal-lib|null|false
pytest|^8.0|dev|false
mkdocs|^1.5|docs|false' "$(j "$TMP/out" '.metrics.dependencies[] | "\(.name)|\(.spec)|\(.group)|\(.heavy)"')"
same "poetry: rules before the first heading" 'null|0|Rules before any heading count too.
Database|3|Index every foreign key.' "$(j "$TMP/out" '.metrics.rules[] | "\(.heading)|\(.level)|\([.items[].text] | join(";"))"')"

# ---- an app factory, relative imports ----
run "$PERFAGENT" context "$FX/flask_factory"
expect_rc "context flask_factory runs" 0
same "factory: from . import / from .. import inside and outside functions; no route from @lru.get or @mock.patch" "Routes (5)
  GET /auth/login -> shop/auth.py:6 login
  POST /auth/login -> shop/auth.py:6 login
  GET /catalog/ -> shop/catalog/views.py:13 listing
  GET /auth/whoami -> shop/catalog/views.py:18 whoami
  DELETE /auth/session -> shop/catalog/views.py:23 logout" "$(section Routes)"
expect_out "factory: no dependency file is said" "no requirements*.txt, pyproject.toml or Pipfile"
if grep -q "is not a string\|never registered\|no Blueprint" "$TMP/out"; then
	not_ok "factory: every blueprint is found" "$(section Notes)"; else ok "factory: every blueprint is found"; fi

# ---- bad input ----
run "$PERFAGENT" context "$TMP/nowhere"
expect_err "a missing DIR: exit 3, one line" 3 "cannot read '$TMP/nowhere'"
run "$PERFAGENT" context "$FX/flask_app/CLAUDE.md"
expect_err "a file is not a project" 3 "is not a directory"
run "$PERFAGENT" context "$FX/flask_app" --routes --json
expect_err "--routes with --json" 2 "give one of them"
mkdir -p "$TMP/empty"
run "$PERFAGENT" context "$TMP/empty"
expect_rc "an empty directory is a project with nothing in it" 0
expect_out "an empty project says it has no routes" "Routes (0)"

# ---- endpoints --dir ----
if [ -x "${BUILD:-}/tests/helpers/testsrv" ]; then
	"$BUILD/tests/helpers/testsrv" --port-file "$TMP/port" --max-seconds 120 >/dev/null 2>&1 &
	SRV=$!
	trap 'kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
	for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	U="http://127.0.0.1:$(cat "$TMP/port")"
	run "$PERFAGENT" endpoints "$U" --dir "$FX/flask_app" --requests 2 --burst 0 --no-progress --json
	expect_rc "endpoints --dir runs" 0
	cp "$TMP/out" "$TMP/e.json"
	E="$TMP/e.json"
	same "endpoints --dir requests exactly the project's GET routes" 'GET /admin/report
GET /admin/stats
GET /api/users/
GET /health
GET /items' "$(j "$E" '[.metrics.endpoints[] | .endpoint] | sort | .[]')"
	[ "$(j "$E" '[.metrics.endpoints[].sequential.requests] | unique | join(",")')" = 2 ] &&
		ok "each route got its --requests" || not_ok "requests per route: $(j "$E" '[.metrics.endpoints[].sequential.requests]')"
	same "a route with a parameter is skipped with the --param it needs; other methods are skipped" "GET /api/users/<int:user_id>|needs a value for 'user_id': --param user_id=...
POST /items|--dir sweeps GET routes only (this one may change data): list it in a --routes FILE to measure it
PUT /api/users/<int:user_id>|--dir sweeps GET routes only (this one may change data): list it in a --routes FILE to measure it
DELETE /api/users/<int:user_id>|--dir sweeps GET routes only (this one may change data): list it in a --routes FILE to measure it
POST /api/users/|--dir sweeps GET routes only (this one may change data): list it in a --routes FILE to measure it" \
		"$(j "$E" '.metrics.skipped[] | "\(.endpoint)|\(.reason)"')"
	[ "$(j "$E" '.target.dir')" = "$FX/flask_app" ] && ok "target.dir names the project" || not_ok "target.dir $(j "$E" '.target')"
	run "$PERFAGENT" endpoints "$U" --dir "$FX/flask_app" --param user_id=7 --requests 2 --burst 0 --no-progress --json
	same "--param fills a project route's parameter" "GET /api/users/<int:user_id>|/api/users/7|2" \
		"$(j "$TMP/out" '.metrics.endpoints[] | select(.endpoint | contains("user_id")) | "\(.endpoint)|\(.path)|\(.sequential.requests)"')"
	run "$PERFAGENT" endpoints "$U" --dir "$FX/fastapi_app" --param item_id=3 --requests 1 --burst 0 --no-progress --json
	same "endpoints --dir on FastAPI: prefixes joined, {item_id} filled" "GET /users/profile/me|/users/profile/me
GET /v1/items/sync|/v1/items/sync
GET /v1/items/{item_id}|/v1/items/3
GET /v1/items/|/v1/items/
GET /|/" "$(j "$TMP/out" '[.metrics.endpoints[] | "\(.endpoint)|\(.path)"] | sort | .[]')"
	run "$PERFAGENT" endpoints "$U" --dir "$TMP/empty" --requests 1
	expect_err "endpoints --dir on a project without routes" 3 "found no Flask, FastAPI or Django route in '$TMP/empty'"
	run "$PERFAGENT" endpoints "$U" --dir "$TMP/nowhere" --requests 1
	expect_err "endpoints --dir on a missing directory" 3 "cannot read '$TMP/nowhere'"
else
	ok "# SKIP endpoints --dir: no test server built (run through make test)"
fi
done_testing
