package migration

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    string // versions and names, in order
		wantErr string
	}{
		{"in version order, not name order", fstest.MapFS{
			"migrations/10_later.sql": {Data: []byte("B")},
			"migrations/2_first.sql":  {Data: []byte("A")},
			"migrations/notes.txt":    {Data: []byte("ignored")},
		}, "2 2_first.sql A; 10 10_later.sql B", ""},
		{"a name without a version", fstest.MapFS{"migrations/schema.sql": {}}, "", "must start with a number"},
		{"one version twice", fstest.MapFS{
			"migrations/1_a.sql": {}, "migrations/0001_b.sql": {},
		}, "", "the same version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Load(tt.files)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, strings.Join([]string{strconv.Itoa(f.Version), f.Name, f.SQL}, " "))
			}
			if s := strings.Join(got, "; "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

func TestCheckNotNewer(t *testing.T) {
	files := []File{{Version: 1}, {Version: 2}}
	tests := []struct {
		newest  int
		files   []File
		wantErr bool
	}{
		{0, files, false}, // a new database
		{1, files, false}, // one to apply
		{2, files, false}, // up to date
		{3, files, true},  // migrated by a newer build
		{1, nil, true},
	}
	for _, tt := range tests {
		// The stores tell a newer schema apart by ErrNewer.
		if err := CheckNotNewer(tt.newest, tt.files); (err != nil) != tt.wantErr || err != nil && !errors.Is(err, ErrNewer) {
			t.Errorf("newest %d, %d files: err %v, want an error %v, and one that is ErrNewer", tt.newest, len(tt.files), err, tt.wantErr)
		}
	}
}
