package api

import (
	"encoding/json"
	"errors"

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
	// Members by their exact names (a struct would match MIN_GOLD too);
	// of a member given twice, the last, as the schema's check reads it.
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return nil
	}
	var lo, hi int32
	if json.Unmarshal(members["min_gold"], &lo) != nil || json.Unmarshal(members["max_gold"], &hi) != nil {
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
	for k, msg := range rule(body, fields) {
		if _, ok := fields[k]; !ok {
			fields[k] = msg
		}
	}
}
