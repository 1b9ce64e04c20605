// The DuckDB peer of make bench: runs night.sql on one generated night and makes its
// outputs durable, as slipway's are (bench/README.md, "The DuckDB peer").
//
//   node run.mjs --catalog F --inventory F --orders F --run-date YYYY-MM-DD --out DIR [--quiet]
//   node run.mjs --info       DuckDB's version, the package's and DuckDB's threads, one line
//
// make bench runs the copy in build/duckdb/, beside the node_modules that npm ci installed
// there from package-lock.json.
//
// DIR is created (it must not exist). DuckDB runs in memory with its default threads
// (all CPUs) and memory limit. Prints DuckDB's version, its threads and each statement's
// seconds unless --quiet.
import { DuckDBInstance, version } from '@duckdb/node-api';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const usage =
    'usage: node run.mjs --catalog F --inventory F --orders F --run-date YYYY-MM-DD --out DIR [--quiet]\n' +
    '       node run.mjs --info';
const here = dirname(fileURLToPath(import.meta.url));
const options = {
    // Never fetch an extension: everything night.sql uses, the zstd reader included, is
    // built into the package's libduckdb.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
};

const args = { quiet: false, info: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '').replace('-', '_');
    if (name === 'quiet' || name === 'info') {
        args[name] = true;
    } else if (['catalog', 'inventory', 'orders', 'run_date', 'out'].includes(name) && i + 1 < argv.length) {
        args[name] = argv[++i];
    } else {
        console.error(`run.mjs: unknown or incomplete argument "${argv[i]}"\n${usage}`);
        process.exit(2);
    }
}
if (args.info) {
    const pkg = JSON.parse(readFileSync(join(here, 'node_modules/@duckdb/node-api/package.json'), 'utf8'));
    const db = await (await DuckDBInstance.create(':memory:', options)).connect();
    const threads = (await db.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
    console.log(`duckdb ${version()} (@duckdb/node-api ${pkg.version}), ${threads} threads`);
    process.exit(0);
}
for (const name of ['catalog', 'inventory', 'orders', 'run_date', 'out']) {
    if (args[name] === undefined) {
        console.error(`run.mjs: --${name.replace('_', '-')} is required\n${usage}`);
        process.exit(2);
    }
}
if (!/^\d{4}-\d{2}-\d{2}$/.test(args.run_date)) {
    console.error(`run.mjs: --run-date "${args.run_date}" is not YYYY-MM-DD`);
    process.exit(2);
}

const sqlText = readFileSync(join(here, 'night.sql'), 'utf8');
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
mkdirSync(args.out); // throws when it exists: a stale folder would hide a failed run

const instance = await DuckDBInstance.create(':memory:', options);
const db = await instance.connect();
const setup = [
    `SET VARIABLE catalog = ${quote(args.catalog)}`,
    `SET VARIABLE inventory = ${quote(args.inventory)}`,
    `SET VARIABLE orders = ${quote(args.orders)}`,
    `SET VARIABLE out_dir = ${quote(args.out)}`,
    `SET VARIABLE run_date = DATE ${quote(args.run_date)}`,
];
for (const sql of setup) await db.run(sql);
const threads = (await db.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];

// One statement at a time, so each step's seconds can be printed.
const statements = await db.extractStatements(sqlText);
const steps = [];
const start = process.hrtime.bigint();
for (let i = 0; i < statements.count; i++) {
    const t0 = process.hrtime.bigint();
    await (await statements.prepare(i)).run();
    steps.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
db.closeSync();
instance.closeSync();

// Durable like slipway's outputs: each file, then the folder that names them.
for (const name of ['slips.csv', 'order_status.csv', '.']) {
    const fd = openSync(join(args.out, name), 'r');
    fsyncSync(fd);
    closeSync(fd);
}
const total = Number(process.hrtime.bigint() - start) / 1e9;

if (!args.quiet) {
    console.log(`duckdb ${version()} (@duckdb/node-api), ${threads} threads`);
    console.log(`statements: ${steps.map((s) => s.toFixed(2)).join(' ')} s`);
    console.log(`total: ${total.toFixed(2)} s`);
}
