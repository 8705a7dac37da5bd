'use strict';

// generate mode: a role per function in the compiled CloudFormation template, as
// serverless-iam-roles-per-function and Serverless v4 `iam.role.mode: perFunction` do.
//
// Each role holds, in this order:
//  1. what the framework put on the shared role for this function: the logs permissions
//     (narrowed to the function's own log group), its stream/SQS/DLQ/destination/EFS…
//     statements (those whose resources appear in the function's own config or in the
//     resources compiled for it, such as its event source mappings), X-Ray when the
//     function is traced; framework statements that belong to no function in particular
//     are kept whole;
//  2. the user's declared statements: provider.iam.role.statements (legacy
//     provider.iamRoleStatements) only when custom.leastrole.inheritStatements is true
//     (their Deny statements always: they only narrow), and the function's own
//     iam.role.statements / iamRoleStatements. Each provider statement left out is
//     reported with whether any generated role grants what it would have;
//  3. the statements leastrole generated from the code, with template references kept;
//  4. custom.leastrole.statements.<function>.
// Managed policies: the VPC one only for functions in a VPC, the user's when inherited.
// The function's Role and DependsOn, and the DependsOn of resources compiled for it (event
// source mappings), move to the new role; the shared role goes when nothing uses it.

const crypto = require('crypto');

const { canon, clone, list, valuesIn } = require('./values');

const SHARED = 'IamRoleLambdaExecution';
const MAX_ROLE_NAME = 64;
const INLINE_LIMIT = 10240;
const VPC_POLICY = 'AWSLambdaVPCAccessExecutionRole';

// Whether the JSON text names the logical id anywhere, as a whole word. Deliberately
// loose: it only decides whether the shared role may be deleted, where a false "yes"
// keeps a role and a false "no" would break a deployment.
function mentions(value, id) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return false;
  return new RegExp(`(^|[^A-Za-z0-9])${id}([^A-Za-z0-9]|$)`).test(text);
}

// The framework's logical-id naming (lib/plugins/aws/lib/naming.js).
function normalizedFunctionName(name) {
  const n = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n.charAt(0).toUpperCase() + n.slice(1);
}

function lambdaLogicalId(name) {
  return `${normalizedFunctionName(name)}LambdaFunction`;
}

function roleLogicalId(name) {
  return `${normalizedFunctionName(name)}IamRoleLeastrole`;
}

