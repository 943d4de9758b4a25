package web

import (
	"errors"
	"net/http"

	"github.com/fanzha/fanzha/internal/funds"
	"github.com/fanzha/fanzha/internal/partner"
)

// unprocessable are the rules of use cases whose refusal (a domain.Invalid
// marked by the rule, with its own code) the API answers 422 rather than
// 400: the request is well formed but the records do not allow it.
var unprocessable = []error{
	funds.ErrCaseArea, funds.ErrNoVictim, funds.ErrTransferAmount, funds.ErrTransferTime, funds.ErrTransferAccount,
	funds.ErrNoTransfers, partner.ErrNoTracedBalance, partner.ErrNotBank, partner.ErrNoBankUnit,
}

// ruleError answers a refusal by one of those rules with 422, its code and
// message; other errors (and nil) pass unchanged.
func ruleError(err error) error {
	if err == nil {
		return nil
	}
	for _, rule := range unprocessable {
		if errors.Is(err, rule) {
			ae := classify(err)
			ae.Status = http.StatusUnprocessableEntity
			return ae
		}
	}
	return err
}
