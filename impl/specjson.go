package impl

import (
	"bytes"
	"encoding/json"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// yamlAsJSON is the YAML document src as JSON, every mapping's keys in the
// order src writes them. Decoding into a map and encoding that would sort
// them: /openapi.json would list the paths, operations and responses in
// another order than /openapi.yaml, and so would the code and docs that
// tools generate from it. Each scalar is decoded by yaml.v3 as a decode
// into a map would decode it and encoded by encoding/json, so for a
// document whose keys are unique strings, without merge keys, as
// openapi.yaml is (TestSpecIsServed compares the two), the two JSON forms
// differ in nothing but key order. Keys are written as they are spelled.
func yamlAsJSON(src []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, &doc, 0); err != nil {
		return nil, err
	}
	buf.WriteByte('\n') // as json.Encoder ends a value
	return buf.Bytes(), nil
}

// maxDepth bounds how deep writeJSON follows nodes: an alias may refer to
// a node that holds it, which would never end. openapi.yaml nests a few
// dozen levels.
const maxDepth = 1000

// writeJSON writes node n, depth levels down, as JSON.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("line %d: nested more than %d levels deep (an alias that holds itself?)", n.Line, maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: a document with %d nodes", n.Line, len(n.Content))
		}
		return writeJSON(buf, n.Content[0], depth+1)
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias, depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return fmt.Errorf("line %d: a merge key or a key that is not a scalar has no JSON form", k.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeScalar(buf, k.Value); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, item, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	return writeScalar(buf, v)
}

// writeScalar writes v as encoding/json encodes it.
func writeScalar(buf *bytes.Buffer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}
