# shellcheck shell=bash
# Sourced by .ci/run before `cargo test`, so that CI runs the store tests against PostgreSQL as
# well as SQLite: it starts a throwaway PostgreSQL cluster on a local port, exports
# CAREER_BOT_TEST_POSTGRES_URL, and stops and deletes the cluster when the sourcing shell exits.
#
# - CAREER_BOT_TEST_POSTGRES_URL already set: that database is used, nothing is started.
# - CAREER_BOT_CI_POSTGRES_PORT: the first port tried (default 55432); a taken one is skipped.
# - PostgreSQL cannot be installed or started: one line says why, and the tests skip
#   PostgreSQL as they do on a developer's machine without the variable.
#
# On its own:
#   bash -c 'source .ci/postgres.sh; psql "$CAREER_BOT_TEST_POSTGRES_URL" -c "select 1"'
#
# The caller may run with `set -euo pipefail`, and an error here must not end it: the steps are
# in functions called from an `if` (where errexit is off), so each one checks its own status,
# and every variable that may be unset is read with a default.

# Debian keeps the server binaries off PATH, one directory per major version: take the newest,
# else whatever initdb is on PATH (other distributions, Homebrew).
_career_bot_pg_find_bindir() {
  local initdb
  initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
  [ -x "$initdb" ] || initdb=$(command -v initdb 2>/dev/null) || return 1
  dirname "$initdb"
}

_career_bot_pg_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  local install=(apt-get install -y -qq --no-install-recommends postgresql)
  # Without package lists (a fresh container) the install fails until they are fetched.
  DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null 2>&1 && return 0
  apt-get update -qq >/dev/null 2>&1 &&
    DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null 2>&1
}

# initdb and the server refuse to run as root: as root, the cluster belongs to `postgres`.
_career_bot_pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Something accepts connections on the port (another cluster, another engineer's test run).
_career_bot_pg_port_taken() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_career_bot_pg_start() {
  # Checked first: a mistyped port should not cost an install.
  _career_bot_pg_first_port=${CAREER_BOT_CI_POSTGRES_PORT:-55432}
  case $_career_bot_pg_first_port in
  '' | *[!0-9]* | ??????*)
    _career_bot_pg_why="CAREER_BOT_CI_POSTGRES_PORT is not a port number: $_career_bot_pg_first_port"
    return 1
    ;;
  esac

  _career_bot_pg_bin=$(_career_bot_pg_find_bindir) || {
    _career_bot_pg_install || {
      _career_bot_pg_why="no PostgreSQL server binaries (initdb), and apt-get could not install them"
      return 1
    }
    _career_bot_pg_bin=$(_career_bot_pg_find_bindir) || {
      _career_bot_pg_why="the postgresql package was installed but no initdb was found"
      return 1
    }
  }

  local parent=${TMPDIR:-/tmp}
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || {
      _career_bot_pg_why="running as root and there is no postgres user to own the cluster"
      return 1
    }
    # The server runs as postgres, so it must be able to reach the directory.
    runuser -u postgres -- test -x "$parent" || parent=/tmp
  fi
  _career_bot_pg_dir=$(mktemp -d "$parent/career-bot-pg.XXXXXX") || {
    _career_bot_pg_why="could not create a temporary directory in $parent"
    return 1
  }
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$_career_bot_pg_dir" || {
      _career_bot_pg_why="could not hand $_career_bot_pg_dir to the postgres user"
      return 1
    }
  fi

  # The superuser is named postgres whoever runs this, so the URL is the same everywhere.
  # Trust authentication is enough: the server listens on 127.0.0.1 only and lives minutes.
  if ! _career_bot_pg_as_owner "$_career_bot_pg_bin/initdb" -D "$_career_bot_pg_dir/data" \
    -U postgres -A trust -E UTF8 --no-locale --no-sync >"$_career_bot_pg_dir/initdb.log" 2>&1; then
    _career_bot_pg_why="initdb failed: $(tail -n 1 "$_career_bot_pg_dir/initdb.log")"
    return 1
  fi

  local port=$_career_bot_pg_first_port tries=0
  while :; do
    if [ "$tries" -ge 20 ]; then
      _career_bot_pg_why="no free port from $_career_bot_pg_first_port to $((port - 1))"
      return 1
    fi
    tries=$((tries + 1))
    if _career_bot_pg_port_taken "$port"; then
      port=$((port + 1))
      continue
    fi
    # The socket and the log stay in the throwaway directory. Durability is switched off:
    # nothing here outlives the test run, and the tests run faster without it.
    if _career_bot_pg_as_owner "$_career_bot_pg_bin/pg_ctl" -D "$_career_bot_pg_dir/data" \
      -l "$_career_bot_pg_dir/server.log" -w -t 60 \
      -o "-p $port -k '$_career_bot_pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
      break
    fi
    # Another process took the port between the check and the start: try the next one.
    # Any other failure will not go away with another port.
    if ! grep -q 'could not bind\|could not create any TCP/IP sockets' \
      "$_career_bot_pg_dir/server.log" 2>/dev/null; then
      _career_bot_pg_why="the server did not start: $(tail -n 1 "$_career_bot_pg_dir/server.log" 2>/dev/null)"
      return 1
    fi
    : >"$_career_bot_pg_dir/server.log"
    port=$((port + 1))
  done

  # pg_ctl -w has waited for the server; this checks it answers on TCP, as the tests will use it.
  local waited=0
  until "$_career_bot_pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
    if [ "$waited" -ge 30 ]; then
      _career_bot_pg_why="the server started but does not accept connections on 127.0.0.1:$port"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  export CAREER_BOT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

