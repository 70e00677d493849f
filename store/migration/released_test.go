package migration_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"

	"github.com/ninjagold/ninjagold-api/store/migration"
)

// released are the SHA-256 sums of the migrations that have shipped. A
// database records only the version it applied, so a shipped file edited
// afterwards changes new databases and leaves every existing one as it was,
// without a word: a change is a new migration. Add a file's sum here when
// it ships.
var released = map[string]map[string]string{
	"../sqlite": {
		"0001_schema.sql":                     "9953e0d31d0b256b807ab4e73b54684b289935d7e8e828c846b5962286bab824",
		"0002_seed_locations.sql":             "eb26ee0ded67e35a35e1cbb8544d38b6e4487986aee1c46de9f93bed82e47391",
		"0003_idempotency_keys_by_visit.sql":  "a13b389a5cff7fdc2d9d0e14aeb2c7e1f8eddaff8dd7d76bbfbfd26771c3f49e",
		"0004_players_by_gold_most_first.sql": "37b95a5596e05a85ec7dab77677a26701ae4eb9904867f3b0a83fbefd9ae151b",
		"0005_locations_by_name.sql":          "4ddd1214396761603c1f5bf46d46d4dce75b6c021f345e2b5af4bd80f12eeaa6",
	},
	"../postgres": {
		"0001_schema.sql":            "ce2047724e433fc5d1f3ddd01cfbc61d0db854a54f7b60ac8e6f07b6105819a8",
		"0002_seed_locations.sql":    "562e0bd191457f73d9f119ec2adc669a4bd491e0bdceda29eaef5382b53fdfcb",
		"0003_locations_by_name.sql": "8ce0bba3b29d7a3adbce766f655cf51432fd998b147da54ba4f92f090863243e",
	},
}

func TestReleasedMigrationsAreUnchanged(t *testing.T) {
	for dir, sums := range released {
		files, err := migration.Load(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		found, newestReleased := map[string]bool{}, 0
		for _, f := range files {
			want, ok := sums[f.Name]
			if !ok {
				continue
			}
			found[f.Name] = true
			newestReleased = f.Version
			got := sha256.Sum256([]byte(f.SQL))
			if hex.EncodeToString(got[:]) != want {
				t.Errorf("%s/migrations/%s changed after it shipped: write a new migration instead", dir, f.Name)
			}
		}
		for name := range sums {
			if !found[name] {
				t.Errorf("%s/migrations/%s shipped and is gone", dir, name)
			}
		}
		for _, f := range files {
			if _, ok := sums[f.Name]; !ok && f.Version < newestReleased {
				t.Errorf("%s/migrations/%s is new but comes before a shipped one: databases past it would never apply it", dir, f.Name)
			}
		}
	}
}
