package game

import (
	"errors"
	"maps"
	"math"
	"testing"
)

// fixedDice always rolls the same offset.
type fixedDice int64

func (d fixedDice) Int64N(n int64) int64 {
	if int64(d) >= n {
		panic("roll out of range")
	}
	return int64(d)
}

func TestRollCoversTheRangeInclusively(t *testing.T) {
	casino := Location{Name: "Casino", MinGold: -50, MaxGold: 50}
	tests := []struct {
		name    string
		roll    fixedDice
		want    int32
		message string
	}{
		{"lowest roll is min_gold", 0, -50, "Entered the Casino and lost 50 gold... Ouch!"},
		{"highest roll is max_gold", 100, 50, "Earned 50 gold from the Casino!"},
		{"middle roll", 50, 0, "Entered the Casino and came out with nothing... Not a single coin."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Roll(tt.roll, casino)
			if got.Gold != tt.want {
				t.Errorf("Roll = %d, want %d", got.Gold, tt.want)
			}
			if got.Message != tt.message {
				t.Errorf("Roll's message = %q, want %q", got.Message, tt.message)
			}
		})
	}
	t.Run("a fixed range always pays its amount", func(t *testing.T) {
		if got := Roll(fixedDice(0), Location{Name: "Dojo", MinGold: 7, MaxGold: 7}).Gold; got != 7 {
			t.Errorf("Roll = %d, want 7", got)
		}
	})
	t.Run("extreme bounds do not overflow", func(t *testing.T) {
		// The contract bounds a location's gold far tighter; Roll does
		// not rely on it: the span of int32's whole range overflows int32.
		loc := Location{Name: "Vault", MinGold: math.MinInt32, MaxGold: math.MaxInt32}
		for _, c := range []struct {
			roll fixedDice
			want int32
		}{{0, math.MinInt32}, {1 << 31, 0}, {1<<32 - 1, math.MaxInt32}} {
			if got := Roll(c.roll, loc).Gold; got != c.want {
				t.Errorf("Roll(%d) = %d, want %d", c.roll, got, c.want)
			}
		}
	})
}

func TestSystemDiceStaysInRange(t *testing.T) {
	seen := map[int32]bool{}
	for range 2000 {
		g := Roll(SystemDice{}, Location{Name: "House", MinGold: 2, MaxGold: 5}).Gold
		if g < 2 || g > 5 {
			t.Fatalf("roll %d outside [2, 5]", g)
		}
		seen[g] = true
	}
	if len(seen) != 4 {
		t.Errorf("2000 rolls hit %d of the 4 amounts, want all", len(seen))
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		location string
		gold     int32
		want     string
	}{
		{"Farm", 13, "Earned 13 gold from the Farm!"},
		{"Casino", -23, "Entered the Casino and lost 23 gold... Ouch!"},
		{"Casino", 40, "Earned 40 gold from the Casino!"},
		{"Casino", 0, "Entered the Casino and came out with nothing... Not a single coin."},
		{"Cave", 1, "Earned 1 gold from the Cave!"},
		{"Casino", -1, "Entered the Casino and lost 1 gold... Ouch!"},
		{"Abyss", math.MinInt32, "Entered the Abyss and lost 2147483648 gold... Ouch!"},
		{"Mine", math.MaxInt32, "Earned 2147483647 gold from the Mine!"},
	}
	for _, tt := range tests {
		if got := Message(tt.location, tt.gold); got != tt.want {
			t.Errorf("Message(%q, %d) = %q, want %q", tt.location, tt.gold, got, tt.want)
		}
	}
}

func TestLocationFieldsValidate(t *testing.T) {
	if err := (LocationFields{MinGold: 5, MaxGold: 5}).Validate(); err != nil {
		t.Errorf("min == max: %v, want nil", err)
	}
	err := (LocationFields{MinGold: 6, MaxGold: 5}).Validate()
	if ErrorCode(err) != EINVALID {
		t.Fatalf("min > max: code %q, want %q", ErrorCode(err), EINVALID)
	}
	if got := err.(*Error).Fields["min_gold"]; got != "min gold must be less than or equal to max gold" {
		t.Errorf("message = %q", got)
	}
}

func TestLocationFieldsValidateNewEnd(t *testing.T) {
	tests := []struct {
		name     string
		min, max int32
		validate func(LocationFields) error
		want     map[string]string // nil: valid
	}{
		{"min raised to max", 5, 5, LocationFields.ValidateNewMin, nil},
		{"max lowered to min", 5, 5, LocationFields.ValidateNewMax, nil},
		{"min raised past max", 6, 5, LocationFields.ValidateNewMin, map[string]string{"min_gold": "min gold must be at most 5, the max gold"}},
		{"max lowered past min", 6, 5, LocationFields.ValidateNewMax, map[string]string{"max_gold": "max gold must be at least 6, the min gold"}},
		{"negative ends", -1, -3, LocationFields.ValidateNewMax, map[string]string{"max_gold": "max gold must be at least -1, the min gold"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.validate(LocationFields{MinGold: tt.min, MaxGold: tt.max})
			if tt.want == nil {
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
				return
			}
			var ge *Error
			if !errors.As(err, &ge) || ge.Code != EINVALID || !maps.Equal(ge.Fields, tt.want) {
				t.Errorf("got %#v, want EINVALID with %v", err, tt.want)
			}
		})
	}
}

// Apply reports a change of a writable field only: what a store's new
// version, and so a new ETag, depends on.
func TestLocationApply(t *testing.T) {
	errRefused := errors.New("refused")
	base := Location{ID: 1, Name: "Farm", MinGold: 10, MaxGold: 20, Description: "Fields.", Version: 3}
	with := func(f func(*Location)) Location { l := base; f(&l); return l }
	tests := []struct {
		name        string
		update      func(*Location) error
		wantChanged bool
		wantErr     error
		want        Location // l after Apply
	}{
		{"nothing", func(*Location) error { return nil }, false, nil, base},
		{"the same name again", func(l *Location) error { l.Name = "Farm"; return nil }, false, nil, base},
		{"fields that are not writable are kept", func(l *Location) error { l.ID, l.Version = 42, 9; return nil }, false, nil, base},
		{"name", func(l *Location) error { l.Name = "Barn"; return nil }, true, nil, with(func(l *Location) { l.Name = "Barn" })},
		{"min_gold", func(l *Location) error { l.MinGold = 11; return nil }, true, nil, with(func(l *Location) { l.MinGold = 11 })},
		{"max_gold", func(l *Location) error { l.MaxGold = 21; return nil }, true, nil, with(func(l *Location) { l.MaxGold = 21 })},
		{"description", func(l *Location) error { l.Description = ""; return nil }, true, nil, with(func(l *Location) { l.Description = "" })},
		{"a writable field with one that is not", func(l *Location) error { l.Name, l.Version = "Barn", 9; return nil }, true, nil, with(func(l *Location) { l.Name = "Barn" })},
		{"refused, nothing kept", func(l *Location) error { l.Name = "Barn"; return errRefused }, false, errRefused, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base
			changed, err := l.Apply(tt.update)
			if changed != tt.wantChanged || err != tt.wantErr {
				t.Errorf("Apply = %v, %v; want %v, %v", changed, err, tt.wantChanged, tt.wantErr)
			}
			if l != tt.want {
				t.Errorf("after Apply: %+v, want %+v", l, tt.want)
			}
		})
	}
}
