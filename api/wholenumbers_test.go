package api

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

func TestIntegerMembers(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := newOperations(doc, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		method, path string
		want         string
	}{
		{"POST", "/locations", "max_gold min_gold"},
		{"PUT", "/locations/:id", "max_gold min_gold"},
		{"PATCH", "/locations/:id", "max_gold min_gold"},
		{"POST", "/players", ""},
		{"POST", "/players/:id/visits", "location_id"},
	} {
		if got := strings.Join(ops.byRoute[c.method][c.path].intMembers, " "); got != c.want {
			t.Errorf("%s %s: integer members %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

func TestWholeNumbers(t *testing.T) {
	ints := []string{"max_gold", "min_gold"}
	long := strings.Repeat("1", 70)
	for _, c := range []struct {
		name, body string
		rewritten  string // "" for none
		refused    []string
	}{
		{"digits", `{"min_gold":1,"max_gold":-2}`, "", nil},
		{"decimals and exponents", `{"min_gold":1.0,"max_gold":2e1,"name":"1.0"}`,
			`{"max_gold":20,"min_gold":1,"name":"1.0"}` + "\n", nil},
		{"negative zero", `{"min_gold":-0.0}`, `{"min_gold":0}` + "\n", nil},
		{"exactly, past a float64's 53 bits", `{"min_gold":9007199254740993.0}`, `{"min_gold":9007199254740993}` + "\n", nil},
		// kin-openapi's float64 takes these for 1 and 0; their values are not integers.
		{"a fraction a float64 loses", `{"min_gold":1.0000000000000001,"max_gold":1e-400}`, "", []string{"max_gold", "min_gold"}},
		{"a fraction a float64 rounds up", `{"min_gold":0.99999999999999999}`, "", []string{"min_gold"}},
		{"zeros ending the fraction say nothing", `{"min_gold":9007199254740993.` + strings.Repeat("0", 60) + `,"max_gold":9223372036854775807.` + strings.Repeat("0", 60) + `}`,
			`{"max_gold":9223372036854775807,"min_gold":9007199254740993}` + "\n", nil},
		{"a fraction is kin-openapi's to refuse", `{"min_gold":1.5}`, "", nil},
		{"int64's limits, written with exponents", `{"min_gold":922337203685477580e1,"max_gold":-922337203685477580.8e1}`,
			`{"max_gold":-9223372036854775808,"min_gold":9223372036854775800}` + "\n", nil},
		{"past int64", `{"min_gold":9223372036854775808,"max_gold":-1e19}`, "", []string{"max_gold", "min_gold"}},
		{"a long integer", `{"min_gold":` + long + `}`, "", []string{"min_gold"}},
		{"a long integer written with a fraction", `{"min_gold":` + long + `.0}`, "", []string{"min_gold"}},
		// kin-openapi cannot read these as float64s and refuses the body.
		{"past float64", `{"min_gold":1e400,"max_gold":` + strings.Repeat("9", 100_000) + `}`, "", nil},
		{"members not typed integer are not read", `{"x":1e30,"name":1.0,"y":{"min_gold":1e30}}`, "", nil},
		{"not an object", `[1.0]`, "", nil},
		{"strings are not numbers", `{"min_gold":"1.0"}`, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rewritten, refused := wholeNumbers([]byte(c.body), ints)
			if string(rewritten) != c.rewritten {
				t.Errorf("rewritten %q, want %q", rewritten, c.rewritten)
			}
			if got := sortedKeys(joinFields(refused.notInteger, refused.outOfRange)); !slicesEqual(got, c.refused) {
				t.Errorf("refused %v, want %v", got, c.refused)
			}
		})
	}
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func slicesEqual(a, b []string) bool { return slices.Equal(a, b) || len(a)+len(b) == 0 }

// exactInteger reads the value from the digits, whatever the exponent.
func TestExactInteger(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"0", true}, {"-0.0", true}, {"0e-999999999999999999999", true}, {"1", true}, {"1.0", true},
		{"1e0", true}, {"10E-1", true}, {"1.5e1", true}, {"1.50e1", true}, {"100e-2", true},
		{"9007199254740993.000", true}, {"1e400", true}, {"1e+5", true},
		{"1e99999999999999999999", true}, {"5e9223372036854775807", true},
		{"1.5", false}, {"1.0000000000000001", false}, {"0.99999999999999999", false},
		{"1e-1", false}, {"1e-400", false}, {"15e-1", false}, {"1.05e1", false},
		{"1e-99999999999999999999", false}, {"0.5e-9223372036854775808", false},
		{"-3.999999999999999999e0", false},
	} {
		if got := exactInteger(c.text); got != c.want {
			t.Errorf("exactInteger(%s) = %v, want %v", c.text, got, c.want)
		}
	}
}

// integerValue reads an integer's value from its digits, however many
// there are and wherever the exponent puts the point: never through a
// float64, which rounds beyond 2^53.
func TestIntegerValue(t *testing.T) {
	long := "9007199254740993" + strings.Repeat("0", 60) + "e-60"
	for _, c := range []struct {
		text           string
		n              int64
		whole, inRange bool
	}{
		{"0", 0, true, true},
		{"-0.0e5", 0, true, true},
		{"30.0", 30, true, true},
		{"1e1", 10, true, true},
		{"-15E-1", 0, false, false},
		{"9007199254740993.0", 9007199254740993, true, true},
		{long, 9007199254740993, true, true},
		{"-" + long, -9007199254740993, true, true},
		{"0.00000000000000000000000000000009007199254740993e47", 9007199254740993, true, true},
		{"9223372036854775807.0", math.MaxInt64, true, true},
		{"922337203685477580.7e1", math.MaxInt64, true, true},
		{"-9223372036854775808.0", math.MinInt64, true, true},
		{"9223372036854775808.0", 0, true, false},
		{"-9223372036854775809.0", 0, true, false},
		{"1e18", 1e18, true, true},
		{"1e19", 0, true, false},
		{"18446744073709551616e0", 0, true, false},
		{"1e99999999999999999999", 0, false, false}, // beyond float64: kin-openapi says so
		{"0.99999999999999999", 0, true, false},     // whole to a float64, not an integer
	} {
		n, whole, inRange := integerValue(c.text)
		if n != c.n || whole != c.whole || inRange != c.inRange {
			t.Errorf("integerValue(%s) = %d, %v, %v; want %d, %v, %v", c.text, n, whole, inRange, c.n, c.whole, c.inRange)
		}
	}
}
