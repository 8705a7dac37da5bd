// Evaluates IAM requests against identity policies with @cloud-copilot/iam-simulate.
// Used by crates/cli/tests/simulate.rs, which owns every decision about what to ask:
// stdin is {"cases": [{"id", "policy", "action", "resource", "account"}]}, stdout is
// {"results": [{"id", "decision", "errors"}]} where decision is the simulator's
// overallResult ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied") or "Error".
import { runSimulation } from '@cloud-copilot/iam-simulate'

const input = JSON.parse(await new Promise((resolve, reject) => {
  let text = ''
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk) => { text += chunk })
  process.stdin.on('end', () => resolve(text))
  process.stdin.on('error', reject)
}))

// A KMS key is usable only as far as its key policy allows. The fixtures' keys keep the
// default key policy, which gives the account (and so its IAM policies) use of the key:
// without it the simulator denies every KMS request whatever the identity policy says.
const defaultKeyPolicy = (account) => ({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: 'kms:*',
    Resource: '*'
  }]
})

const results = []
for (const c of input.cases) {
  const simulation = {
    request: {
      principal: `arn:aws:iam::${c.account}:role/leastrole-simulated`,
      action: c.action,
      resource: { resource: c.resource, accountId: c.account },
      contextVariables: {}
    },
    identityPolicies: [{ name: 'generated', policy: c.policy }],
    ...(c.action.startsWith('kms:') ? { resourcePolicy: defaultKeyPolicy(c.account) } : {}),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    results.push({ id: c.id, decision: 'Error', errors: response.errors })
  } else if (response.resultType === 'single') {
    results.push({ id: c.id, decision: response.overallResult, errors: null })
  } else {
    // A wildcard request means the test asked about a pattern, not a concrete call.
    results.push({ id: c.id, decision: 'Error', errors: { message: `not a concrete request: ${response.resultType}` } })
  }
}
process.stdout.write(JSON.stringify({ results }))
