'use strict';

// Integration: the real Serverless Framework v3 and osls run `package` offline on
// test/fixtures/orders-v3 with this plugin and the leastrole binary named by
// LEASTROLE_BINARY; the compiled CloudFormation template is checked.
//
// Needs `npm ci` in this folder (the frameworks are devDependencies) and LEASTROLE_BINARY.
// Without them the tests are skipped with a note, except under CI (the CI variable set),
// where that is a failure. `cargo test -p leastrole --test serverless_plugin` sets it all up.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const { FAIL_ON } = require('../lib/config');

const ROOT = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'orders-v3');
const FRAMEWORKS = {
  'serverless@3': path.join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'),
  osls: path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'),
};

function missingPrerequisite() {
  for (const [name, bin] of Object.entries(FRAMEWORKS)) {
    if (!fs.existsSync(bin)) return `${name} is not installed (run npm ci in ${ROOT})`;
  }
  const binary = process.env.LEASTROLE_BINARY;
  if (!binary || !fs.existsSync(binary)) return 'LEASTROLE_BINARY does not name the leastrole binary';
  return null;
}

const missing = missingPrerequisite();
if (missing && process.env.CI) {
  throw new Error(`integration tests cannot run under CI: ${missing}`);
}
if (missing) process.stderr.write(`note: skipping the framework integration tests: ${missing}\n`);

// The fixture says `plugins: [serverless-leastrole]`, as a user would: make that name
// resolve to this package (node_modules is not committed).
function linkPlugin() {
  const link = path.join(ROOT, 'node_modules', 'serverless-leastrole');
  if (!fs.existsSync(path.join(link, 'package.json'))) {
    fs.rmSync(link, { force: true, recursive: true });
    fs.symlinkSync('..', link, 'dir');
  }
}

// The framework CLI in the fixture (or `cwd`); no AWS credentials, no telemetry.
function framework(name, args, cwd = FIXTURE) {
  const env = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
  return spawnSync(process.execPath, [FRAMEWORKS[name], ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
}

// `serverless package` into a temporary folder.
function sls(name, args, cwd = FIXTURE) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'leastrole-sls-'));
  const run = framework(name, ['package', '--package', out, ...args], cwd);
  const file = path.join(out, 'cloudformation-template-update-stack.json');
  const template = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
  fs.rmSync(out, { recursive: true, force: true });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, template };
}

function statements(template, roleId) {
  const role = template.Resources[roleId];
  assert.ok(role, `${roleId} in ${Object.keys(template.Resources).join(', ')}`);
  assert.equal(role.Type, 'AWS::IAM::Role');
  return role.Properties.Policies[0].PolicyDocument.Statement;
}

function find(list, action) {
  return list.filter((s) => [].concat(s.Action).includes(action));
}

const logsArn = (name, streams) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/lr-orders-dev-${name}${streams ? ':*:*' : ':*'}`,
});

for (const framework of Object.keys(FRAMEWORKS)) {
  test(
    `${framework}: generate mode gives every function its own role with exact references`,
    { skip: Boolean(missing) },
    () => {
      linkPlugin();
      const { status, output, template } = sls(framework, []);
      assert.equal(status, 0, output);
      const resources = template.Resources;
      assert.equal(resources.IamRoleLambdaExecution, undefined, 'the shared role is gone');

      const create = statements(template, 'CreateOrderIamRoleLeastrole');
      assert.deepEqual(find(create, 'dynamodb:PutItem')[0].Resource, [
        { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}' },
      ]);
      assert.deepEqual(find(create, 'sns:Publish')[0].Resource, [{ Ref: 'OrdersTopic' }]);
      assert.ok(!JSON.stringify(create).includes('JobsQueue'), 'no other function’s event source');

      const worker = statements(template, 'WorkerIamRoleLeastrole');
      assert.deepEqual(find(worker, 's3:PutObject')[0].Resource, [
        { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${ReceiptsBucket}/receipts/*.json' },
      ]);
      assert.deepEqual(find(worker, 'sqs:ReceiveMessage')[0].Resource, [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }]);
      assert.deepEqual(find(worker, 'sns:Publish')[0].Resource, ['arn:aws:sns:eu-west-1:123456789012:lr-orders-dlq']);
      assert.deepEqual(find(worker, 'ssm:GetParameter')[0].Resource, {
        'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/lr-orders/*',
      });

      const report = statements(template, 'ReportIamRoleLeastrole');
      assert.deepEqual(find(report, 'dynamodb:GetRecords')[0].Resource, [
        { 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] },
      ]);
      assert.deepEqual(find(report, 'dynamodb:GetItem')[0].Resource, [
        { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}' },
      ]);

      for (const [name, id, list] of [
        ['createOrder', 'CreateOrder', create],
        ['worker', 'Worker', worker],
        ['report', 'Report', report],
      ]) {
        // Framework permissions kept, narrowed to the function's own log group.
        assert.deepEqual(find(list, 'logs:CreateLogStream')[0].Resource, [logsArn(name, false)], name);
        assert.deepEqual(find(list, 'logs:PutLogEvents')[0].Resource, [logsArn(name, true)], name);
        assert.equal(find(list, 'xray:PutTraceSegments').length, 1, name);
        // The user's provider statement is not copied (inheritStatements defaults to false),
        // and no function's code calls DescribeTable.
        assert.equal(find(list, 'dynamodb:DescribeTable').length, 0, name);
        const role = resources[`${id}IamRoleLeastrole`];
        assert.ok(role.Properties.RoleName.length <= 64);
        assert.equal(role.Properties.RoleName, `lr-orders-dev-${name}-eu-west-1`);
        const fn = resources[`${id}LambdaFunction`];
        assert.deepEqual(fn.Properties.Role, { 'Fn::GetAtt': [`${id}IamRoleLeastrole`, 'Arn'] });
        assert.ok(fn.DependsOn.includes(`${id}IamRoleLeastrole`) && !fn.DependsOn.includes('IamRoleLambdaExecution'));
      }
      assert.deepEqual(resources.WorkerEventSourceMappingSQSJobsQueue.DependsOn, ['WorkerIamRoleLeastrole']);
      assert.deepEqual(resources.ReportEventSourceMappingDynamodbOrdersTable.DependsOn, ['ReportIamRoleLeastrole']);
      assert.match(output, /least-privilege roles for 3 function\(s\); the shared role is gone/);
    }
  );
}

// The fixture with the shared role users write and generate mode exists to fix: s3:*,
// dynamodb:* and sns:* on *. A copy next to the fixture, so the plugin resolves from
// this package's node_modules.
const WIDE = `      statements:
        - Effect: Allow
          Action: ['s3:*', 'dynamodb:*', 'sns:*']
          Resource: '*'
