// Package swaggerui holds the interactive documentation served at /docs:
// Swagger UI from the npm package swagger-ui-dist (the version in
// dist/VERSION, its licence in dist/LICENSE), embedded in the binary so the
// page works offline and loads nothing from another host. `make swagger-ui`
// refreshes dist/ from the pinned version.
package swaggerui

import (
	"embed"
	"path"
)

//go:embed index.html initializer.js dist
var files embed.FS

// CSP is the Content-Security-Policy of the page: its own scripts, styles
// and images only. Swagger UI sets inline styles, draws icons as data: URIs
// and shows an image that "Try it out" fetched as a blob: URL, hence those
// three allowances; connect-src 'self' lets "Try it out" call this server
// and nothing else.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Index returns the page.
func Index() []byte {
	b, err := files.ReadFile("index.html")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// contentTypes maps the extensions of the embedded files to the media types
// the contract declares for /docs/{asset}.
var contentTypes = map[string]string{
	".css": "text/css",
	".js":  "text/javascript",
	".png": "image/png",
	".txt": "text/plain",
	"":     "text/plain", // LICENSE, NOTICE, VERSION
}

// Asset returns the named file of the page and its media type; ok is false
// when there is no such file.
func Asset(name string) (data []byte, contentType string, ok bool) {
	if name == "initializer.js" {
		b, _ := files.ReadFile(name)
		return b, "text/javascript", true
	}
	ct, known := contentTypes[path.Ext(name)]
	if !known || name == "." || path.Base(name) != name {
		return nil, "", false
	}
	b, err := files.ReadFile("dist/" + name)
	if err != nil {
		return nil, "", false
	}
	return b, ct, true
}
