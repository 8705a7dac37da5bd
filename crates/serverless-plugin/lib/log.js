'use strict';

// The framework's writers: the third constructor argument ({ log, writeText, progress },
// v3 for external plugins, v4 always), else the deprecated serverless.cli.log.

function makeLogger(serverless, utils) {
  const log = utils && utils.log;
  if (log && typeof log.notice === 'function') {
    const pick = (level) => (typeof log[level] === 'function' ? log[level].bind(log) : log.notice.bind(log));
    return {
      error: pick('error'),
      warning: pick('warning'),
      notice: log.notice.bind(log),
      info: pick('info'),
      debug: pick('debug'),
      success: pick('success'),
    };
  }
  const cli = (message) => {
    if (serverless && serverless.cli && typeof serverless.cli.log === 'function') {
      serverless.cli.log(message);
    } else {
      process.stderr.write(`${message}\n`);
    }
  };
  return {
    error: cli,
    warning: cli,
    notice: cli,
    // Without the framework's writers there is no --verbose to honour: stay quiet.
    info: () => {},
    debug: () => {},
    success: cli,
  };
}

function makeWriteText(utils) {
  if (utils && typeof utils.writeText === 'function') return utils.writeText;
  return (text) => process.stdout.write(`${text}\n`);
}

module.exports = { makeLogger, makeWriteText };
