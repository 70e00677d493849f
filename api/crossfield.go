package api

import (
	"encoding/json"
	"errors"
	"math"

	"github.com/ninjagold/ninjagold-api/game"
)

// crossFieldRules are, per operation, the domain's rules across a body's
// members that the schema cannot express, run here on a body the schema
// refuses for other reasons: the handler checks them once the schema's
// errors are gone, and without them here a client would learn of a second
// mistake only after mending the first. Each is given the schema's errors
// and returns the fields it finds wrong besides.
var crossFieldRules = map[string]func(body []byte, schemaErrors map[string]string) map[string]string{
	"createLocation":  locationRange,
	"replaceLocation": locationRange,
	"updateLocation":  locationRange, // a patch that sets both ends; one end alone is checked against the stored other
}

// locationRange is game.LocationFields.Validate's verdict on a body's
// min_gold and max_gold when both are whole numbers a location holds and
// the schema found neither wrong.
func locationRange(body []byte, schemaErrors map[string]string) map[string]string {
	if _, bad := schemaErrors["min_gold"]; bad {
		return nil
	}
	if _, bad := schemaErrors["max_gold"]; bad {
		return nil
	}
	// Members by their exact names (a struct would match MIN_GOLD too).
	// A member given twice never gets here: duplicateMembers names it.
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil
	}
	lo, ok1 := wholeInt32(members["min_gold"])
	hi, ok2 := wholeInt32(members["max_gold"])
	if !ok1 || !ok2 {
		return nil
	}
	var e *game.Error
	if errors.As(game.LocationFields{MinGold: lo, MaxGold: hi}.Validate(), &e) {
		return e.Fields
	}
	return nil
}

// addCrossFieldErrors adds to fields, the schema's errors for op's body,
// what op's cross-field rules find.
func addCrossFieldErrors(op *operation, body []byte, fields map[string]string) {
	rule := crossFieldRules[op.route.Operation.OperationID]
	if rule == nil || len(body) == 0 {
		return
	}
	addAbsent(fields, rule(body, fields))
}

// wholeInt32 reads a JSON number as the schema takes an integer (30, 30.0,
// 3e1: see wholeNumbers) when it is one and fits an int32.
func wholeInt32(raw json.RawMessage) (int32, bool) {
	if !isNumber(raw) {
		return 0, false
	}
	n, whole, inRange := integerValue(string(raw))
	if !whole || !inRange || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}
