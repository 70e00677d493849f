//go:build !linux

package sqlite

// heldOpenAs cannot name the descriptor of a removed file here.
func heldOpenAs(string) string { return "" }
