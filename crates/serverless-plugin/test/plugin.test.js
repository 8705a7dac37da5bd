'use strict';

// Unit tests: the plugin against a fake `serverless` object and a fake leastrole binary
// (test/helpers/fake-leastrole.js through LEASTROLE_BINARY).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');

const Plugin = require('..');
const { fakeServerless, fakeUtils } = require('./helpers/fake-serverless');
const { findBinary, compatible, packagedBinary, parseVersion } = require('../lib/binary');
const { buildManifest, snapshotArtifacts } = require('../lib/manifest');
const { actionMatches, roleName, refersTo } = require('../lib/roles');
const { canon, valuesIn } = require('../lib/values');
const { describe: describeCheck } = require('../lib/check');

const FAKE = path.join(__dirname, 'helpers', 'fake-leastrole.js');

// Temporary folders made by the tests, removed when the file's tests end.
const scratch = [];
function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}
test.after(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

// Point LEASTROLE_BINARY at the fake with these answers; returns the recorded calls.
function fakeBinary(answers, version) {
  const dir = tempDir('leastrole-fake-');
  const answersFile = path.join(dir, 'answers.json');
  const record = path.join(dir, 'calls.jsonl');
  fs.writeFileSync(answersFile, JSON.stringify(answers));
  process.env.LEASTROLE_BINARY = FAKE;
  process.env.FAKE_LEASTROLE_ANSWERS = answersFile;
  process.env.FAKE_LEASTROLE_RECORD = record;
  if (version) process.env.FAKE_LEASTROLE_VERSION = version;
  else delete process.env.FAKE_LEASTROLE_VERSION;
  return () =>
    fs.existsSync(record)
      ? fs
          .readFileSync(record, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
}

const GENERATED = {
  version: 1,
  kind: 'statements',
  functions: [
    {
      name: 'api',
      analysed: true,
      files: ['src/api.js'],
      statements: [],
      diagnostics: [
        { level: 'info', code: 'no-sdk-calls', message: 'api: no AWS SDK calls found', file: null, line: null },
      ],
    },
    {
      name: 'worker',
      analysed: true,
      files: ['src/worker.js'],
      statements: [
        {
          Sid: 'S3WriteReceiptsBucket',
          Effect: 'Allow',
          Action: ['s3:PutObject'],
          Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${ReceiptsBucket}/receipts/*' }],
        },
      ],
      diagnostics: [
        {
          level: 'warning',
          code: 'unresolved-resource',
          message: 'Key comes from the event',
          file: 'src/worker.js',
          line: 7,
          column: 5,
        },
      ],
    },
  ],
  diagnostics: [],
};

function plugin(overrides = {}, options = {}) {
  const fake = fakeServerless(overrides);
  const { utils, lines } = fakeUtils();
  const p = new Plugin(fake.serverless, options, overrides.noUtils ? undefined : utils);
  return { p, lines, ...fake };
}

function statementsOf(role) {
  return role.Properties.Policies[0].PolicyDocument.Statement;
}

test('the config schema is declared, and its absence is tolerated', () => {
  const { schemas } = plugin();
  assert.equal(schemas.length, 1);
  const props = schemas[0].properties.leastrole.properties;
  assert.deepEqual(props.mode.enum, ['generate', 'check', 'off']);
  assert.equal(schemas[0].properties.leastrole.additionalProperties, false);
  assert.doesNotThrow(() => plugin({ noSchemaHandler: true }));
});

test('hooks and the leastrole command are registered', () => {
  const { p } = plugin();
  assert.deepEqual(Object.keys(p.hooks).sort(), [
    'before:package:createDeploymentArtifacts',
    'before:package:finalize',
    'leastrole:run',
  ]);
  assert.deepEqual(p.commands.leastrole.lifecycleEvents, ['run']);
  assert.equal(p.commands.leastrole.options.function.type, 'multiple');
});

test('bad custom.leastrole values are framework errors naming the key', async () => {
  const cases = [
    [{ mode: 'write' }, /custom\.leastrole\.mode must be one of generate, check, off, not "write"/],
    [
      { exclude: ['nope'] },
      /custom\.leastrole\.exclude names "nope", which is not a function of this service \(functions: api, worker\)/,
    ],
    [{ statements: { api: {} } }, /custom\.leastrole\.statements\.api must be a list/],
    [{ functions: 'api' }, /custom\.leastrole\.functions must be a list/],
    [{ inheritStatements: 'yes' }, /inheritStatements must be true or false/],
  ];
  for (const [leastrole, message] of cases) {
    const { p, ServerlessError } = plugin({ custom: { leastrole } });
    await assert.rejects(p.onPackage(), (e) => e instanceof ServerlessError && message.test(e.message));
  }
});

test('mode off does nothing and runs no binary', async () => {
  const calls = fakeBinary({});
  const { p, serverless } = plugin({ custom: { leastrole: { mode: 'off' } } });
  const before = JSON.stringify(serverless.service.provider.compiledCloudFormationTemplate);
  await p.onPackage();
  assert.equal(JSON.stringify(serverless.service.provider.compiledCloudFormationTemplate), before);
  assert.deepEqual(calls(), []);
});

test('binary discovery: custom.leastrole.binary, then LEASTROLE_BINARY, then the leastrole npm package, then PATH; else an error naming each', () => {
  const { serverless, ServerlessError } = fakeServerless();
  const dir = tempDir('leastrole-path-');
  const onPath = path.join(dir, 'leastrole');
  fs.writeFileSync(onPath, '#!/bin/sh\n', { mode: 0o755 });
  const pkgDir = tempDir('leastrole-pkg-');
  const inPackage = path.join(pkgDir, 'leastrole');
  fs.writeFileSync(inPackage, '#!/bin/sh\n', { mode: 0o755 });
  const packaged = () => ({ binary: inPackage });
  const none = () => ({ why: 'no binary for this platform (sunos-sparc)' });
  assert.equal(findBinary(serverless, { binary: FAKE }, { LEASTROLE_BINARY: onPath, PATH: dir }, packaged), FAKE);
  assert.equal(findBinary(serverless, {}, { LEASTROLE_BINARY: FAKE, PATH: dir }, packaged), FAKE);
  assert.equal(findBinary(serverless, {}, { PATH: dir }, packaged), inPackage);
  assert.equal(findBinary(serverless, {}, { PATH: dir }, none), onPath);
  assert.throws(
    () => findBinary(serverless, {}, { PATH: os.tmpdir() + path.sep + 'none' }, none),
    (e) =>
      e instanceof ServerlessError &&
      /\(no binary for this platform \(sunos-sparc\)\)/.test(e.message) &&
      /custom\.leastrole\.binary/.test(e.message) &&
      /LEASTROLE_BINARY/.test(e.message) &&
      /leastrole npm package/.test(e.message) &&
      /`leastrole` on PATH/.test(e.message)
  );
  assert.throws(
    () => findBinary(serverless, { binary: 'bin/missing' }, { PATH: dir }, packaged),
    /custom\.leastrole\.binary: no file at .*bin\/missing/
  );
  assert.throws(
    () => findBinary(serverless, {}, { LEASTROLE_BINARY: '/nope/leastrole', PATH: dir }, packaged),
    /LEASTROLE_BINARY: no file at \/nope\/leastrole/
  );
});

test('the leastrole npm package: not installed in this checkout, so discovery says so and goes on to PATH', () => {
  assert.deepEqual(packagedBinary(), { why: 'the leastrole npm package is not installed' });
});

test('version compatibility: same major, and the same minor before 1.0', () => {
  assert.deepEqual(parseVersion('leastrole 0.1.3\n'), [0, 1, 3]);
  assert.equal(compatible([0, 1, 9], [0, 1, 0]), true);
  assert.equal(compatible([0, 2, 0], [0, 1, 0]), false);
  assert.equal(compatible([1, 4, 0], [1, 0, 0]), true);
  assert.equal(compatible([2, 0, 0], [1, 0, 0]), false);
});

test('an incompatible binary is refused before it is given the manifest', async () => {
  const calls = fakeBinary({ generate: { stdout: JSON.stringify(GENERATED) } }, '0.9.0');
  const { p } = plugin({ custom: { leastrole: { mode: 'generate' } } });
  await assert.rejects(p.onPackage(), /is leastrole 0\.9\.0, but serverless-leastrole 0\.1\.0 needs 0\.1\.x/);
  assert.deepEqual(calls(), []);
});

test('generate mode: a role per function with framework, declared, generated and extra statements', async () => {
  const calls = fakeBinary({ generate: { stdout: JSON.stringify(GENERATED) } });
  const extra = {
    Effect: 'Allow',
    Action: 'ssm:GetParameter',
    Resource: 'arn:aws:ssm:eu-west-1:123456789012:parameter/x',
  };
  const { p, serverless, lines } = plugin({
    custom: { leastrole: { mode: 'generate', inheritStatements: true, statements: { worker: [extra] } } },
  });
  await p.onPackage();

  const [call] = calls();
  assert.deepEqual(call.args, ['generate', '--manifest', '-', '--format', 'statements']);
  const manifest = JSON.parse(call.stdin);
  assert.equal(manifest.version, 1);
  assert.equal(manifest.service.functions.worker.handler, 'src/worker.handler');

  const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
  assert.equal(resources.IamRoleLambdaExecution, undefined, 'no function uses the shared role any more');

  const worker = resources.WorkerIamRoleLeastrole;
  assert.equal(worker.Type, 'AWS::IAM::Role');
  assert.equal(worker.Properties.RoleName, 'svc-dev-worker-eu-west-1');
  assert.equal(worker.Properties.Path, '/');
  assert.deepEqual(worker.Properties.AssumeRolePolicyDocument.Statement[0].Principal, {
    Service: ['lambda.amazonaws.com'],
  });
  assert.deepEqual(statementsOf(worker), [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
      Resource: [
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/svc-dev-worker:*',
        },
      ],
    },
    {
      Effect: 'Allow',
      Action: ['logs:PutLogEvents'],
      Resource: [
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/svc-dev-worker:*:*',
        },
      ],
    },
    { Effect: 'Allow', Action: ['sns:Publish'], Resource: ['arn:aws:sns:eu-west-1:123456789012:dlq'] },
    {
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }],
    },
    { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
    { Effect: 'Allow', Action: ['dynamodb:DescribeTable'], Resource: { 'Fn::GetAtt': ['OrdersTable', 'Arn'] } },
    GENERATED.functions[1].statements[0],
    extra,
  ]);

  // The API function gets neither the worker's queue nor its DLQ.
  const api = statementsOf(resources.ApiIamRoleLeastrole);
  const apiText = JSON.stringify(api);
  assert.ok(!apiText.includes('JobsQueue') && !apiText.includes('dlq'), apiText);
  assert.ok(apiText.includes('/aws/lambda/svc-dev-api:*'));
  assert.ok(apiText.includes('dynamodb:DescribeTable'), 'provider statements are inherited');

  assert.deepEqual(resources.WorkerLambdaFunction.Properties.Role, { 'Fn::GetAtt': ['WorkerIamRoleLeastrole', 'Arn'] });
  assert.deepEqual(resources.WorkerLambdaFunction.DependsOn, ['WorkerLogGroup', 'WorkerIamRoleLeastrole']);
  assert.deepEqual(resources.WorkerEventSourceMappingSQSJobsQueue.DependsOn, ['WorkerIamRoleLeastrole']);
  assert.deepEqual(resources.ApiLambdaFunction.Properties.Role, { 'Fn::GetAtt': ['ApiIamRoleLeastrole', 'Arn'] });

  assert.ok(
    lines.warning.some((l) => l === 'leastrole: worker: Key comes from the event (src/worker.js:7)'),
    lines.warning.join('\n')
  );
  assert.ok(lines.info.some((l) => l.includes('api: no AWS SDK calls found')));
  assert.ok(lines.notice.some((l) => l.includes('least-privilege roles for 2 function(s); the shared role is gone')));
});

test('generate mode by default leaves provider statements out, and says whether the code needs each', async () => {
  fakeBinary({ generate: { stdout: JSON.stringify(GENERATED) } });
  const wide = [
    { Effect: 'Allow', Action: ['s3:*', 'dynamodb:*'], Resource: '*' },
    { Effect: 'Allow', Action: 'ses:SendEmail', Resource: '*' },
    { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
  ];
  const { p, serverless, lines } = plugin({
    custom: { leastrole: { mode: 'generate' } },
    userStatements: wide,
  });
  await p.onPackage();
  const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
  for (const role of ['ApiIamRoleLeastrole', 'WorkerIamRoleLeastrole']) {
    const text = JSON.stringify(statementsOf(resources[role]));
    assert.ok(!text.includes('s3:*') && !text.includes('dynamodb:*') && !text.includes('ses:SendEmail'), text);
    // A Deny only narrows: it stays.
    assert.ok(text.includes('"Deny"') && text.includes('s3:DeleteBucket'), text);
  }
  assert.ok(
    JSON.stringify(statementsOf(resources.WorkerIamRoleLeastrole)).includes('s3:PutObject'),
    'the generated statement is there'
  );
  assert.ok(
    lines.notice.some(
      (l) =>
        l.includes('provider.iam.role.statements[0] (s3:*, dynamodb:* on *) is not copied') &&
        l.includes('worker (s3:PutObject)')
    ),
    lines.notice.join('\n')
  );
  assert.ok(
    lines.warning.some(
      (l) =>
        l.includes('provider.iam.role.statements[1] (ses:SendEmail on *) is not copied') &&
        l.includes("no function's code calls any of its actions")
    ),
    lines.warning.join('\n')
  );
  assert.ok(
    !lines.notice.concat(lines.warning).some((l) => l.includes('statements[2]')),
    'a Deny is kept, not reported'
  );
});

test('actionMatches: IAM wildcards, without regard to case', () => {
  assert.ok(actionMatches('s3:*', 's3:GetObject'));
  assert.ok(actionMatches('S3:get*', 's3:GetObject'));
  assert.ok(actionMatches('s3:GetObjec?', 's3:GetObject'));
  assert.ok(!actionMatches('s3:Get*', 's3:PutObject'));
  assert.ok(!actionMatches('s3:GetObject', 's3:GetObjectAcl'));
  assert.ok(!actionMatches('s3:Get.bject', 's3:GetObject'), 'a dot is not a regex wildcard');
  assert.ok(actionMatches('*', 'sns:Publish'));
});

test('generate mode: excluded and unanalysed functions keep the shared role, which stays', async () => {
  const generated = {
    ...GENERATED,
    functions: [{ name: 'worker', analysed: false, files: [], statements: [], diagnostics: [] }],
  };
  const calls = fakeBinary({ generate: { stdout: JSON.stringify(generated) } });
  const { p, serverless, lines } = plugin({ custom: { leastrole: { mode: 'generate', exclude: ['api'] } } });
  await p.onPackage();
  assert.deepEqual(calls()[0].args.slice(-2), ['--function', 'worker']);
  const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
  assert.ok(resources.IamRoleLambdaExecution);
  assert.equal(resources.WorkerIamRoleLeastrole, undefined);
  assert.deepEqual(resources.WorkerLambdaFunction.Properties.Role, { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] });
  assert.deepEqual(resources.WorkerEventSourceMappingSQSJobsQueue.DependsOn, ['IamRoleLambdaExecution']);
  assert.ok(lines.notice.some((l) => l.includes('worker keeps its role: leastrole could not analyse it')));
});

test('generate mode: the shared role stays while user resources refer to it', async () => {
  fakeBinary({ generate: { stdout: JSON.stringify(GENERATED) } });
  const { p, serverless } = plugin({
    custom: { leastrole: { mode: 'generate' } },
    userResources: { Outputs: { Role: { Value: { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] } } } },
  });
  await p.onPackage();
  assert.ok(serverless.service.provider.compiledCloudFormationTemplate.Resources.IamRoleLambdaExecution);
});

test('generate mode: the VPC policy only for functions in a VPC; inheritStatements: false leaves declared ones out', async () => {
  fakeBinary({ generate: { stdout: JSON.stringify(GENERATED) } });
  const vpc = {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
    ],
  };
  const { p, serverless, lines } = plugin({
    custom: { leastrole: { mode: 'generate', inheritStatements: false } },
    managed: [vpc],
    workerProperties: { VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] } },
  });
  await p.onPackage();
  const resources = serverless.service.provider.compiledCloudFormationTemplate.Resources;
  assert.deepEqual(resources.WorkerIamRoleLeastrole.Properties.ManagedPolicyArns, [vpc]);
  assert.equal(resources.ApiIamRoleLeastrole.Properties.ManagedPolicyArns, undefined);
  assert.ok(!JSON.stringify(statementsOf(resources.WorkerIamRoleLeastrole)).includes('DescribeTable'));
  assert.ok(
    lines.warning.some((l) =>
      l.includes('provider.iam.role.statements[0] (dynamodb:DescribeTable on 1 resource(s)) is not copied')
    ),
    lines.warning.join('\n')
  );
});

test('role names stay within 64 characters, deterministically', () => {
  const long = roleName([
    'a-very-long-service-name-for-orders',
    'production',
    'processIncomingOrderEvents',
    'ap-southeast-2',
  ]);
  assert.equal(long.length, 64);
  assert.equal(
    long,
    roleName(['a-very-long-service-name-for-orders', 'production', 'processIncomingOrderEvents', 'ap-southeast-2'])
  );
  assert.notEqual(
    long,
    roleName(['a-very-long-service-name-for-orders', 'production', 'processIncomingOrderEvents', 'ap-southeast-1'])
  );
  assert.match(long, /^a-very-long-service-name-for-orders-production-processI-[0-9a-f]{8}$/);
  assert.equal(roleName(['svc', 'dev', 'api', 'eu-west-1']), 'svc-dev-api-eu-west-1');
});

test('generate mode: a failing binary is a framework error with its message', async () => {
  fakeBinary({ generate: { stderr: 'leastrole: error: invalid manifest: no `service`\n', code: 2 } });
  const { p, ServerlessError } = plugin({ custom: { leastrole: { mode: 'generate' } } });
  await assert.rejects(
    p.onPackage(),
    (e) =>
      e instanceof ServerlessError &&
      /leastrole generate failed \(exit 2\): leastrole: error: invalid manifest: no `service`/.test(e.message)
  );
});

test('a binary killed by a signal is reported as that signal, not as an exit code', async () => {
  fakeBinary({ generate: { signal: 'SIGKILL' } });
  const { p, ServerlessError } = plugin({ custom: { leastrole: { mode: 'generate' } } });
  await assert.rejects(
    p.onPackage(),
    (e) => e instanceof ServerlessError && /leastrole generate failed \(killed by SIGKILL\)/.test(e.message)
  );
});

test('refersTo follows Ref, Fn::GetAtt (both forms), Fn::Sub and DependsOn, by whole logical id', () => {
  assert.ok(refersTo({ Ref: 'Jobs' }, 'Jobs'));
  assert.ok(refersTo({ 'Fn::GetAtt': ['Jobs', 'Arn'] }, 'Jobs'));
  assert.ok(refersTo({ 'Fn::GetAtt': 'Jobs.Arn' }, 'Jobs'));
  assert.ok(refersTo({ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${Jobs.QueueName}' }, 'Jobs'));
  assert.ok(refersTo({ 'Fn::Sub': ['${Q}/x', { Q: 'y' }] }, 'Q'));
  assert.ok(refersTo({ Type: 'AWS::Lambda::EventSourceMapping', DependsOn: ['Jobs'] }, 'Jobs'));
  assert.ok(!refersTo({ Ref: 'JobsDlq' }, 'Jobs'), 'a longer id is another resource');
  assert.ok(!refersTo({ 'Fn::Sub': '${!Jobs}' }, 'Jobs'), '${!X} is a literal');
  assert.ok(!refersTo({ Description: 'reads Jobs' }, 'Jobs'), 'prose is not a reference');
});

test('valuesIn compares whole values: a key, or part of a longer string, is not an appearance', () => {
  const values = valuesIn({ events: [{ sqs: { arn: 'arn:aws:sqs:eu-west-1:123456789012:jobs-dlq' } }] });
  assert.ok(values.has(canon('arn:aws:sqs:eu-west-1:123456789012:jobs-dlq')));
  assert.ok(values.has(canon({ arn: 'arn:aws:sqs:eu-west-1:123456789012:jobs-dlq' })));
  assert.ok(!values.has(canon('arn')), 'a key');
  assert.ok(!values.has(canon('arn:aws:sqs:eu-west-1:123456789012:jobs')), 'a prefix of a value');
});

// The shape of `leastrole check --format json` (docs/output-schema.md).
const CHECK = {
  version: 1,
  kind: 'check',
  summary: {
    functions: 2,
    findings: { missing: 1, unused: 1, framework: 1 },
    fail_on: 'any',
    gating_findings: 2,
    failed: true,
  },
  functions: [
    { name: 'api', status: 'checked', role: 'provider.iam.role (shared by all functions)', unchanged: 0, findings: [] },
    {
      name: 'worker',
      status: 'checked',
      role: 'provider.iam.role (shared by all functions)',
      unchanged: 0,
      findings: [
        {
          kind: 'missing',
          gating: true,
          action: 's3:PutObject',
          resource: 'arn:*:s3:::receipts/*',
          locations: [{ file: 'src/worker.js', line: 7, column: 5, text: 's3.send(...)' }],
        },
        {
          kind: 'unused',
          gating: true,
          action: 'dynamodb:DescribeTable',
          resource: '${OrdersTable.Arn}',
          locations: [{ file: 'serverless.yml', line: 30, column: 1, text: 'provider.iam.role.statements[0]' }],
        },
        {
          kind: 'framework',
          gating: false,
          action: 'logs:CreateLogGroup',
          resource: '${WorkerLogGroup.Arn}',
          locations: [],
        },
      ],
    },
  ],
  diagnostics: [],
};

test('check mode (the default): findings are logged and exit 1 fails the package', async () => {
  const calls = fakeBinary({ check: { stdout: JSON.stringify(CHECK), code: 1 } });
  const { p, lines, ServerlessError } = plugin({ custom: { leastrole: { failOn: 'any' } } });
  await assert.rejects(
    p.onPackage(),
    (e) =>
      e instanceof ServerlessError &&
      /leastrole check failed \(failOn: any\): 2 finding\(s\) to fail on/.test(e.message)
  );
  assert.deepEqual(calls()[0].args, ['check', '--manifest', '-', '--format', 'json', '--fail-on', 'any']);
  const [warning] = lines.warning;
  assert.match(warning, /^leastrole check: 1 missing, 0 unverified, 0 broad, 1 unused\n/);
  assert.match(
    warning,
    /worker \(provider\.iam\.role \(shared by all functions\)\):\n {2}missing s3:PutObject on arn:\*:s3:::receipts\/\* \(src\/worker\.js:7\) \[fails\]/
  );
  assert.match(
    warning,
    / {2}unused {2}dynamodb:DescribeTable on \$\{OrdersTable\.Arn\} \(serverless\.yml:30\) \[fails\]/
  );
  assert.ok(!warning.includes('api'), 'functions without findings are not listed');
  assert.ok(!warning.includes('logs:CreateLogGroup'), 'framework rows are not listed');
});

test('check mode: exit 0 passes, exit 2 is an error', async () => {
  fakeBinary({ check: { stdout: JSON.stringify({ ...CHECK, functions: [] }), code: 0 } });
  const ok = plugin();
  await ok.p.onPackage();
  assert.ok(ok.lines.notice.some((l) => l.includes('the declared roles match the code')));

  fakeBinary({ check: { stderr: 'leastrole: error: invalid manifest: no `service`\n', code: 2 } });
  const bad = plugin({ custom: { leastrole: { failOn: 'write' } } });
  await assert.rejects(bad.p.onPackage(), /leastrole check failed \(exit 2\): leastrole: error: invalid manifest/);

  const wrong = plugin({ custom: { leastrole: { failOn: 'sometimes' } } });
  await assert.rejects(
    wrong.p.onPackage(),
    /failOn must be one of never, missing, unverified, broadening, write, permissions-management, any/
  );
});

test('check findings are described per function; not-checkable functions say why', () => {
  const { lines, counts, gating } = describeCheck(CHECK);
  assert.deepEqual(counts, { missing: 1, unverified: 0, broad: 0, unused: 1 });
  assert.equal(gating, 2);
  assert.equal(lines.length, 3);
  // What the role may lack is shown too.
  const maybe = describeCheck({
    kind: 'check',
    functions: [
      {
        name: 'worker',
        status: 'checked',
        findings: [
          { kind: 'unverified', action: 's3:GetObject', resource: 'arn:*:s3:::*/*', gating: false, locations: [] },
        ],
      },
    ],
  });
  assert.deepEqual(maybe.counts, { missing: 0, unverified: 1, broad: 0, unused: 0 });
  assert.deepEqual(maybe.lines, ['worker:', '  unverified s3:GetObject on arn:*:s3:::*/*']);
  const other = describeCheck({
    kind: 'check',
    functions: [{ name: 'legacy', status: 'not-checkable', reason: 'provider.iam.role names an existing role' }],
  });
  assert.deepEqual(other.lines, ['legacy: not-checkable (provider.iam.role names an existing role)']);
});

