package specfuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Object is a JSON object whose members keep their order and may repeat a
// name: a generated body prints the same way on every run with the same
// seed, and a case can send a duplicate key.
type Object []Member

// Member is one name/value pair of an Object.
type Member struct {
	Name  string
	Value any
}

// Get returns the value of the last member called name, the one a JSON
// decoder that lets the last duplicate win (encoding/json) keeps.
func (o Object) Get(name string) (any, bool) {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Name == name {
			return o[i].Value, true
		}
	}
	return nil, false
}

// With returns a copy of o where name has the value v: in place of the
// first member of that name (dropping any duplicates), or appended.
func (o Object) With(name string, v any) Object {
	out := make(Object, 0, len(o)+1)
	done := false
	for _, m := range o {
		if m.Name != name {
			out = append(out, m)
		} else if !done {
			out = append(out, Member{name, v})
			done = true
		}
	}
	if !done {
		out = append(out, Member{name, v})
	}
	return out
}

// Without returns a copy of o with no member called name.
func (o Object) Without(name string) Object {
	out := make(Object, 0, len(o))
	for _, m := range o {
		if m.Name != name {
			out = append(out, m)
		}
	}
	return out
}

// Raw is JSON text sent exactly as written: numbers no float64 holds,
// strings with invalid UTF-8, documents cut short.
type Raw string

// Encode writes v as JSON. v is built from nil, bool, the integer and float
// types, string, Raw, Object, []any and map[string]any (written with sorted
// keys). Strings are escaped as encoding/json escapes them, except that <,
// > and & stay as they are; to send bytes that are not UTF-8, use Raw.
func Encode(v any) string {
	var b bytes.Buffer
	encode(&b, v)
	return b.String()
}

func encode(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int32:
		b.WriteString(strconv.FormatInt(int64(v), 10))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case uint64:
		b.WriteString(strconv.FormatUint(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case json.Number:
		b.WriteString(v.String())
	case string:
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v) // a string always encodes
		b.Truncate(b.Len() - 1)
	case Raw:
		b.WriteString(string(v))
	case Object:
		b.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			encode(b, m.Name)
			b.WriteByte(':')
			encode(b, m.Value)
		}
		b.WriteByte('}')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := make(Object, len(keys))
		for i, k := range keys {
			o[i] = Member{k, v[k]}
		}
		encode(b, o)
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			encode(b, e)
		}
		b.WriteByte(']')
	default:
		panic(fmt.Sprintf("specfuzz: cannot encode %T", v))
	}
}

// Decode parses JSON the way a Go server does (encoding/json, numbers as
// json.Number, the last duplicate wins, invalid UTF-8 replaced). ok is
// false when text is not one JSON document.
func Decode(text string) (v any, ok bool) {
	if !json.Valid([]byte(text)) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}