_career_bot_pg_cleanup() {
  [ -n "${_career_bot_pg_dir:-}" ] || return 0
  if [ -f "$_career_bot_pg_dir/data/postmaster.pid" ]; then
    _career_bot_pg_as_owner "$_career_bot_pg_bin/pg_ctl" -D "$_career_bot_pg_dir/data" \
      -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$_career_bot_pg_dir"
  _career_bot_pg_dir=
}

_career_bot_pg_return() { return "$1"; }

# Runs on exit: our cleanup, then whatever EXIT trap the caller had set, which sees the exit
# status it would have seen without us.
_career_bot_pg_on_exit() {
  local status=$?
  set +e # the shell is exiting: a failing step must not cut the rest short
  _career_bot_pg_cleanup
  _career_bot_pg_return "$status"
  eval "${_career_bot_pg_previous_exit_trap:-}"
}

# Sets the exit handler, and before the server exists: a signal that arrives while it starts
# must not leave it running either.
_career_bot_pg_trap_exit() {
  # `trap -p EXIT` prints `trap -- 'COMMAND' EXIT`, COMMAND quoted for the shell: keep COMMAND.
  _career_bot_pg_previous_exit_trap=$(trap -p EXIT)
  _career_bot_pg_previous_exit_trap=${_career_bot_pg_previous_exit_trap#trap -- }
  _career_bot_pg_previous_exit_trap=${_career_bot_pg_previous_exit_trap% EXIT}
  eval "_career_bot_pg_previous_exit_trap=${_career_bot_pg_previous_exit_trap:-''}"
  trap _career_bot_pg_on_exit EXIT
  # A shell killed by a signal it does not trap skips its EXIT trap: exit on those signals
  # instead (128 + the signal's number, as the shell would), unless the caller handles them.
  local signal
  for signal in HUP:129 INT:130 TERM:143; do
    if [ -z "$(trap -p "${signal%:*}")" ]; then
      # shellcheck disable=SC2064 # the status is put in the trap now, on purpose
      trap "exit ${signal#*:}" "${signal%:*}"
    fi
  done
}

if [ -n "${CAREER_BOT_TEST_POSTGRES_URL:-}" ]; then
  echo "PostgreSQL for the tests: CAREER_BOT_TEST_POSTGRES_URL as given" >&2
else
  _career_bot_pg_trap_exit
  if _career_bot_pg_start; then
    echo "PostgreSQL for the tests: a throwaway cluster at $CAREER_BOT_TEST_POSTGRES_URL" >&2
  else
    _career_bot_pg_cleanup
    echo "note: PostgreSQL could not be started ($_career_bot_pg_why); the PostgreSQL tests will be skipped" >&2
  fi
fi