test('the leastrole command prints through writeText', async () => {
  const calls = fakeBinary({ generate: { stdout: 'worker\n  s3:PutObject\n', stderr: 'warning: something\n' } });
  const { p, lines } = plugin({}, { function: ['worker'], format: 'text' });
  await p.command();
  assert.deepEqual(calls()[0].args, ['generate', '--manifest', '-', '--format', 'text', '--function', 'worker']);
  assert.deepEqual(lines.text, ['worker\n  s3:PutObject']);
  assert.deepEqual(lines.warning, ['warning: something']);
});

test('the leastrole command: --check fails on findings after printing them; --manifest prints the manifest', async () => {
  fakeBinary({ check: { stdout: 'worker: 1 missing\n', code: 1 } });
  const checked = plugin({}, { check: true });
  await assert.rejects(checked.p.command(), /findings to fail on/);
  assert.deepEqual(checked.lines.text, ['worker: 1 missing']);

  const calls = fakeBinary({});
  const printed = plugin({}, { manifest: true });
  await printed.p.command();
  assert.equal(JSON.parse(printed.lines.text[0]).framework, 'serverless');
  assert.deepEqual(calls(), []);
});

test('without the framework writers, messages go to serverless.cli.log', async () => {
  fakeBinary({ check: { stdout: JSON.stringify({ ...CHECK, functions: [] }), code: 0 } });
  const { p, logs } = plugin({ noUtils: true });
  await p.onPackage();
  assert.deepEqual(logs, ['leastrole check: the declared roles match the code']);
});

