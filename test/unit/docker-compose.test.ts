import { randomBytes } from 'node:crypto';
/**
 * docker-compose.yml cannot run here (no Docker engine), so it is checked as a document: against
 * the Compose Specification's JSON schema, then point by point for what would stop it coming up on
 * the first try (issue 20), and deploy/temporal-setup.sh, which its Temporal services run, is run
 * with stand-in binaries.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/kernel/config';
import { SEARCH_ATTRIBUTES } from '../../src/kernel/temporal/search-attributes';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../../scripts/stack/versions';
import {
  composeSpecValidator,
  environmentOf,
  loadCompose,
  parseEnvFile,
  publishedPorts,
  references,
  root,
  strings,
} from '../helpers/compose';

const compose = loadCompose();
const services: Record<string, any> = compose.resolved.services;
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const imageOf = (service: string) => {
  const [name, tag] = String(services[service].image).split(':');
  return { name, tag };
};
const servicesWithImage = (name: string) =>
  Object.keys(services).filter((s) => String(services[s].image ?? '').split(':')[0] === name);
/** Entrypoint + command as one argv (both are lists in this file). */
const argvOf = (service: string): string[] => [
  ...(services[service].entrypoint ?? []),
  ...(services[service].command ?? []),
];
const SETUP_SCRIPT_IN_CONTAINER = '/opt/compliance/temporal-setup.sh';
const APP_SERVICES = ['migrate', 'api', 'worker'];
const TEMPORAL_SERVERS = servicesWithImage('temporalio/server');

describe('docker-compose.yml against the Compose Specification schema', () => {
  const validate = composeSpecValidator();

  it('is valid, as written and with its defaults interpolated', () => {
    // Validated twice: variables left in place (strings wherever they occur), and resolved.
    for (const doc of [compose.raw, compose.resolved]) {
      const ok = validate(doc);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('rejects what Compose rejects (the validator is really applied)', () => {
    const broken = structuredClone(compose.resolved);
    broken.services.api.depends_on.migrate.condition = 'service_completed';
    broken.services.lb.helthcheck = { test: ['CMD', 'true'] };
    expect(validate(broken)).toBe(false);
    const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '/services/api/depends_on/migrate/condition must be equal to one of the allowed values',
        '/services/lb must NOT have additional properties',
      ]),
    );
  });
});

describe('1. PostgreSQL is healthy only once it answers over TCP', () => {
  it('checks with pg_isready against 127.0.0.1', () => {
    const test: string[] = services.postgres.healthcheck.test;
    expect(test[0]).toBe('CMD');
    expect(test[1]).toBe('pg_isready');
    expect(test[test.indexOf('-h') + 1]).toBe('127.0.0.1');
  });

  it('migrate waits for that healthcheck and the app waits for migrate', () => {
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    expect(services.migrate.restart).toBe('no');
    for (const s of ['api', 'worker']) {
      expect(services[s].depends_on.migrate.condition).toBe('service_completed_successfully');
    }
    // The Temporal schema step talks to PostgreSQL first as well.
    expect(services['temporal-schema'].depends_on.postgres.condition).toBe('service_healthy');
  });
});

describe('2. Temporal setup fails on any missing search attribute', () => {
  it('registers every attribute of src/temporal/search-attributes.ts, with its type', () => {
    const listed = environmentOf(services['temporal-setup'])
      .TEMPORAL_SEARCH_ATTRIBUTES.split(',')
      .map((p) => p.split('='));
    expect(Object.fromEntries(listed)).toEqual(SEARCH_ATTRIBUTES);
  });

  it('runs deploy/temporal-setup.sh after the servers are healthy, and the app waits for it', () => {
    const setup = services['temporal-setup'];
    expect(argvOf('temporal-setup')).toEqual(['sh', SETUP_SCRIPT_IN_CONTAINER, 'namespace']);
    expect(setup.volumes).toContain(`./deploy/temporal-setup.sh:${SETUP_SCRIPT_IN_CONTAINER}:ro`);
    expect(setup.restart).toBe('no');
    for (const server of TEMPORAL_SERVERS) expect(setup.depends_on[server].condition).toBe('service_healthy');
    for (const s of ['api', 'worker']) {
      expect(services[s].depends_on['temporal-setup'].condition).toBe('service_completed_successfully');
    }
    // No image that adds attributes of its own at the same time (temporalio/auto-setup did).
    expect(servicesWithImage('temporalio/auto-setup')).toEqual([]);
  });
});

