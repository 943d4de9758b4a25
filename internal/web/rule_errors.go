package web

import (
	"errors"
	"net/http"

	"github.com/fanzha/fanzha/internal/funds"
)

// ruleErrors are the rules of use cases whose breach the API answers with
// its own status and code (the message is the domain's); any other
// domain.ErrInvalid is 400 "invalid" (classify).
var ruleErrors = []struct {
	err    error
	status int
	code   string
}{
	{funds.ErrCaseArea, http.StatusUnprocessableEntity, "bad_area"},
	{funds.ErrNoVictim, http.StatusUnprocessableEntity, "no_victim"},
	{funds.ErrTransferAmount, http.StatusUnprocessableEntity, "bad_amount"},
	{funds.ErrTransferTime, http.StatusUnprocessableEntity, "bad_time"},
	{funds.ErrTransferAccount, http.StatusUnprocessableEntity, "bad_account"},
}

// ruleError turns a use case's rule error into its answer; other errors
// (and nil) pass unchanged.
func ruleError(err error) error {
	if err == nil {
		return nil
	}
	for _, re := range ruleErrors {
		if errors.Is(err, re.err) {
			return &apiError{Status: re.status, Code: re.code, Message: trimSentinel(err, err.Error())}
		}
	}
	return err
}
