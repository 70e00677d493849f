// Package specfuzz generates HTTP requests from an OpenAPI document, for
// property tests that hold a server to its contract ("contract fuzzing").
//
// For each operation it makes valid requests from the schemas (every
// optional parameter and property present or absent, values at their
// boundaries: minLength and maxLength strings, minimum and maximum
// integers, each enum value, null where nullable) and requests that break
// one thing each (a constraint, a type, a required or unknown member, the
// JSON itself, the Content-Type, Accept or credentials, or the method),
// each labelled with what the contract says about it: valid, invalid with
// the status and the errors key the server's problem must name, or left
// open. It knows the schemas only: what exists in the server's database
// and rules across fields come from the caller's Values and Fix hooks, and
// the caller judges the answers.
//
// Everything comes from one math/rand/v2 source, so a seed reproduces a
// run request for request.
package specfuzz