describe('3. published ports: loopback only, and none of the local stack', () => {
  // `npm start` / `npm run stack:up` (scripts/stack.ts): API 3000, Temporal 7233, its UI 8233,
  // PostgreSQL 5432, Redis 6379; `npm run start:cluster`: 3000-3002.
  const LOCAL_STACK_PORTS = [3000, 3001, 3002, 5432, 6379, 7233, 8233];
  const ports = publishedPorts(compose.resolved);

  it('binds every published port to 127.0.0.1 by default', () => {
    expect(ports.map((p) => p.service).sort()).toEqual(['grafana', 'lb', 'prometheus', 'temporal', 'temporal-ui']);
    for (const p of ports)
      expect({ service: p.service, hostIp: p.hostIp }).toEqual({ service: p.service, hostIp: '127.0.0.1' });
  });

  it('uses fixed host ports that the local stack does not', () => {
    for (const p of ports) {
      expect(p.published).toEqual(expect.any(Number));
      expect(LOCAL_STACK_PORTS).not.toContain(p.published);
    }
    expect(new Set(ports.map((p) => p.published)).size).toBe(ports.length);
    expect(Object.fromEntries(ports.map((p) => [p.service, p.published]))).toEqual({
      lb: 8080,
      temporal: 17233,
      'temporal-ui': 18233,
      prometheus: 19090,
      grafana: 13000,
    });
  });

  it('publishes neither PostgreSQL nor Redis, and uses no host networking', () => {
    for (const [name, def] of Object.entries(services)) {
      expect({ name, network_mode: def.network_mode }).toEqual({ name, network_mode: undefined });
    }
    expect(services.postgres.ports).toBeUndefined();
    expect(services.redis.ports).toBeUndefined();
  });

  it('README documents the ports and how to publish them deliberately', () => {
    const readme = read('README.md');
    for (const text of ['127.0.0.1:8080', '127.0.0.1:17233', '127.0.0.1:18233', 'PUBLISH_IP=', 'TEMPORAL_PUBLISH_IP']) {
      expect(readme).toContain(text);
    }
  });
});

