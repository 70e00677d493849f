package api

import (
	"slices"
	"strings"
)

// A field's messages (the errors object of a 400) come from several checks,
// and these put one check's messages into another's by one of three rules:
//
//   - prepend: both are told, joined by "; ", the first's first. The
//     parameters' messages come before the body members', an unknown
//     member's before what else is wrong with it, a member given twice
//     before its invalid UTF-8.
//   - mergeFields and joinFields: the later check's message replaces the
//     earlier's, but under the body's own key, where every distinct fault
//     of the whole body is told.
//   - addAbsent: only where the field has no message yet. A cross-field
//     rule, or an integer past int64's range, says less than the schema's
//     message for the same field.

// prepend puts first's messages into fields and returns them: a key both
// have gets first's message, then "; ", then its own.
func prepend(first, fields map[string]string) map[string]string {
	for k, msg := range first {
		if b, ok := fields[k]; ok {
			msg += "; " + b
		}
		fields[k] = msg
	}
	return fields
}

// joinFields merges field messages as mergeFields does; nil when all are
// empty.
func joinFields(ms ...map[string]string) map[string]string {
	var out map[string]string
	for _, m := range ms {
		if len(m) > 0 && out == nil {
			out = map[string]string{}
		}
		mergeFields(out, m)
	}
	return out
}

// mergeFields copies from's messages into fields, from's winning, but for
// the body's own key: two faults of the whole body (an unknown member
// whose name keys no field, a member given twice) are both named, joined
// by "; ", where one would hide the other.
func mergeFields(fields, from map[string]string) {
	for k, msg := range from {
		if old, ok := fields[k]; ok && k == bodyKey && !slices.Contains(strings.Split(old, "; "), msg) {
			msg = old + "; " + msg
		}
		fields[k] = msg
	}
}

// addAbsent copies from's messages into fields where fields has none.
func addAbsent(fields, from map[string]string) {
	for k, msg := range from {
		if _, ok := fields[k]; !ok {
			fields[k] = msg
		}
	}
}
