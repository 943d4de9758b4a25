package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
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
	{funds.ErrNoTransfers, http.StatusUnprocessableEntity, "no_transfers"},
	{funds.ErrTraceNode, http.StatusNotFound, "not_found"},
	{partner.ErrTraceRequestKind, http.StatusBadRequest, "bad_kind"},
	{partner.ErrTraceRequestAccount, http.StatusBadRequest, "bad_account"},
	{partner.ErrTraceRequestAmount, http.StatusBadRequest, "bad_amount"},
	{partner.ErrNoTracedBalance, http.StatusUnprocessableEntity, "no_traced_balance"},
	{partner.ErrNotBank, http.StatusUnprocessableEntity, "bad_unit"},
	{partner.ErrNoBankUnit, http.StatusUnprocessableEntity, "no_bank_unit"},
}

// ruleError turns a use case's rule error into its answer; other errors
// (and nil) pass unchanged.
func ruleError(err error) error {
	if err == nil {
		return nil
	}
	for _, re := range ruleErrors {
		if errors.Is(err, re.err) {
			return &apiError{Status: re.status, Code: re.code, Message: ruleMessage(err, re.err)}
		}
	}
	return err
}

// ruleMessage is the message the domain wrote after the rule's sentinel
// (fmt.Errorf("%w: message", rule)).
func ruleMessage(err, rule error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, rule.Error()+": "); i >= 0 {
		return msg[i+len(rule.Error())+2:]
	}
	return msg
}