describe('4. no variable is required to parse the file', () => {
  const refs = strings(compose.raw).flatMap(references);

  it('has no ${VAR:?} / ${VAR?} and no variable without a default', () => {
    expect(refs.filter((r) => r.required)).toEqual([]);
    expect(refs.filter((r) => r.fallback === undefined)).toEqual([]);
    expect(read('docker-compose.yml')).not.toMatch(/\$\{[A-Za-z_][A-Za-z0-9_]*:?\?/);
  });

  it('reads secrets from .env.compose, which git and the image build ignore', () => {
    for (const s of APP_SERVICES) {
      expect(services[s].env_file).toBe('.env.compose');
      expect(Object.keys(environmentOf(services[s]))).not.toContain('JWT_SECRET');
    }
    expect(read('.gitignore').split('\n')).toContain('.env.compose');
    expect(read('.dockerignore').split('\n')).toContain('.env.compose');
  });

  it("README's generator command writes an env file with which the app's configuration loads", () => {
    const readme = read('README.md');
    const command = readme.split('\n').find((line) => /> \.env\.compose\)?\s*$/.test(line));
    expect(command).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'compose-env-'));
    try {
      const run = spawnSync('sh', ['-c', command!], { cwd: dir, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const fileEnv = parseEnvFile(readFileSync(join(dir, '.env.compose'), 'utf8'));
      expect(fileEnv.JWT_SECRET).toMatch(/^[0-9a-f]{64}$/);
      for (const s of APP_SERVICES) {
        // `environment` wins over `env_file` in Compose.
        const config = loadConfig({ ...fileEnv, ...operatorProvider, ...environmentOf(services[s]) });
        expect(config.NODE_ENV).toBe('production');
        expect(config.JWT_SECRET).toBe(fileEnv.JWT_SECRET);
        expect(config.RUN_MIGRATIONS).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('5. one Temporal version: temporalio/server, admin-tools at the same version, the UI', () => {
  const server = TEMPORAL_SERVER_VERSION.replace(/^v/, '');

  it('runs temporalio/server at the version the tests use, as two processes', () => {
    expect(TEMPORAL_SERVERS.sort()).toEqual(['temporal', 'temporal-2']);
    for (const s of TEMPORAL_SERVERS) expect(imageOf(s).tag).toBe(server);
  });

  it('uses admin-tools built from that same server version for every setup step', () => {
    const tools = servicesWithImage('temporalio/admin-tools').sort();
    expect(tools).toEqual(['temporal-schema', 'temporal-setup']);
    // Tags read <server>-tctl-<tctl>-cli-<cli> (temporalio/docker-builds' release workflow).
    for (const s of tools)
      expect(imageOf(s).tag).toMatch(new RegExp(`^${server.replace(/\./g, '\\.')}-tctl-[0-9.]+-cli-[0-9.]+$`));
  });

  it('applies the schema with temporal-sql-tool before any server starts', () => {
    expect(argvOf('temporal-schema')).toEqual(['sh', SETUP_SCRIPT_IN_CONTAINER, 'schema']);
    expect(environmentOf(services['temporal-schema']).TEMPORAL_SCHEMA_DIR).toBe('/etc/temporal/schema/postgresql/v12');
    for (const s of TEMPORAL_SERVERS) {
      expect(services[s].depends_on['temporal-schema'].condition).toBe('service_completed_successfully');
    }
  });

  it('gives the schema step and the servers the same database', () => {
    const schema = environmentOf(services['temporal-schema']);
    const keys = [
      'SQL_PLUGIN',
      'SQL_HOST',
      'SQL_PORT',
      'SQL_USER',
      'SQL_PASSWORD',
      'TEMPORAL_DB',
      'TEMPORAL_VISIBILITY_DB',
    ];
    const pick = (env: Record<string, string>) => Object.fromEntries(keys.map((k) => [k, env[k]]));
    for (const s of TEMPORAL_SERVERS) {
      const env = environmentOf(services[s]);
      expect(pick(env)).toEqual(pick(schema));
      expect(env.SQL_PLUGIN).toBe('postgres12');
      expect(Object.keys(services)).toContain(env.SQL_HOST);
      expect(services[s].healthcheck.test).toEqual([
        'CMD',
        'temporal',
        'operator',
        'cluster',
        'health',
        '--address',
        '127.0.0.1:7233',
      ]);
    }
  });

  it('runs the servers from deploy/temporal/cluster.yaml, the configuration start:cluster runs', () => {
    const configFile = read('deploy/temporal/cluster.yaml');
    // Read by the server as a Go template: the marker must sit in a comment in the first 1 KB.
    expect(configFile.slice(0, 1024).split('\n')).toContain('# enable-template');
    // What start:cluster passes (scripts/stack/temporal-cluster.ts): --config deploy/temporal --env cluster.
    expect(read('scripts/stack/temporal-cluster.ts')).toContain("'--config', 'deploy/temporal', '--env', 'cluster'");
    const withoutDefault = [...configFile.matchAll(/env "([A-Z_]+)"(?! \| default)/g)].map((m) => m[1]!);
    for (const s of TEMPORAL_SERVERS) {
      expect(services[s].volumes).toContain('./deploy/temporal:/opt/compliance/temporal:ro');
      const argv = argvOf(s).join(' ');
      expect(argv).toContain('exec temporal-server --root /opt/compliance --config temporal --env cluster start');
      const env = environmentOf(services[s]);
      // Every variable the file reads without a default is set, and none of the image's own
      // template variables (config_template.yaml) is left over as if it were used.
      for (const name of withoutDefault) expect({ name, set: env[name] !== undefined }).toEqual({ name, set: true });
      for (const unused of ['DB', 'POSTGRES_SEEDS', 'DBNAME', 'VISIBILITY_DBNAME', 'BIND_ON_IP']) {
        expect(env[unused]).toBeUndefined();
      }
      expect(env.TEMPORAL_BIND_IP).toBe('0.0.0.0');
      expect(env.TEMPORAL_DYNAMIC_CONFIG).toBe('/opt/compliance/temporal/dynamicconfig.yaml');
      // Membership: each container advertises its own address, not the wildcard it listens on.
      expect(argv).toContain('TEMPORAL_BROADCAST_ADDRESS="$(hostname -i)"');
      expect(services[s].networks.default.aliases).toContain(env.TEMPORAL_FRONTEND_ADDRESS!.split(':')[0]);
    }
    // Every variable the file reads is one of those documented in its header.
    const header = configFile
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    for (const m of configFile.matchAll(/env "([A-Z_]+)"/g)) expect(header).toContain(m[1]!);
  });

  it('runs the UI the CLI embeds, with write actions off', () => {
    expect(imageOf('temporal-ui').tag).toBe(TEMPORAL_UI_VERSION.replace(/^v/, ''));
    // temporalio/ui renders config/docker.yaml: disableWriteActions <- TEMPORAL_DISABLE_WRITE_ACTIONS.
    expect(environmentOf(services['temporal-ui']).TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
  });
});

/** What the README asks the operator to add: a real KYC provider's credentials. */
const operatorProvider = {
  KYC_PROVIDER: 'VERIFF',
  VERIFF_API_KEY: randomBytes(16).toString('hex'),
  VERIFF_SHARED_SECRET: randomBytes(32).toString('hex'),
};
const privateSecrets = () => ({
  JWT_SECRET: randomBytes(32).toString('hex'),
  WORKFLOW_SIGNING_KEY: randomBytes(32).toString('hex'),
  KYC_LOCAL_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
  METRICS_TOKEN: randomBytes(32).toString('hex'),
  MARKET_FEED: 'EXCHANGE',
});

describe('the topology of start:cluster, wired consistently', () => {
  it('three API replicas behind nginx, two workers', () => {
    expect(services.api.deploy.replicas).toBe(3);
    expect(services.worker.deploy.replicas).toBe(2);
    expect(imageOf('lb').name).toBe('nginx');
    expect(services.lb.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(read('deploy/nginx.conf')).toMatch(/server api:3000 resolve;/);
    expect(services.lb.depends_on.api.condition).toBe('service_healthy');
  });

  it("the app's addresses name services of this file, and its variables are src/config.ts's", () => {
    const known = new Set(Object.keys(parseEnvFile(read('.env.example'))));
    const aliases = TEMPORAL_SERVERS.flatMap((s) => services[s].networks.default.aliases);
    const setup = environmentOf(services['temporal-setup']);
    for (const s of APP_SERVICES) {
      const env = environmentOf(services[s]);
      for (const key of Object.keys(env)) expect({ key, known: known.has(key) }).toEqual({ key, known: true });
      const config = loadConfig({ ...privateSecrets(), ...operatorProvider, ...env });
      expect(Object.keys(services)).toContain(new URL(config.DATABASE_URL).hostname);
      expect(Object.keys(services)).toContain(new URL(config.REDIS_URL).hostname);
      for (const server of TEMPORAL_SERVERS) {
        expect(services[server].networks.default.aliases).toContain(config.TEMPORAL_ADDRESS.split(':')[0]);
      }
      expect(config.TEMPORAL_ADDRESS).toBe(setup.TEMPORAL_ADDRESS);
      expect(config.TEMPORAL_NAMESPACE).toBe(setup.TEMPORAL_NAMESPACE);
      expect(config.TEMPORAL_WORKFLOW_BUNDLE).toBe(read('Dockerfile').match(/TEMPORAL_WORKFLOW_BUNDLE=(\S+)/)![1]);
    }
    expect(aliases).toContain(environmentOf(services['temporal-ui']).TEMPORAL_ADDRESS.split(':')[0]);
  });
});

describe('deploy/temporal-setup.sh, run with stand-in binaries', () => {
  const script = join(root, 'deploy/temporal-setup.sh');
  const ATTRIBUTES = Object.entries(SEARCH_ATTRIBUTES)
    .map(([name, type]) => `${name}=${type}`)
    .join(',');
  let dir: string;

  /** A `temporal` CLI that logs its arguments and answers from files the test writes. */
  const FAKE_CLI = `#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_DIR/calls"
case "$1 $2 $3" in
  "operator cluster health") echo SERVING ;;
  "operator namespace describe") [ -f "$FAKE_DIR/namespace" ] ;;
  "operator namespace create") touch "$FAKE_DIR/namespace" ;;
  "operator search-attribute create") [ ! -f "$FAKE_DIR/create-fails" ] ;;
  "operator search-attribute list") cat "$FAKE_DIR/list.json" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;
  const FAKE_SQL_TOOL = `#!/bin/sh
printf '%s | SQL_PASSWORD=%s\\n' "$*" "$SQL_PASSWORD" >> "$FAKE_DIR/calls"
`;

  /** Type as the CLI's JSON prints it: KeywordList -> INDEXED_VALUE_TYPE_KEYWORD_LIST. */
  const enumName = (type: string) => `INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  /**
   * `temporal operator search-attribute list --output json` as CLI v1.5.1 prints it against a
   * v1.29.1 server (checked with the dev server): the response message, types as enum names.
   */
  const listing = (custom: Record<string, string>, spell = enumName) =>
    JSON.stringify(
      {
        customAttributes: Object.fromEntries(Object.entries(custom).map(([n, t]) => [n, spell(t)])),
        systemAttributes: { WorkflowId: enumName('Keyword'), StartTime: enumName('Datetime') },
      },
      null,
      2,
    );

  const run = (phase: string, env: Record<string, string> = {}) => {
    const result = spawnSync('sh', [script, phase], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        FAKE_DIR: dir,
        TEMPORAL_CLI: join(dir, 'temporal'),
        TEMPORAL_SQL_TOOL: join(dir, 'temporal-sql-tool'),
        SETUP_ATTEMPTS: '3',
        SETUP_RETRY_SECONDS: '0',
        TEMPORAL_ADDRESS: 'temporal-frontend:7233',
        TEMPORAL_SEARCH_ATTRIBUTES: ATTRIBUTES,
        ...env,
      },
    });
    let calls: string[] = [];
    try {
      calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    } catch {
      // no call made
    }
    return { status: result.status, output: `${result.stdout}${result.stderr}`, calls };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'temporal-setup-'));
    writeFileSync(join(dir, 'temporal'), FAKE_CLI);
    writeFileSync(join(dir, 'temporal-sql-tool'), FAKE_SQL_TOOL);
    chmodSync(join(dir, 'temporal'), 0o755);
    chmodSync(join(dir, 'temporal-sql-tool'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('registers the namespace and every attribute in one request, then checks them', () => {
    writeFileSync(join(dir, 'list.json'), listing(SEARCH_ATTRIBUTES));
    const { status, output, calls } = run('namespace');
    expect(output).toContain('namespace default has every search attribute');
    expect(status).toBe(0);
    const address = '--address temporal-frontend:7233';
    expect(calls).toEqual([
      `operator cluster health ${address}`,
      `operator namespace describe --namespace default ${address}`,
      `operator namespace create --namespace default --retention 168h --description compliance-backend workflows ${address}`,
      `operator search-attribute create --namespace default ${Object.entries(SEARCH_ATTRIBUTES)
        .map(([n, t]) => `--name ${n} --type ${t}`)
        .join(' ')} ${address}`,
      `operator search-attribute list --namespace default --output json ${address}`,
    ]);
  });

  it('accepts the short spelling of types too ("Keyword"), and leaves an existing namespace alone', () => {
    writeFileSync(join(dir, 'namespace'), '');
    writeFileSync(
      join(dir, 'list.json'),
      listing(SEARCH_ATTRIBUTES, (t) => t),
    );
    const { status, calls } = run('namespace');
    expect(status).toBe(0);
    expect(calls.filter((c) => c.includes('namespace create'))).toEqual([]);
  });

  it('tells KeywordList from Keyword', () => {
    writeFileSync(join(dir, 'namespace'), '');
    const wanted = { ...SEARCH_ATTRIBUTES, Tags: 'KeywordList' };
    const env = {
      TEMPORAL_SEARCH_ATTRIBUTES: Object.entries(wanted)
        .map(([n, t]) => `${n}=${t}`)
        .join(','),
    };
    writeFileSync(join(dir, 'list.json'), listing(wanted));
    expect(run('namespace', env).status).toBe(0);
    writeFileSync(join(dir, 'list.json'), listing({ ...wanted, Tags: 'Keyword' }));
    const { status, output } = run('namespace', env);
    expect(status).not.toBe(0);
    expect(output).toContain('missing or of another type in namespace default: Tags=KeywordList');
  });

  it('fails, naming every missing attribute, when any is missing after the check', () => {
    writeFileSync(join(dir, 'namespace'), '');
    const [first, ...rest] = Object.entries(SEARCH_ATTRIBUTES);
    const present = Object.fromEntries([first]);
    writeFileSync(join(dir, 'list.json'), listing(present));
    const { status, output, calls } = run('namespace');
    expect(status).not.toBe(0);
    for (const [name, type] of rest) expect(output).toContain(`${name}=${type}`);
    expect(output).not.toMatch(new RegExp(`missing.*\\b${first[0]}=`));
    expect(output).toContain('check of search attributes: still failing after 3 attempts');
    // The check lists the attributes on every attempt (a listing can lag an addition).
    expect(calls.filter((c) => c.includes('search-attribute list'))).toHaveLength(3);
  });

  it('fails when an attribute exists with another type', () => {
    writeFileSync(join(dir, 'namespace'), '');
    const [name] = Object.keys(SEARCH_ATTRIBUTES);
    writeFileSync(join(dir, 'list.json'), listing({ ...SEARCH_ATTRIBUTES, [name]: 'Text' }));
    const { status, output } = run('namespace');
    expect(status).not.toBe(0);
    expect(output).toContain(`missing or of another type in namespace default: ${name}=`);
  });

  it('fails when the attributes cannot be added, after a bounded number of attempts', () => {
    writeFileSync(join(dir, 'namespace'), '');
    writeFileSync(join(dir, 'create-fails'), '');
    writeFileSync(join(dir, 'list.json'), listing(SEARCH_ATTRIBUTES));
    const { status, output, calls } = run('namespace');
    expect(status).not.toBe(0);
    expect(output).toContain('still failing after 3 attempts');
    expect(calls.filter((c) => c.includes('search-attribute create'))).toHaveLength(3);
    expect(calls.filter((c) => c.includes('search-attribute list'))).toEqual([]);
  });

  it('refuses a malformed attribute list before calling anything', () => {
    const { status, output, calls } = run('namespace', { TEMPORAL_SEARCH_ATTRIBUTES: 'UserId:Keyword' });
    expect(status).not.toBe(0);
    expect(output).toContain("'UserId:Keyword' is not Name=Type");
    expect(calls).toEqual([]);
  });

  it('schema: creates both databases and applies the versioned schema, password never on the command line', () => {
    const schemaDir = join(dir, 'schema', 'postgresql', 'v12');
    for (const sub of ['temporal', 'visibility']) mkdirSync(join(schemaDir, sub, 'versioned'), { recursive: true });
    const env = environmentOf(services['temporal-schema']);
    const { status, calls } = run('schema', { ...env, TEMPORAL_SCHEMA_DIR: schemaDir });
    expect(status).toBe(0);
    const common = `--plugin postgres12 --endpoint postgres --port 5432 --user postgres`;
    const pw = ` | SQL_PASSWORD=${env.SQL_PASSWORD}`;
    expect(calls).toEqual([
      `${common} --database temporal create-database${pw}`,
      `${common} --database temporal setup-schema --version 0.0${pw}`,
      `${common} --database temporal update-schema --schema-dir ${schemaDir}/temporal/versioned${pw}`,
      `${common} --database temporal_visibility create-database${pw}`,
      `${common} --database temporal_visibility setup-schema --version 0.0${pw}`,
      `${common} --database temporal_visibility update-schema --schema-dir ${schemaDir}/visibility/versioned${pw}`,
    ]);
  });

  it('schema: stops when the schema directory is not there', () => {
    const env = environmentOf(services['temporal-schema']);
    const { status, output, calls } = run('schema', { ...env, TEMPORAL_SCHEMA_DIR: join(dir, 'nowhere') });
    expect(status).not.toBe(0);
    expect(output).toContain('no schema directory');
    expect(calls).toEqual([]);
  });
});

describe('metrics: Prometheus scrapes every replica, Grafana shows the dashboard', () => {
  const scrapeConfig = read('deploy/prometheus.yml');

  it('deploy/prometheus.yml passes `promtool check config` (with its token file in place)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prom-'));
    try {
      writeFileSync(join(dir, 'token'), 'x');
      writeFileSync(join(dir, 'prometheus.yml'), scrapeConfig.replaceAll('/tmp/metrics-token', join(dir, 'token')));
      const r = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({
        status: 0,
        out: expect.stringContaining('SUCCESS'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scrapes the API replicas, the workers and the SDK endpoint on the ports the services listen on', () => {
    const { parse } = require('yaml') as typeof import('yaml');
    const jobs = parse(scrapeConfig).scrape_configs as any[];
    const target = (job: string) => jobs.find((j) => j.job_name === job)?.dns_sd_configs?.[0];
    const app = loadConfig({ ...privateSecrets(), ...operatorProvider, ...environmentOf(services.worker) });
    expect(target('api')).toMatchObject({ names: ['api'], type: 'A', port: Number(environmentOf(services.api).PORT) });
    expect(target('worker')).toMatchObject({
      names: ['worker'],
      port: Number(app.WORKER_METRICS_ADDRESS!.split(':')[1]),
    });
    expect(target('temporal-sdk')).toMatchObject({
      names: ['worker'],
      port: Number(app.TEMPORAL_METRICS_ADDRESS!.split(':')[1]),
    });
    // The app endpoints want the bearer token the compose service writes from .env.compose.
    for (const job of ['api', 'worker']) {
      expect(jobs.find((j) => j.job_name === job).authorization.credentials_file).toBe('/tmp/metrics-token');
    }
    expect(services.prometheus.env_file).toBe('.env.compose');
    expect(services.prometheus.command.join(' ')).toContain('"$METRICS_TOKEN" > /tmp/metrics-token');
    expect(services.prometheus.volumes).toContain('./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('provisions the Prometheus data source and the dashboard, whose queries use our metric families', () => {
    expect(services.grafana.volumes).toEqual(
      expect.arrayContaining([
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    expect(read('deploy/grafana/provisioning/datasources/prometheus.yml')).toContain('url: http://prometheus:9090');
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/compliance-backend.json'));
    const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
    for (const family of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'bullmq_jobs_processed_total',
      'bullmq_job_wait_seconds_bucket',
      'bullmq_queue_jobs',
      'temporal_workflow_executions',
      'kyc_decisions_total',
      'aml_findings_total',
      'webhook_signature_failures_total',
      'auth_login_failures_total',
      'socketio_connections',
      'binary_settlement_lag_seconds_bucket',
      'binary_settlement_failed_total',
      'temporal_worker_task_slots_available',
    ])
      expect(exprs.some((e) => e.includes(family))).toBe(true);
  });
});