`;
function wideFixture() {
  const dir = fs.mkdtempSync(path.join(path.dirname(FIXTURE), '.wide-'));
  fs.cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes('.serverless') });
  const file = path.join(dir, 'serverless.yml');
  const text = fs.readFileSync(file, 'utf8');
  const declared = [
    '      statements:',
    '        - Effect: Allow',
    '          Action: dynamodb:DescribeTable',
    '          Resource: !GetAtt OrdersTable.Arn',
    '',
  ].join('\n');
  assert.ok(text.includes(declared), 'the fixture declares the statement this test replaces');
  fs.writeFileSync(file, text.replace(declared, WIDE));
  return dir;
}

for (const name of Object.keys(FRAMEWORKS)) {
  test(
    `${name}: a shared role granting s3:*, dynamodb:* and sns:* on * gives per-function roles without them`,
    { skip: Boolean(missing) },
    () => {
      linkPlugin();
      const dir = wideFixture();
      try {
        const { status, output, template } = sls(name, [], dir);
        assert.equal(status, 0, output);
        const resources = template.Resources;
        assert.equal(resources.IamRoleLambdaExecution, undefined, 'the shared role is gone');
        for (const id of ['CreateOrder', 'Worker', 'Report']) {
          const text = JSON.stringify(statements(template, `${id}IamRoleLeastrole`));
          for (const wide of ['s3:*', 'dynamodb:*', 'sns:*'])
            assert.ok(!text.includes(wide), `${id}: ${wide} in ${text}`);
        }
        // What the code needs of the wide statement is granted exactly instead, and said.
        const create = statements(template, 'CreateOrderIamRoleLeastrole');
        assert.deepEqual(find(create, 'dynamodb:PutItem')[0].Resource, [
          { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}' },
        ]);
        assert.match(
          output,
          /provider\.iam\.role\.statements\[0\] \(s3:\*, dynamodb:\*, sns:\* on \*\) is not copied into the per-function roles; what the code needs of it is in the generated roles: createOrder \(dynamodb:PutItem, sns:Publish\)/
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  );
}

// The plugin validates custom.leastrole.failOn itself (a clear error at config time):
// its list must be the binary's, which clap prints on an invalid value.
test('failOn accepts exactly the levels of leastrole check --fail-on', { skip: Boolean(missing) }, () => {
  const run = spawnSync(process.env.LEASTROLE_BINARY, ['check', '--fail-on', 'not-a-level'], { encoding: 'utf8' });
  assert.equal(run.status, 2, run.stderr);
  const m = /\[possible values: ([^\]]+)\]/.exec(run.stderr);
  assert.ok(m, run.stderr);
  assert.deepEqual(m[1].split(', '), FAIL_ON);
});

for (const name of Object.keys(FRAMEWORKS)) {
  test(
    `${name}: check mode fails the package when the declared role misses what the code needs`,
    { skip: Boolean(missing) },
    () => {
      linkPlugin();
      const { status, output } = sls(name, ['--param=leastroleMode=check']);
      assert.notEqual(status, 0, output);
      assert.match(output, /leastrole check failed/);
      // provider.iam.role.statements grants only dynamodb:DescribeTable.
      assert.match(output, /leastrole check failed \(failOn: missing\)/);
      assert.match(
        output,
        /createOrder \(provider\.iam\.role[^\n]*\):\n( {2}.*\n)* {2}missing dynamodb:PutItem on arn:\*:dynamodb:\*:\*:table\/lr-orders-dev-orders \([^)]*src\/create\.js:9\) \[fails\]/
      );
      assert.match(output, / {2}missing sns:Publish on \* \([^)]*src\/create\.js:10\) \[fails\]/);
      assert.match(output, /worker \(provider\.iam\.role[^\n]*\):\n( {2}.*\n)* {2}missing s3:PutObject/);
    }
  );
}

test(
  'serverless@3: the leastrole command prints the generated policies without packaging',
  { skip: Boolean(missing) },
  () => {
    linkPlugin();
    const run = framework('serverless@3', ['leastrole', '--function', 'worker', '--format', 'json']);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      report.functions.map((f) => f.name),
      ['worker']
    );
    assert.deepEqual(report.functions[0].files, ['src/worker.js']);
    assert.ok(report.functions[0].grants.some((g) => g.action === 's3:PutObject'));
  }
);
