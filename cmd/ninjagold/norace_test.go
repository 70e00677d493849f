//go:build !race

package main

// buildFlags are the flags the tests build the server with: under the race
// detector, the server they run is built with it too.
var buildFlags []string
