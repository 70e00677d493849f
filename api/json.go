package api

import (
	"bytes"
	"encoding/json"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// jsonEncode writes v as JSON without escaping <, > and & (the bodies are
// not HTML) and with the trailing newline the generated responses use.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// wholeNumbers reads the numbers of a valid JSON body, all of which the
// contract wants to be integers (no request body declares any other
// number), for what kin-openapi's check leaves to the handler:
//
//   - JSON Schema, and kin-openapi with it, counts 1.0, 1e0 and 10E-1 as
//     integers; encoding/json, which binds the body to the generated types,
//     takes only digits for an int64. rewritten is the body with each such
//     number written as digits (nil when there is none).
//   - An integer beyond int64 satisfies the schema and fits no field:
//     outOfRange names each one, by its member names joined with dots, as
//     kin-openapi names fields.
//
// A number with a fraction is left to kin-openapi to refuse.
func wholeNumbers(data []byte) (rewritten []byte, outOfRange map[string]string) {
	if !bytes.ContainsAny(data, ".eE") && len(data) < 20 {
		return nil, nil // no number can be past int64's 19 digits
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, nil
	}
	changed := false
	var walk func(path string, v any) any
	walk = func(path string, v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if path == "" {
					v[k] = walk(k, e)
				} else {
					v[k] = walk(path+"."+k, e)
				}
			}
		case []any:
			for i, e := range v {
				v[i] = walk(path, e)
			}
		case json.Number:
			if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
				return v
			}
			f, _, err := big.ParseFloat(string(v), 10, 0, big.ToNearestEven)
			if err != nil || !f.IsInt() {
				return v // a fraction: not an integer at all
			}
			n, acc := f.Int64()
			if acc != big.Exact {
				if path == "" {
					return v // the body is a number: kin-openapi refuses it
				}
				if outOfRange == nil {
					outOfRange = map[string]string{}
				}
				outOfRange[path] = label(path[strings.LastIndexByte(path, '.')+1:]) + " is out of range"
				return v
			}
			changed = true
			return json.Number(strconv.FormatInt(n, 10))
		}
		return v
	}
	v = walk("", v)
	if !changed || outOfRange != nil {
		return nil, outOfRange
	}
	var buf bytes.Buffer
	if jsonEncode(&buf, v) != nil {
		return nil, nil
	}
	return buf.Bytes(), nil
}
