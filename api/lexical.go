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

// lexicalErrors returns the field messages for the bytes of data that name
// no character, or nil when there are none. Each offending byte is put on
// the body member (a string value) holding it; when one of them is
// anywhere else (in a member name, at the top level, or after text that is
// not JSON), the whole body gets one message instead.
func lexicalErrors(data []byte) map[string]string {
	var bad []badText
	if !utf8.Valid(data) {
		bad = notUTF8(data)
	}
	if bytes.Contains(data, []byte(`\u`)) {
		bad = append(bad, loneSurrogates(data)...)
	}
	if len(bad) == 0 {
		return nil
	}
	slices.SortFunc(bad, func(a, b badText) int { return a.offset - b.offset })
	fields := map[string]string{}
	paths, ok := memberPaths(data, bad)
	if !ok {
		fields[bodyKey] = "request body" + bad[0].msg
		return fields
	}
	for i, path := range paths {
		key := strings.Join(path, ".")
		if _, seen := fields[key]; !seen {
			fields[key] = label(path[len(path)-1]) + bad[i].msg
		}
	}
	return fields
}

// badText is a byte offset into a body and what is wrong there.
type badText struct {
	offset int
	msg    string
}

// notUTF8 lists the bytes of data that do not start a UTF-8 sequence.
func notUTF8(data []byte) []badText {
	var out []badText
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(out, badText{i, msgNotUTF8})
		}
		i += size
	}
	return out
}

// loneSurrogates lists the \uXXXX escapes in the JSON text data of half a
// surrogate pair without its other half. It reads escapes only, so it
// needs no JSON parse: outside strings a backslash is a syntax error anyway.
func loneSurrogates(data []byte) []badText {
	var out []badText
	for i := 0; i+1 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if data[i+1] != 'u' {
			i++ // \\, \" and the like: the next byte is escaped
			continue
		}
		r := hex4(data[i+2:])
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				if low := hex4(data[i+8:]); low >= 0xDC00 && low < 0xE000 {
					i += 11
					continue
				}
			}
			out = append(out, badText{i, msgLoneSurrogate})
		case r >= 0xDC00 && r < 0xE000:
			out = append(out, badText{i, msgLoneSurrogate})
		}
		i++
	}
	return out
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

// memberPaths returns, for each of bad (sorted by offset), the path of the
// member whose string value holds it; ok is false when one is not in a
// member's value.
func memberPaths(data []byte, bad []badText) (paths [][]string, ok bool) {
	type level struct {
		object  bool
		wantKey bool   // an object's next token is a member name
		key     string // an object's current member name
		index   int    // an array's current element
	}
	var (
		stack []level
		path  []string // where the innermost open container sits
	)
	segment := func(l level) string {
		if l.object {
			return l.key
		}
		return strconv.Itoa(l.index)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for len(paths) < len(bad) {
		tok, err := dec.Token()
		if err != nil {
			return nil, false // not JSON before the offending byte
		}
		next := bad[len(paths)].offset
		end := int(dec.InputOffset())
		if len(stack) == 0 {
			if next < end {
				return nil, false // the body is a string
			}
			if tok == json.Delim('{') || tok == json.Delim('[') {
				stack = append(stack, level{object: tok == json.Delim('{'), wantKey: true})
			}
			continue
		}
		top := &stack[len(stack)-1]
		switch {
		case tok == json.Delim('}') || tok == json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil, false // after the document
			}
			path = path[:len(path)-1]
			top = &stack[len(stack)-1]
		case top.object && top.wantKey:
			if next < end {
				return nil, false // in a member name
			}
			top.key, top.wantKey = tok.(string), false
			continue
		case tok == json.Delim('{') || tok == json.Delim('['):
			path = append(path, segment(*top))
			stack = append(stack, level{object: tok == json.Delim('{'), wantKey: true})
			continue
		default: // a value: the offending bytes before its end are in it
			for len(paths) < len(bad) && bad[len(paths)].offset < end {
				paths = append(paths, append(slices.Clip(path), segment(*top)))
			}
		}
		// A value of the container on top is complete.
		if top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	return paths, true
}
