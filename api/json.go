package api

import (
	"encoding/json"
	"io"
)

// jsonEncode writes v as JSON without escaping <, > and & (the bodies are
// not HTML) and with the trailing newline the generated responses use.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
