// Package impl implements the operations of openapi.yaml over a game.Store.
//
// It fills in generated.StrictServerInterface: requests arrive already
// validated against the contract, responses are generated types. Failures
// are returned as *game.Error values and never written here; the api package
// turns every error into a problem response in one place.
package impl

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

// Server implements every operation of the contract.
type Server struct {
	store   game.Store
	dice    game.Dice
	metrics prometheus.Gatherer
	owners  tokenOwners // hints for CreateVisit's authorization
	tags    staticTags  // the ETags of the documentation and the contract
	gz      compressed  // their gzip forms

	// Each path template's methods (allow) and the media types its PATCH
	// takes (patch), for OPTIONS: worked out from the contract New is
	// given, of which nothing else is kept (a document kept would be
	// marked by every garbage collection).
	allow map[string]string
	patch map[string]string
	// problemPages is the page of each problem type, by name, made from
	// the contract (problems.go).
	problemPages map[string][]byte
	// The contract as JSON, for GET /openapi.json, is encoded when first
	// asked for.
	jsonOnce sync.Once
	specJSON []byte
	jsonErr  error
	// draining: the server is shutting down, and /readyz says so (Drain).
	draining atomic.Bool
}

var _ generated.StrictServerInterface = (*Server)(nil)

// New returns a Server over store that rolls visits with dice, serves
// the metrics metrics gathers (none when nil), and answers OPTIONS from
// spec, the contract as ninjagold.Spec returns it, which it only reads:
// the one api.NewHandler enforces (Config.Spec). spec must not be nil.
func New(store game.Store, dice game.Dice, metrics prometheus.Gatherer, spec *openapi3.T) *Server {
	if metrics == nil {
		metrics = prometheus.NewRegistry()
	}
	allow, patch := pathTables(spec)
	return &Server{store: store, dice: dice, metrics: metrics, allow: allow, patch: patch, problemPages: problemPages(spec)}
}

// pathTables lists each path's methods (allow) and the media types its
// PATCH takes, if any (patch).
func pathTables(spec *openapi3.T) (allow, patch map[string]string) {
	allow, patch = map[string]string{}, map[string]string{}
	for path, item := range spec.Paths.Map() {
		var methods []string
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		allow[path] = strings.Join(methods, ", ")
		if item.Patch != nil && item.Patch.RequestBody != nil && item.Patch.RequestBody.Value != nil {
			types := slices.Sorted(maps.Keys(item.Patch.RequestBody.Value.Content))
			patch[path] = strings.Join(types, ", ")
		}
	}
	return allow, patch
}

// specAsJSON is openapi.yaml as JSON, encoded.
func (s *Server) specAsJSON() ([]byte, error) {
	s.jsonOnce.Do(func() {
		// The JSON form is openapi.yaml's own text, not the parsed document
		// marshalled: kin-openapi leaves out what equals its defaults
		// (required: false, example: null), and /openapi.json says all
		// that /openapi.yaml says, in the same order. It is encoded here,
		// once: a decoded document, kept, would be marked by every
		// collection.
		if s.specJSON, s.jsonErr = yamlAsJSON(ninjagold.OpenAPIYAML); s.jsonErr != nil {
			s.jsonErr = fmt.Errorf("impl: spec as JSON: %w", s.jsonErr)
		}
	})
	return s.specJSON, s.jsonErr
}

// allowed lists the methods the contract declares for path (a template
// such as /locations/{id}), for the Allow header.
func (s *Server) allowed(path string) (string, error) {
	return specEntry(s.allow, path, "is not in the contract")
}

// acceptPatch lists the media types the contract declares for a PATCH of
// path, for the Accept-Patch header of its OPTIONS.
func (s *Server) acceptPatch(path string) (string, error) {
	return specEntry(s.patch, path, "takes no PATCH in the contract")
}

// specEntry is path's entry in m, one of pathTables' tables; path missing is
// a server bug.
func specEntry(m map[string]string, path, missing string) (string, error) {
	v, ok := m[path]
	if !ok {
		return "", fmt.Errorf("impl: %s %s", path, missing)
	}
	return v, nil
}
