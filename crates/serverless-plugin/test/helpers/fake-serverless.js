'use strict';

// A fake `serverless` object shaped like the v3 one at `before:package:finalize`: the
// service, its functions, and a compiled template with the shared role as the framework
// leaves it (logs, SQS consumer, DLQ, X-Ray, the user's provider statements).

const path = require('path');

class ServerlessError extends Error {}

function sharedRole({ userStatements = [], managed } = {}) {
  const role = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [
        {
          PolicyName: { 'Fn::Join': ['-', ['svc', 'dev', 'lambda']] },
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
                Resource: [
                  {
                    'Fn::Sub':
                      'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/svc-dev*:*',
                  },
                ],
              },
              {
                Effect: 'Allow',
                Action: ['logs:PutLogEvents'],
                Resource: [
                  {
                    'Fn::Sub':
                      'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/svc-dev*:*:*',
                  },
                ],
              },
              ...userStatements,
              { Effect: 'Allow', Action: ['sns:Publish'], Resource: ['arn:aws:sns:eu-west-1:123456789012:dlq'] },
              {
                Effect: 'Allow',
                Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
                Resource: [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }],
              },
              { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: ['*'] },
            ],
          },
        },
      ],
      Path: '/',
      RoleName: { 'Fn::Join': ['-', ['svc', 'dev', { Ref: 'AWS::Region' }, 'lambdaRole']] },
    },
  };
  if (managed) role.Properties.ManagedPolicyArns = managed;
  return role;
}

function functionResource(name, extra = {}) {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: `svc-dev-${name}`,
      Handler: 'src/app.handler',
      Role: { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] },
      ...extra,
    },
    DependsOn: [`${name.charAt(0).toUpperCase()}${name.slice(1)}LogGroup`, 'IamRoleLambdaExecution'],
  };
}

function logGroup(name) {
  return { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: `/aws/lambda/svc-dev-${name}` } };
}

// Functions `api` (no events) and `worker` (SQS event, DLQ) by default.
function fakeServerless(overrides = {}) {
  const userStatements = overrides.userStatements || [
    { Effect: 'Allow', Action: ['dynamodb:DescribeTable'], Resource: { 'Fn::GetAtt': ['OrdersTable', 'Arn'] } },
  ];
  const functions = overrides.functions || {
    api: { handler: 'src/api.handler', name: 'svc-dev-api', events: [{ httpApi: 'GET /' }] },
    worker: {
      handler: 'src/worker.handler',
      name: 'svc-dev-worker',
      onError: 'arn:aws:sns:eu-west-1:123456789012:dlq',
      environment: { BUCKET: { Ref: 'ReceiptsBucket' } },
      events: [{ sqs: { arn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] } } }],
    },
  };
  const resources = {
    ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket' },
    IamRoleLambdaExecution: sharedRole({ userStatements, managed: overrides.managed }),
    ApiLogGroup: logGroup('api'),
    WorkerLogGroup: logGroup('worker'),
    ApiLambdaFunction: functionResource('api'),
    WorkerLambdaFunction: functionResource('worker', overrides.workerProperties || {}),
    WorkerEventSourceMappingSQSJobsQueue: {
      Type: 'AWS::Lambda::EventSourceMapping',
      DependsOn: ['IamRoleLambdaExecution'],
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
      },
    },
    ...(overrides.extraResources || {}),
  };
  const logs = [];
  const schemas = [];
  const serverless = {
    version: '3.40.0',
    serviceDir: overrides.serviceDir || path.join(__dirname, '..', 'fixtures', 'orders-v3'),
    configurationFilename: 'serverless.yml',
    classes: { Error: ServerlessError },
    cli: { log: (m) => logs.push(m) },
    service: {
      service: overrides.service || 'svc',
      provider: {
        name: 'aws',
        stage: 'dev',
        region: 'eu-west-1',
        tracing: { lambda: true },
        iam: { role: { statements: userStatements } },
        ...(overrides.provider || {}),
        compiledCloudFormationTemplate: { AWSTemplateFormatVersion: '2010-09-09', Resources: resources, Outputs: {} },
      },
      custom: overrides.custom || {},
      layers: overrides.layers || {},
      resources: overrides.userResources || {},
      package: overrides.package || {},
      getAllFunctions() {
        return Object.keys(functions);
      },
      getFunction(name) {
        return functions[name];
      },
    },
  };
  if (!overrides.noSchemaHandler) {
    serverless.configSchemaHandler = { defineCustomProperties: (s) => schemas.push(s) };
  }
  // The framework's objects point back at `serverless`; the manifest must survive it.
  serverless.service.serverless = serverless;
  return { serverless, logs, schemas, ServerlessError };
}

// Writers shaped like the framework's third constructor argument, recording everything.
function fakeUtils() {
  const lines = { error: [], warning: [], notice: [], info: [], debug: [], success: [], text: [] };
  const log = {};
  for (const level of ['error', 'warning', 'notice', 'info', 'debug', 'success']) {
    log[level] = (m) => lines[level].push(m);
  }
  return { utils: { log, writeText: (t) => lines.text.push(t), progress: {} }, lines };
}

module.exports = { fakeServerless, fakeUtils, ServerlessError };
