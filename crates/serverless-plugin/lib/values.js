'use strict';

// Small helpers on the plain JSON values the framework hands over (service config,
// compiled template), shared by every part of the plugin.

// A value as a list: one value becomes a list of one; nothing (undefined, null, false)
// becomes the empty list.
function list(value) {
  if (value === undefined || value === null || value === false) return [];
  return Array.isArray(value) ? value : [value];
}

// JSON with sorted keys: the same value gives the same text whatever its key order.
function canon(value) {
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canon(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// Every value inside `value`, itself included, by its canonical text: what "this
// resource appears in that config" means, compared value by value (a key, or a part of
// a longer string, is not an appearance).
function valuesIn(value, into = new Set()) {
  if (value === undefined) return into;
  into.add(canon(value));
  if (Array.isArray(value)) {
    for (const v of value) valuesIn(v, into);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) valuesIn(v, into);
  }
  return into;
}

module.exports = { canon, clone, list, valuesIn };
