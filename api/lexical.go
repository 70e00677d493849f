package api

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A request body must be UTF-8 JSON text that names characters only.
// encoding/json would quietly store invalid UTF-8, and a \u escape of half
// a UTF-16 surrogate pair (which names no character, RFC 8259 §8.2), as
// U+FFFD, which nobody sent. Both are refused before the handler sees the
// body, and the message names the field whose string holds them, as a
// schema violation would, so that a client knows which input to fix; the
// validator reports them with the body's other faults (validate.go).

const (
	msgNotUTF8       = " must be valid UTF-8"
	msgLoneSurrogate = " must be valid Unicode: it escapes half of a surrogate pair"
)

// A body is named as a whole rather than field by field beyond these, so
// that a hostile body costs no more than a plain one to answer.
const (
	lexicalMaxFields    = 16
	lexicalMaxDepth     = 32  // segments of a field's path
	lexicalMaxPathBytes = 256 // bytes of a field's path's segments
)

// lexicalErrors returns the messages for the text of data that names no
// character, or nil when there is none. Each string value of an object
// member holding such text is named by its path. When some of it is
// anywhere else (in a member name, outside an object's members, after the
// document or after text that is not JSON), or a field cannot be named
// plainly (a top-level member "body", a member "" or one holding a dot, more than
// lexicalMaxFields such fields, a path past lexicalMaxDepth or
// lexicalMaxPathBytes), whole is set and fields holds one message for the
// body.
func lexicalErrors(data []byte) (fields map[string]string, whole bool) {
	msg := badText(data)
	if msg == "" {
		return nil, false
	}
	if fields, ok := badMembers(data); ok && len(fields) > 0 {
		return fields, false
	}
	return map[string]string{bodyKey: "request body" + msg}, true
}

// badMembers names the members whose string values hold text that names
// no character; ok is false when some such text is not in a member's
// value, or a limit is passed. It reads data one token at a time: a token's
// text runs from the end of the one before to its own end, and bad text
// can only be inside a string, since outside one it is not JSON.
func badMembers(data []byte) (fields map[string]string, ok bool) {
	type level struct {
		object  bool
		wantKey bool   // an object's next token is a member name
		key     string // an object's current member name
		index   int    // an array's current element
	}
	var (
		stack     []level  // the open containers, up to lexicalMaxDepth
		path      []string // where the innermost of them sits
		pathBytes int      // the length of path's segments
		deeper    int      // containers open below the innermost of stack
		prev      int      // where the current token's text starts
	)
	segment := func(l level) string {
		if l.object {
			return l.key
		}
		return strconv.Itoa(l.index)
	}
	// complete records that a value of the container on top is complete.
	complete := func() {
		top := &stack[len(stack)-1]
		if top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	fields = map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // a number too big for a float64 is still JSON
	for {
		tok, err := dec.Token()
		if err != nil {
			// The text stopped being JSON: bad text after that is not in
			// a member.
			return fields, badText(data[prev:]) == ""
		}
		end := int(dec.InputOffset())
		msg := badText(data[prev:end])
		prev = end
		if len(stack) == 0 {
			// The document starts: only an object has members.
			if tok != json.Delim('{') {
				return nil, false
			}
			stack = append(stack, level{object: true, wantKey: true})
			continue
		}
		if deeper > 0 {
			// Past the depth a field may have: only counted.
			switch {
			case msg != "":
				return nil, false
			case tok == json.Delim('{') || tok == json.Delim('['):
				deeper++
				continue
			case tok == json.Delim('}') || tok == json.Delim(']'):
				if deeper--; deeper == 0 {
					complete() // the container was a value of the top one
				}
			}
			continue
		}
		top := &stack[len(stack)-1]
		switch {
		case tok == json.Delim('}') || tok == json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				// The document ended; text after it is not JSON.
				return fields, badText(data[prev:]) == ""
			}
			pathBytes -= len(path[len(path)-1])
			path = path[:len(path)-1]
		case top.object && top.wantKey:
			if msg != "" {
				return nil, false // in a member name
			}
			top.key, top.wantKey = tok.(string), false
			continue
		case tok == json.Delim('{') || tok == json.Delim('['):
			if len(path)+1 >= lexicalMaxDepth { // its values would be deeper
				deeper = 1
				continue
			}
			path = append(path, segment(*top))
			pathBytes += len(path[len(path)-1])
			stack = append(stack, level{object: tok == json.Delim('{'), wantKey: true})
			continue
		case msg != "": // a string value holding bad text
			name := segment(*top)
			if pathBytes+len(name) > lexicalMaxPathBytes || unnameableAt(len(path), name) || slices.ContainsFunc(path, unnameable) {
				return nil, false // too long a key, or one no field can have
			}
			segments := append(path, name)
			key := strings.Join(segments, ".")
			if _, seen := fields[key]; !seen {
				if len(fields) == lexicalMaxFields {
					return nil, false
				}
				if top.object {
					fields[key] = memberLabel(name) + msg
				} else { // an array's element, by its index
					fields[key] = label(name) + msg
				}
			}
		}
		complete()
	}
}

// unnameable reports whether a member name cannot be a segment of a
// field's key: "" has no label, and a name holding a dot ("a.b", ".")
// would read as a path of other members.
func unnameable(name string) bool { return name == "" || strings.Contains(name, ".") }

// unnameableAt reports whether a member name at depth (0: a member of the
// body itself) cannot key a field: it is unnameable, or it is the body's
// own "body", the key of the whole body.
func unnameableAt(depth int, name string) bool {
	return unnameable(name) || depth == 0 && name == bodyKey
}

// badText returns the message for the first text in data that names no
// character, or "" when there is none. It reads escapes without a JSON
// parse: outside strings a backslash is a syntax error anyway.
func badText(data []byte) string {
	valid := utf8.Valid(data)
	if valid && !bytes.Contains(data, []byte(`\u`)) {
		return ""
	}
	for i := 0; i < len(data); {
		switch c := data[i]; {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return msgNotUTF8
			}
			i += size
		case c == '\\' && i+1 < len(data) && data[i+1] == 'u':
			if n := surrogateEscape(data[i:]); n < 0 {
				return msgLoneSurrogate
			} else {
				i += n
			}
		case c == '\\' && i+1 < len(data) && data[i+1] < utf8.RuneSelf:
			i += 2 // \\, \" and the like: the next byte is escaped
		default:
			i++
		}
	}
	return ""
}

// surrogateEscape reads the \uXXXX escape b starts with: the length of the
// escape (12 for a surrogate pair), or -1 for half a pair alone.
func surrogateEscape(b []byte) int {
	r := hex4(b[2:])
	switch {
	case r >= 0xD800 && r < 0xDC00:
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if low := hex4(b[8:]); low >= 0xDC00 && low < 0xE000 {
				return 12
			}
		}
		return -1
	case r >= 0xDC00 && r < 0xE000:
		return -1
	}
	return 6
}

// hex4 is the value of the four hex digits b starts with, or -1.
func hex4(b []byte) rune {
	var v [2]byte
	if len(b) < 4 {
		return -1
	}
	if _, err := hex.Decode(v[:], b[:4]); err != nil {
		return -1
	}
	return rune(v[0])<<8 | rune(v[1])
}
