package ninjagold

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestMakeRunPassesAddrAndDBAsGiven holds the Makefile's RUN_FLAGS, what
// `make run ADDR=… DB=…` hands the server, to the words the user typed:
// each one argument whatever it holds, no $ expanded by make or the shell,
// and nothing taken from a variable of the same name in the environment.
func TestMakeRunPassesAddrAndDBAsGiven(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("no make here")
	}
	for _, tc := range []struct {
		name string
		vars []string // make's command-line variables
		env  []string
		want []string
	}{
		{name: "none", want: nil},
		{name: "address and file",
			vars: []string{"ADDR=127.0.0.1:9090", "DB=other.db"},
			want: []string{"--addr", "127.0.0.1:9090", "--db", "other.db"}},
		{name: "a space and quotes",
			vars: []string{`DB=my game's "gold".db`},
			want: []string{"--db", `my game's "gold".db`}},
		{name: "dollars, make's and the shell's",
			vars: []string{`DB=/tmp/a$b$$c$(HOME)${HOME}.db`},
			want: []string{"--db", `/tmp/a$b$$c$(HOME)${HOME}.db`}},
		{name: "a PostgreSQL URL",
			vars: []string{"DB=postgres://u:pa$$;w`d@db:5432/g?sslmode=disable&application_name=a b"},
			want: []string{"--db", "postgres://u:pa$$;w`d@db:5432/g?sslmode=disable&application_name=a b"}},
		{name: "the environment's are not passed",
			env:  []string{"ADDR=:1", "DB=elsewhere.db"},
			want: nil},
		{name: "only the command line's",
			vars: []string{"DB=mine.db"},
			env:  []string{"ADDR=:1", "DB=elsewhere.db"},
			want: []string{"--db", "mine.db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A target of the test's own prints each word RUN_FLAGS
			// becomes in the shell on a line of its own.
			args := append([]string{"-s", "--no-print-directory",
				"--eval", "print-run-flags: ; @printf '%s\\n' $(RUN_FLAGS)",
				"print-run-flags"}, tc.vars...)
			cmd := exec.Command(mk, args...)
			// Only PATH from this process: not a MAKEFLAGS of the make
			// running the tests, nor its ADDR or DB.
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make: %v\n%s", err, out)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if tc.want == nil {
				// printf with no arguments prints one empty line.
				if !slices.Equal(got, []string{""}) {
					t.Fatalf("RUN_FLAGS = %q, want nothing", got)
				}
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("RUN_FLAGS = %q, want %q", got, tc.want)
			}
		})
	}
}
