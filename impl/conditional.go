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
// carries, and the If-Match and If-None-Match checks every write and the
// tagged reads make. The contract's overview, "Conditional requests", says
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

// entityTags reads an If-Match or If-None-Match value: "*", or a list of
// entity tags, `"…"` or `W/"…"`, whose quoted part may hold commas and
// asterisks. any reports a "*" member (a "*" line joined with another line
// of tags is read as "*" too); a member that is not an entity tag is
// skipped, and matches nothing.
func entityTags(header string) (tags []string, any bool) {
	s := header
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return tags, any
		}
		member := ""
		if s[0] == '*' {
			member = "*"
		} else {
			n := 0
			if strings.HasPrefix(s, "W/") {
				n = 2
			}
			if n < len(s) && s[n] == '"' {
				if end := strings.IndexByte(s[n+1:], '"'); end >= 0 {
					member = s[:n+end+2]
				}
			}
		}
		rest := strings.TrimLeft(s[len(member):], " \t")
		if member == "" || rest != "" && rest[0] != ',' {
			// Not an entity tag: on to the next member, past the commas
			// it quotes.
			i := nextComma(s)
			if i < 0 {
				return tags, any
			}
			s = s[i:]
			continue
		}
		if member == "*" {
			any = true
		} else {
			tags = append(tags, member)
		}
		s = rest
	}
}

// nextComma is the index of the first comma in s outside double quotes,
// or -1.
func nextComma(s string) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return i
			}
		}
	}
	return -1
}

// MatchesIfNoneMatch reports whether an If-None-Match header value names
// the current tag, with the weak comparison RFC 9110 prescribes for it, or
// is "*". Exported for the benchmarks' other servers, which must do the
// same work.
func MatchesIfNoneMatch(header, current string) bool {
	tags, any := entityTags(header)
	if any {
		return true
	}
	for _, t := range tags {
		if strings.TrimPrefix(t, "W/") == current {
			return true
		}
	}
	return false
}

// matchesIfMatch reports whether an If-Match header value names the
// current tag with the strong comparison (a weak tag never matches), or is
// "*".
func matchesIfMatch(header, current string) bool {
	tags, any := entityTags(header)
	if any {
		return true
	}
	for _, t := range tags {
		if t == current {
			return true
		}
	}
	return false
}

// checkIfMatch enforces an If-Match header on a change of l.
func checkIfMatch(header *string, l game.Location) error {
	if header == nil || matchesIfMatch(*header, etag(l)) {
		return nil
	}
	return &game.Error{
		Code:    game.EPRECONDITION,
		Message: "The location changed since you read it.",
		Fields:  map[string]string{"If-Match": "If-Match does not match the current ETag"},
		ETag:    etag(l),
	}
}

// checkIfNoneMatch enforces an If-None-Match header on a change of l:
// listing its tag (weak comparison) or "*" (it exists) makes the condition
// false.
func checkIfNoneMatch(header *string, l game.Location) error {
	if header == nil || !MatchesIfNoneMatch(*header, etag(l)) {
		return nil
	}
	msg := "If-None-Match matches the current ETag"
	if _, any := entityTags(*header); any {
		msg = "If-None-Match is *, and the location exists"
	}
	return &game.Error{
		Code:    game.EPRECONDITION,
		Message: "A precondition of the request is false.",
		Fields:  map[string]string{"If-None-Match": msg},
		ETag:    etag(l),
	}
}

// UntaggedPrecondition evaluates the If-Match and If-None-Match headers
// (nil: not sent) of a request whose target exists and has no entity tag:
// If-Match is true only for "*", and If-None-Match false only for "*". It
// returns the 412 error when one is false, for the caller to return only
// once the request would otherwise succeed (authorized, its target found,
// its content valid). Exported for the benchmarks' other servers, which
// must do the same work.
func UntaggedPrecondition(ifMatch, ifNoneMatch *string) error {
	if ifMatch != nil {
		if _, any := entityTags(*ifMatch); !any {
			return &game.Error{
				Code:    game.EPRECONDITION,
				Message: "A precondition of the request is false.",
				Fields:  map[string]string{"If-Match": "If-Match names an entity tag, and this resource has none"},
			}
		}
	}
	if ifNoneMatch != nil {
		if _, any := entityTags(*ifNoneMatch); any {
			return &game.Error{
				Code:    game.EPRECONDITION,
				Message: "A precondition of the request is false.",
				Fields:  map[string]string{"If-None-Match": "If-None-Match is *, and this resource exists"},
			}
		}
	}
	return nil
}