// At most 64 characters; a longer name keeps its start and ends in a hash of the whole.
function roleName(parts) {
  const name = parts.filter(Boolean).join('-');
  if (name.length <= MAX_ROLE_NAME) return name;
  const hash = crypto.createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_ROLE_NAME - hash.length - 1)}-${hash}`;
}

function providerStatements(provider) {
  const role = provider.iam && typeof provider.iam.role === 'object' ? provider.iam.role : {};
  return list(role.statements || provider.iamRoleStatements);
}

function providerManagedPolicies(provider) {
  const role = provider.iam && typeof provider.iam.role === 'object' ? provider.iam.role : {};
  return list(role.managedPolicies || provider.iamManagedPolicies);
}

function functionStatements(fn) {
  const iam = fn.iam && fn.iam.role && typeof fn.iam.role === 'object' ? fn.iam.role.statements : undefined;
  return list(iam || fn.iamRoleStatements);
}

function isTraced(fn, provider) {
  const tracing = fn.tracing !== undefined ? fn.tracing : provider.tracing && provider.tracing.lambda;
  return Boolean(tracing) && tracing !== 'PassThrough';
}

function actionsOf(statement) {
  return list(statement.Action);
}

function allActions(statement, prefix) {
  const actions = actionsOf(statement);
  return actions.length > 0 && actions.every((a) => typeof a === 'string' && a.startsWith(prefix));
}

function logGroupArn(logGroupName, streams) {
  return {
    'Fn::Sub':
      'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}' +
      `:log-group:${logGroupName}${streams ? ':*:*' : ':*'}`,
  };
}

function endsWithStreams(resource) {
  const text = typeof resource === 'string' ? resource : resource && resource['Fn::Sub'];
  return typeof text === 'string' && text.endsWith(':*:*');
}

// Statements in order, without repeats, with Sids unique (IAM requires it).
function tidy(statements) {
  const seen = new Set();
  const sids = new Set();
  const out = [];
  for (const s of statements) {
    const key = canon(s);
    if (seen.has(key)) continue;
    seen.add(key);
    const copy = clone(s);
    if (typeof copy.Sid === 'string') {
      let sid = copy.Sid;
      for (let n = 2; sids.has(sid); n += 1) sid = `${copy.Sid}${n}`;
      copy.Sid = sid;
      sids.add(sid);
    }
    out.push(copy);
  }
  return out;
}

function replaceDependency(dependsOn, from, to) {
  const deps = list(dependsOn).filter((d) => d !== from);
  for (const t of list(to)) if (!deps.includes(t)) deps.push(t);
  return deps;
}

// Where the framework's statements come from for one function: the values of its config
// (without the environment, which names resources the code uses, not event sources) and
// of the resources compiled for it (those that refer to the function, such as its event
// source mappings), other than the function itself and roles.
function ownership(serverless, resources) {
  const service = serverless.service;
  const owned = new Map();
  for (const name of service.getAllFunctions()) {
    const fn = { ...service.getFunction(name) };
    delete fn.environment;
    const id = lambdaLogicalId(name);
    const values = valuesIn(fn);
    for (const [rid, r] of Object.entries(resources)) {
      if (rid === id || !r || r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::Lambda::Function') continue;
      if (refersTo(r, id)) valuesIn(r, values);
    }
    owned.set(name, values);
  }
  return owned;
}

// Whether a template value refers to the logical id: `Ref`, `Fn::GetAtt` (list or
// `Id.Attr` form), `${Id}`/`${Id.Attr}` in `Fn::Sub`, or `DependsOn`.
function refersTo(value, id) {
  if (Array.isArray(value)) return value.some((v) => refersTo(v, id));
  if (!value || typeof value !== 'object') return false;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'Ref' && v === id) return true;
    if (key === 'Fn::GetAtt') {
      const target = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
      if (target === id) return true;
    }
    if (key === 'Fn::Sub') {
      const text = Array.isArray(v) ? v[0] : v;
      if (typeof text === 'string' && subNames(text).includes(id)) return true;
    }
    if (key === 'DependsOn' && list(v).includes(id)) return true;
    if (refersTo(v, id)) return true;
  }
  return false;
}

// The logical ids a `Fn::Sub` string names: `${Id}` and `${Id.Attr}`, not `${!Literal}`.
function subNames(text) {
  return [...text.matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g)].map((m) => m[1]);
}

// The framework statements of the shared role as they apply to one function, or null when
// the statement is not this function's.
function frameworkStatementFor(statement, ctx) {
  const { fn, provider, owned, ownedByOthers, logGroupName } = ctx;
  if (allActions(statement, 'logs:')) {
    if (statement.Effect !== 'Allow' || fn.disableLogs || !logGroupName) return null;
    const streams = list(statement.Resource).length > 0 && list(statement.Resource).every(endsWithStreams);
    return { ...clone(statement), Resource: [logGroupArn(logGroupName, streams)] };
  }
  if (allActions(statement, 'xray:')) {
    return isTraced(fn, provider) ? clone(statement) : null;
  }
  const resourceList = list(statement.Resource);
  const mine = resourceList.filter((r) => r !== '*' && owned(r));
  if (mine.length) return { ...clone(statement), Resource: clone(mine) };
  if (resourceList.some((r) => r !== '*' && ownedByOthers(r))) return null;
  // Nothing says whose it is: keep it rather than break the function.
  return clone(statement);
}

// Rewrite the compiled template. `generated`: name → { statements, analysed }.
function compileRoles({ serverless, config, names, generated, log }) {
  const service = serverless.service;
  const provider = service.provider;
  const template = provider.compiledCloudFormationTemplate;
  const resources = template.Resources;
  const shared = resources[SHARED];
  const result = { roles: [], skipped: [], removedSharedRole: false };
  if (!shared) {
    log.warning(
      'leastrole: the template has no shared IamRoleLambdaExecution role (provider.iam.role or ' +
        'provider.role names an existing role, or every function sets role:); generate mode leaves roles ' +
        'alone. Use mode: check to compare them with the code.'
    );
    return result;
  }
  const policy = (shared.Properties.Policies || [])[0];
  const sharedStatements = list(policy && policy.PolicyDocument && policy.PolicyDocument.Statement);
  const declared = providerStatements(provider);
  const declaredKeys = new Set(declared.map(canon));
  const framework = sharedStatements.filter((s) => !declaredKeys.has(canon(s)));
  const declaredManaged = new Set(providerManagedPolicies(provider).map(canon));
  const owners = ownership(serverless, resources);
  const stage = provider.stage || 'dev';
  const region = provider.region || 'us-east-1';
  const moved = new Map();
  // Function → the statements leastrole generated for its new role.
  const grantedByCode = new Map();

  for (const name of names) {
    const fn = service.getFunction(name);
    const fnId = lambdaLogicalId(name);
    const fnResource = resources[fnId];
    if (!fnResource) {
      result.skipped.push({ name, reason: 'it has no compiled function resource' });
      continue;
    }
    if (!refersTo(fnResource.Properties && fnResource.Properties.Role, SHARED)) {
      result.skipped.push({ name, reason: 'it has its own role' });
      continue;
    }
    const gen = generated.get(name);
    if (!gen || !gen.analysed) {
      result.skipped.push({ name, reason: 'leastrole could not analyse it; it keeps the shared role' });
      continue;
    }
    const mine = owners.get(name) || new Set();
    const others = [...owners.entries()].filter(([n]) => n !== name).map(([, values]) => values);
    const logGroup = resources[`${normalizedFunctionName(name)}LogGroup`];
    const logGroupName =
      logGroup && logGroup.Properties && typeof logGroup.Properties.LogGroupName === 'string'
        ? logGroup.Properties.LogGroupName
        : fn.name && `/aws/lambda/${fn.name}`;
    const ctx = {
      fn,
      provider,
      logGroupName,
      owned: (r) => mine.has(canon(r)),
      ownedByOthers: (r) => others.some((values) => values.has(canon(r))),
    };
    const statements = tidy([
      ...framework.map((s) => frameworkStatementFor(s, ctx)).filter(Boolean),
      ...(config.inheritStatements ? declared : declared.filter(isDeny)),
      ...functionStatements(fn),
      ...gen.statements,
      ...list(config.statements[name]),
    ]);
    const inVpc = Boolean(fnResource.Properties.VpcConfig);
    const managed = list(shared.Properties.ManagedPolicyArns).filter((m) => {
      if (canon(m).includes(VPC_POLICY)) return inVpc;
      if (declaredManaged.has(canon(m))) return config.inheritStatements;
      return true;
    });
    const roleId = roleLogicalId(name);
    const properties = {
      AssumeRolePolicyDocument: clone(shared.Properties.AssumeRolePolicyDocument),
    };
    if (shared.Properties.Path !== undefined) properties.Path = clone(shared.Properties.Path);
    properties.RoleName = roleName([service.service, stage, name, region]);
    if (managed.length) properties.ManagedPolicyArns = clone(managed);
    if (shared.Properties.PermissionsBoundary !== undefined) {
      properties.PermissionsBoundary = clone(shared.Properties.PermissionsBoundary);
    }
    if (shared.Properties.Tags !== undefined) properties.Tags = clone(shared.Properties.Tags);
    if (statements.length) {
      properties.Policies = [
        { PolicyName: 'leastrole', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
      ];
    }
    resources[roleId] = { Type: 'AWS::IAM::Role', Properties: properties };
    fnResource.Properties.Role = { 'Fn::GetAtt': [roleId, 'Arn'] };
    fnResource.DependsOn = replaceDependency(fnResource.DependsOn, SHARED, roleId);
    moved.set(fnId, roleId);
    const size = JSON.stringify(statements).length;
    if (size > INLINE_LIMIT) {
      log.warning(
        `leastrole: the role of ${name} has about ${size} characters of inline policy; IAM allows ${INLINE_LIMIT} per role`
      );
    }
    result.roles.push({ name, role: roleId, roleName: properties.RoleName, statements: statements.length });
    grantedByCode.set(name, gen.statements);
  }
  if (!config.inheritStatements && result.roles.length) {
    reportDropped(log, declared, grantedByCode);
  }

  // Resources compiled for a function (event source mappings) wait for its role.
  for (const [rid, r] of Object.entries(resources)) {
    if (!r || r.Type === 'AWS::IAM::Role' || moved.has(rid) || !list(r.DependsOn).includes(SHARED)) continue;
    const functions = Object.keys(resources).filter(
      (id) => resources[id] && resources[id].Type === 'AWS::Lambda::Function' && refersTo(r, id)
    );
    if (functions.length && functions.every((id) => moved.has(id))) {
      r.DependsOn = replaceDependency(
        r.DependsOn,
        SHARED,
        functions.map((id) => moved.get(id))
      );
    }
  }

  const stillUsed =
    Object.entries(resources).some(([rid, r]) => rid !== SHARED && mentions(r, SHARED)) ||
    mentions(template.Outputs || {}, SHARED) ||
    mentions(service.resources || {}, SHARED);
  if (!stillUsed) {
    delete resources[SHARED];
    result.removedSharedRole = true;
  }
  return result;
}

function isDeny(statement) {
  return Boolean(statement) && statement.Effect === 'Deny';
}

// Whether an IAM action pattern (`s3:*`, `s3:Get*`, `s3:GetObject`) matches an action;
// IAM compares actions without regard to case.
function actionMatches(pattern, action) {
  if (typeof pattern !== 'string' || typeof action !== 'string') return false;
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(action.toLowerCase());
}

// The generated actions a declared statement would have granted: those its Action
// patterns match (or its NotAction patterns do not).
function actionsCovered(statement, actions) {
  if (statement.NotAction !== undefined) {
    const not = list(statement.NotAction);
    return actions.filter((a) => !not.some((p) => actionMatches(p, a)));
  }
  const patterns = list(statement.Action);
  return actions.filter((a) => patterns.some((p) => actionMatches(p, a)));
}

function describeStatement(statement) {
  const actions = list(statement.Action !== undefined ? statement.Action : statement.NotAction).map(String);
  const shown = actions.length > 3 ? [...actions.slice(0, 3), `${actions.length - 3} more`] : actions;
  const resources = list(statement.Resource !== undefined ? statement.Resource : statement.NotResource);
  const where = resources.length === 1 && resources[0] === '*' ? 'on *' : `on ${resources.length} resource(s)`;
  return `${statement.NotAction !== undefined ? 'NotAction ' : ''}${shown.join(', ')} ${where}`;
}

// Say, for each provider statement left out of the per-function roles, whether the code
// of any function needs what it granted. A statement no code needs is only missing from
// a role if the analysis could not see a call (a dynamic client, a library): say so.
function reportDropped(log, declared, grantedByCode) {
  declared.forEach((statement, i) => {
    if (!statement || typeof statement !== 'object' || isDeny(statement)) return;
    const where = `provider.iam.role.statements[${i}] (${describeStatement(statement)})`;
    const users = [];
    for (const [name, statements] of grantedByCode) {
      const actions = [...new Set(statements.flatMap((s) => list(s.Action)))].sort();
      const covered = actionsCovered(statement, actions);
      if (covered.length) users.push(`${name} (${covered.join(', ')})`);
    }
    if (users.length) {
      log.notice(
        `leastrole: ${where} is not copied into the per-function roles; what the code needs of it ` +
          `is in the generated roles: ${users.join('; ')}`
      );
    } else {
      log.warning(
        `leastrole: ${where} is not copied into the per-function roles, and no function's code calls ` +
          'any of its actions. If something the analysis cannot see needs it (a dynamic call, a library), ' +
          'add it to custom.leastrole.statements.<function>, or set custom.leastrole.inheritStatements: true'
      );
    }
  });
}

module.exports = {
  SHARED,
  actionMatches,
  compileRoles,
  lambdaLogicalId,
  normalizedFunctionName,
  refersTo,
  roleLogicalId,
  roleName,
};
