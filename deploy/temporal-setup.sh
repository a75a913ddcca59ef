#!/bin/sh
# Temporal on PostgreSQL: the one description of its setup, run by docker-compose.yml (services
# `temporal-schema` and `temporal-setup`, image temporalio/admin-tools) and the same way by
# `npm run start:cluster` (scripts/stack/temporal-cluster.ts) with binaries of the same server version.
#
#   temporal-setup.sh schema      create the two databases if missing, then apply and upgrade their
#                                 schema with temporal-sql-tool (before any server process starts)
#   temporal-setup.sh namespace   wait for the frontend, register the namespace and the search
#                                 attributes, then check that every one of them is there
#
# Both are idempotent: run them on every start, and again after changing the server version.
#
# Environment:
#   schema     SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD (read by temporal-sql-tool itself,
#              never put on a command line), SQL_PLUGIN (postgres12),
#              TEMPORAL_DB (temporal), TEMPORAL_VISIBILITY_DB (temporal_visibility),
#              TEMPORAL_SCHEMA_DIR: the server module's schema/postgresql/v12 (in the admin-tools
#              image /etc/temporal/schema/postgresql/v12; from Go, the module cache's
#              go.temporal.io/server@<version>/schema/postgresql/v12)
#   namespace  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (default), TEMPORAL_NAMESPACE_RETENTION (168h),
#              TEMPORAL_SEARCH_ATTRIBUTES: Name=Type,... - every entry of SEARCH_ATTRIBUTES in
#              src/temporal/search-attributes.ts (a unit test holds docker-compose.yml to that)
#   both       SETUP_ATTEMPTS (60) x SETUP_RETRY_SECONDS (2): how long a step waits for its server;
#              TEMPORAL_SQL_TOOL (temporal-sql-tool) and TEMPORAL_CLI (temporal): the binaries
set -eu

ATTEMPTS=${SETUP_ATTEMPTS:-60}
RETRY_SECONDS=${SETUP_RETRY_SECONDS:-2}
SQL_TOOL=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
CLI=${TEMPORAL_CLI:-temporal}

log() { printf 'temporal-setup: %s\n' "$*"; }
die() {
  printf 'temporal-setup: %s\n' "$*" >&2
  exit 1
}

# retry WHAT COMMAND...: runs COMMAND until it succeeds, at most ATTEMPTS times.
retry() {
  what=$1
  shift
  attempt=1
  until "$@"; do
    [ "$attempt" -lt "$ATTEMPTS" ] || die "$what: still failing after $attempt attempts"
    log "$what: not yet (attempt $attempt of $ATTEMPTS), retrying in ${RETRY_SECONDS}s"
    attempt=$((attempt + 1))
    sleep "$RETRY_SECONDS"
  done
}

# --- schema ---------------------------------------------------------------------------------

sql_tool() {
  "$SQL_TOOL" --plugin "${SQL_PLUGIN:-postgres12}" --endpoint "$SQL_HOST" --port "${SQL_PORT:-5432}" \
    --user "$SQL_USER" "$@"
}

# setup_database NAME SUBDIR: database, versioning tables, then every versioned step up to the
# newest this server version ships (update-schema skips the ones already applied).
setup_database() {
  db=$1
  dir=$TEMPORAL_SCHEMA_DIR/$2/versioned
  [ -d "$dir" ] || die "no schema directory $dir (TEMPORAL_SCHEMA_DIR=$TEMPORAL_SCHEMA_DIR)"
  retry "create database $db" sql_tool --database "$db" create-database
  sql_tool --database "$db" setup-schema --version 0.0
  sql_tool --database "$db" update-schema --schema-dir "$dir"
  log "database $db: schema up to date ($dir)"
}

schema() {
  : "${SQL_HOST:?SQL_HOST is not set}" "${SQL_USER:?SQL_USER is not set}"
  : "${TEMPORAL_SCHEMA_DIR:?TEMPORAL_SCHEMA_DIR is not set}"
  setup_database "${TEMPORAL_DB:-temporal}" temporal
  setup_database "${TEMPORAL_VISIBILITY_DB:-temporal_visibility}" visibility
}

# --- namespace and search attributes --------------------------------------------------------

cli() { "$CLI" "$@" --address "$TEMPORAL_ADDRESS"; }

ensure_namespace() {
  cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 && return 0
  log "registering namespace $NAMESPACE (retention $RETENTION)"
  cli operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
    --description "compliance-backend workflows"
}

# One request for all attributes: the server applies them together, and an attribute that
# already exists with the same type is left as it is.
add_search_attributes() {
  set --
  for pair in $ATTRIBUTES; do
    set -- "$@" --name "${pair%%=*}" --type "${pair#*=}"
  done
  cli operator search-attribute create --namespace "$NAMESPACE" "$@"
}

# Lists the namespace's search attributes and names every expected one that is missing or has
# another type; fails if there is any. (Search attributes on SQL visibility are aliases in the
# namespace's record, so a listing can lag an addition by the namespace cache's refresh.)
check_search_attributes() {
  listing=$(cli operator search-attribute list --namespace "$NAMESPACE" --output json) || return 1
  flat=$(printf '%s' "$listing" | tr -d ' \t\r\n')
  missing=
  for pair in $ATTRIBUTES; do
    name=${pair%%=*}
    type=${pair#*=}
    # The CLI prints a type as its enum name (KeywordList: "INDEXED_VALUE_TYPE_KEYWORD_LIST");
    # the type's own spelling ("Keyword") is accepted as well.
    enum=INDEXED_VALUE_TYPE_$(printf '%s' "$type" | sed 's/\([a-z]\)\([A-Z]\)/\1_\2/g' | tr '[:lower:]' '[:upper:]')
    case $flat in
      *"\"$name\":\"$enum\""* | *"\"$name\":\"$type\""*) ;;
      *) missing="$missing $name=$type" ;;
    esac
  done
  if [ -n "$missing" ]; then
    log "missing or of another type in namespace $NAMESPACE:$missing"
    return 1
  fi
}

namespace() {
  : "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is not set}"
  : "${TEMPORAL_SEARCH_ATTRIBUTES:?TEMPORAL_SEARCH_ATTRIBUTES is not set (Name=Type,...)}"
  NAMESPACE=${TEMPORAL_NAMESPACE:-default}
  RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-168h}
  ATTRIBUTES=$(printf '%s' "$TEMPORAL_SEARCH_ATTRIBUTES" | tr ',' ' ')
  LISTED=$(printf ' %s' $ATTRIBUTES)
  for pair in $ATTRIBUTES; do
    case $pair in
      [A-Za-z]*=Keyword | [A-Za-z]*=Text | [A-Za-z]*=Int | [A-Za-z]*=Double | [A-Za-z]*=Bool | [A-Za-z]*=Datetime | [A-Za-z]*=KeywordList) ;;
      *) die "TEMPORAL_SEARCH_ATTRIBUTES: '$pair' is not Name=Type" ;;
    esac
  done

  retry "Temporal frontend at $TEMPORAL_ADDRESS" cli operator cluster health
  retry "namespace $NAMESPACE" ensure_namespace
  retry "search attributes$LISTED" add_search_attributes
  retry "check of search attributes" check_search_attributes
  log "namespace $NAMESPACE has every search attribute:$LISTED"
}

case ${1:-} in
  schema) schema ;;
  namespace) namespace ;;
  *) die "usage: $0 schema|namespace" ;;
esac
