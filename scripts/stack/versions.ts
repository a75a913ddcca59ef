/** The Temporal CLI the project installs (`go install`); later tags cannot be go-installed. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/**
 * The Temporal server and UI that CLI embeds (its go.mod: go.temporal.io/server v1.29.1,
 * github.com/temporalio/ui-server/v2 v2.42.1), so the versions the tests run against. A
 * PostgreSQL-backed cluster uses the same: docker-compose.yml's temporalio/server,
 * temporalio/admin-tools and temporalio/ui tags (test/unit/docker-compose.test.ts holds them to these).
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_UI_VERSION = 'v2.42.1';

/**
 * The standalone Temporal UI server `npm start` runs in front of the dev server (built from the
 * same module and version the CLI embeds): the CLI's embedded UI cannot turn write actions off.
 */
export const TEMPORAL_UI_SERVER_MODULE = 'github.com/temporalio/ui-server/v2/cmd/server';

/** The Temporal server and its SQL schema tool, for the PostgreSQL-backed cluster (`npm run start:cluster`). */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server/cmd/server';
export const TEMPORAL_SQL_TOOL_MODULE = 'go.temporal.io/server/cmd/tools/sql';