test('the manifest: resolved service and compiled template, no framework internals or cycles', () => {
  const { serverless } = fakeServerless({ package: { artifact: 'dist/prebuilt.zip' } });
  const artifacts = snapshotArtifacts(serverless);
  serverless.service.package.artifact = '.serverless/svc.zip';
  const m = buildManifest(serverless, { artifacts });
  assert.equal(m.version, 1);
  assert.equal(m.framework, 'serverless');
  assert.equal(m.configurationFilename, 'serverless.yml');
  assert.ok(path.isAbsolute(m.serviceDir));
  assert.equal(m.service.provider.compiledCloudFormationTemplate, undefined);
  assert.equal(m.service.serverless, undefined);
  assert.ok(m.compiledTemplate.Resources.IamRoleLambdaExecution);
  assert.equal(m.service.package.artifact, 'dist/prebuilt.zip', 'the user artifact, not the one packaging wrote');
  assert.doesNotThrow(() => JSON.stringify(m));
});

test('the manifest: layers keep their folder, not the zip packaging wrote', () => {
  const { serverless } = fakeServerless({
    layers: { shared: { path: 'layers/shared' }, vendored: { package: { artifact: 'dist/vendored.zip' } } },
  });
  const artifacts = snapshotArtifacts(serverless);
  serverless.service.layers.shared.package = { artifact: '.serverless/shared.zip' };
  serverless.service.layers.vendored.package.artifact = '.serverless/vendored.zip';
  const m = buildManifest(serverless, { artifacts });
  assert.deepEqual(m.service.layers, {
    shared: { path: 'layers/shared', package: {} },
    vendored: { package: { artifact: 'dist/vendored.zip' } },
  });
});

test('canon ignores key order', () => {
  assert.equal(canon({ b: 1, a: [{ d: 1, c: 2 }] }), canon({ a: [{ c: 2, d: 1 }], b: 1 }));
});
