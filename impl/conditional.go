package impl

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"

	"github.com/ninjagold/ninjagold-api/game"
)

// Conditional requests (RFC 9110 §13.1): the entity tags a representation
// carries, and the If-Match and If-None-Match checks every write and every
// read make. The contract's overview, "Conditional requests", says
// which operation evaluates what.

// etag is a location's strong entity tag: its version, which every write bumps.
func etag(l game.Location) string { return `"` + strconv.FormatInt(l.Version, 10) + `"` }

// contentTag is the strong entity tag of bytes that never change while the
// process runs (the embedded page, its files, the contract): a hash of
// them, so that it changes with them from one build to the next.
func contentTag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// staticTags keeps the contentTag of each unchanging representation, by
// path, so each is hashed once.
type staticTags struct{ m sync.Map }

// of returns contentTag(b), b being what path serves.
func (t *staticTags) of(path string, b []byte) string {
	if tag, ok := t.m.Load(path); ok {
		return tag.(string)
	}
	tag := contentTag(b)
	t.m.Store(path, tag)
	return tag
}

// entityTags reads an If-Match or If-None-Match value: "*" (sent on one
// line or more), or a list of entity tags, `"…"` or `W/"…"`, whose quoted
// part may hold commas and asterisks; empty members are allowed, as in
// every HTTP list, and so is "*" sent more than once (on several lines,
// which are joined). ok is false for anything else, "*" among tags
// included: such a value is false in If-Match, and in a write's
// If-None-Match (412), and names nothing in a read's If-None-Match.
func entityTags(header string) (tags []string, star, ok bool) {
	s := header
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			if star && len(tags) > 0 {
				return nil, false, false
			}
			return tags, star, true
		}
		n := 0
		if s[0] == '*' {
			n, star = 1, true
		} else if n = opaqueTagEnd(s); n == 0 {
			return nil, false, false
		} else {
			tags = append(tags, s[:n])
		}
		s = strings.TrimLeft(s[n:], " \t")
		if s != "" && s[0] != ',' {
			return nil, false, false
		}
	}
}

// opaqueTagEnd is the length of the entity tag s starts with (RFC 9110
// §8.8.3: an optional W/, then quoted characters other than controls,
// space and DQUOTE), or 0.
func opaqueTagEnd(s string) int {
	i := 0
	if strings.HasPrefix(s, "W/") {
		i = 2
	}
	if i >= len(s) || s[i] != '"' {
		return 0
	}
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c < 0x21 || c == 0x7f:
			return 0
		}
	}
	return 0
}

// matchesIfNoneMatch reports whether an If-None-Match header value names
// the current tag, with the weak comparison RFC 9110 prescribes for it, or
// is "*"; a value that is not well formed names nothing.
func matchesIfNoneMatch(header, current string) bool { return matches(header, current, false) }

// matchesIfMatch reports whether an If-Match header value names the
// current tag with the strong comparison (a weak tag never matches), or is
// "*"; a value that is not well formed names nothing.
func matchesIfMatch(header, current string) bool { return matches(header, current, true) }

// matches compares the entity tags of header with current, strongly or
// weakly.
func matches(header, current string, strong bool) bool {
	tags, star, ok := entityTags(header)
	return ok && (star || listed(tags, current, strong))
}

// listed reports whether tags, read by entityTags, hold current, compared
// strongly or weakly.
func listed(tags []string, current string, strong bool) bool {
	for _, t := range tags {
		if !strong {
			t = strings.TrimPrefix(t, "W/")
		}
		if t == current {
			return true
		}
	}
	return false
}

// ReadPrecondition evaluates the If-Match and If-None-Match headers (nil:
// not sent) of a read that would answer 200, tag being the entity tag of
// what it would send ("" for none), in RFC 9110 §13.2.2's order: If-Match
// is false unless it lists tag (strong comparison) or is "*", which answers
// 412, returned as the error; then an If-None-Match that lists tag (weak
// comparison) or is "*" answers 304, notModified. A read's If-None-Match
// that is not well formed names nothing. Exported for the benchmarks' other
// servers, which must do the same work.
func ReadPrecondition(ifMatch, ifNoneMatch *string, tag string) (notModified bool, err error) {
	if ifMatch != nil && !matchesIfMatch(*ifMatch, tag) {
		msg, _ := ifMatchFalse(*ifMatch, tag)
		return false, preconditionFailed(preconditionFalse, "If-Match", msg, tag)
	}
	return ifNoneMatch != nil && matchesIfNoneMatch(*ifNoneMatch, tag), nil
}

// preconditionFalse is the detail of a 412.
const preconditionFalse = "A precondition of the request is false."

// preconditionFailed is the 412 for header, false for msg, with detail and
// the current entity tag ("" for none) to send with it.
func preconditionFailed(detail, header, msg, tag string) error {
	return &game.Error{
		Code:    game.EPRECONDITION,
		Message: detail,
		Fields:  map[string]string{header: msg},
		ETag:    tag,
	}
}

// malformed is the message for an If-Match or If-None-Match value that is
// neither "*" nor a list of entity tags.
func malformed(header string) string { return header + " must be * or a list of entity tags" }

// ifMatchFalse says why an If-Match value that matches nothing fails
// against tag ("" for a resource without one), and whether it is because
// the resource changed: the value lists entity tags, and the resource has
// one.
func ifMatchFalse(header, tag string) (msg string, changed bool) {
	tags, _, ok := entityTags(header)
	switch {
	case !ok:
		return malformed("If-Match"), false
	case len(tags) == 0:
		return "If-Match lists no entity tag", false
	case tag == "":
		return "If-Match names an entity tag, and this resource has none", false
	case listed(tags, tag, false):
		// Only W/ kept it from matching: nothing changed.
		return "If-Match compares entity tags strongly: send the ETag without W/", false
	}
	return "If-Match does not match the current ETag", true
}

// checkPreconditions enforces the If-Match and If-None-Match headers (nil:
// not sent) of a change of l, in RFC 9110 §13.2.2's order.
func checkPreconditions(ifMatch, ifNoneMatch *string, l game.Location) error {
	if err := checkIfMatch(ifMatch, l); err != nil {
		return err
	}
	return checkIfNoneMatch(ifNoneMatch, l)
}

// checkIfMatch enforces an If-Match header on a change of l.
func checkIfMatch(header *string, l game.Location) error {
	if header == nil || matchesIfMatch(*header, etag(l)) {
		return nil
	}
	msg, changed := ifMatchFalse(*header, etag(l))
	detail := preconditionFalse
	if changed {
		detail = "The location changed since you read it."
	}
	return preconditionFailed(detail, "If-Match", msg, etag(l))
}

// checkIfNoneMatch enforces an If-None-Match header on a change of l:
// listing its tag (weak comparison), "*" (it exists) or a value not well
// formed makes the condition false.
func checkIfNoneMatch(header *string, l game.Location) error {
	if header == nil {
		return nil
	}
	tags, star, ok := entityTags(*header)
	var msg string
	switch {
	case !ok:
		msg = malformed("If-None-Match")
	case star:
		msg = "If-None-Match is *, and the location exists"
	case listed(tags, etag(l), false):
		msg = "If-None-Match matches the current ETag"
	default:
		return nil
	}
	return preconditionFailed(preconditionFalse, "If-None-Match", msg, etag(l))
}

// UntaggedPrecondition evaluates the If-Match and If-None-Match headers
// (nil: not sent) of a request whose target exists and has no entity tag:
// If-Match is true only for "*", and If-None-Match false only for "*", and
// both are false when not well formed. It returns the 412 error when one is
// false, for the caller to return once every other check has passed: this
// service answers a request that would fail anyway (401, 403, 404, and also
// a 400 or 422 about its content, which RFC 9110 §13.2.1 would let a 412
// precede) with that failure. Exported for the benchmarks' other servers, which
// must do the same work.
func UntaggedPrecondition(ifMatch, ifNoneMatch *string) error {
	failed := func(header, msg string) error {
		return preconditionFailed(preconditionFalse, header, msg, "")
	}
	if ifMatch != nil && !matchesIfMatch(*ifMatch, "") {
		msg, _ := ifMatchFalse(*ifMatch, "")
		return failed("If-Match", msg)
	}
	if ifNoneMatch != nil {
		switch _, star, ok := entityTags(*ifNoneMatch); {
		case !ok:
			return failed("If-None-Match", malformed("If-None-Match"))
		case star:
			return failed("If-None-Match", "If-None-Match is *, and this resource exists")
		}
	}
	return nil
}
